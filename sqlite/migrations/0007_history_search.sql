-- History search (SPEC §2.5): sessions by channel and creation time, by
-- every agent who handled them, and by the text of their messages.
ALTER TABLE sessions ADD COLUMN channel TEXT NOT NULL DEFAULT '';
UPDATE sessions SET channel = COALESCE(json_extract(CAST(state AS TEXT), '$.channel'), '');
CREATE INDEX sessions_created ON sessions (created_at);
CREATE INDEX sessions_channel ON sessions (channel, id);

-- Every agent who handled a session, not only the current one.
CREATE TABLE session_agents (
    agent_id    INTEGER NOT NULL,
    session_id  INTEGER NOT NULL,
    PRIMARY KEY (agent_id, session_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO session_agents (agent_id, session_id)
    SELECT json_extract(h.value, '$.agent.id'), s.id
    FROM sessions s, json_each(CAST(s.state AS TEXT), '$.handles') h
    WHERE json_extract(h.value, '$.agent.id') IS NOT NULL;

-- The text of chat messages, by event id; the trigram tokenizer finds any
-- substring of three characters or more in every language, and shorter
-- ones by scanning.
CREATE VIRTUAL TABLE message_text USING fts5 (text, tokenize = 'trigram');
INSERT INTO message_text (rowid, text)
    SELECT id, json_extract(CAST(data AS TEXT), '$.text') FROM events
    WHERE type = 'message_sent' AND COALESCE(json_extract(CAST(data AS TEXT), '$.text'), '') <> '';
