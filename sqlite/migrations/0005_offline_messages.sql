-- Offline messages visitors leave through the leave-message form. fields
-- holds the form's other answers as a JSON object; the other columns are
-- there to filter, search and sort by.
CREATE TABLE offline_messages (
    id           INTEGER PRIMARY KEY,
    plugin_id    INTEGER NOT NULL DEFAULT 0,
    template_id  INTEGER NOT NULL DEFAULT 0,
    visitor_id   TEXT    NOT NULL DEFAULT '',
    session_id   INTEGER NOT NULL DEFAULT 0,
    queue_id     INTEGER NOT NULL DEFAULT 0,
    name         TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    fields       BLOB,
    content      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    assignee_id  INTEGER NOT NULL DEFAULT 0,
    note         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL, -- unix milliseconds
    updated_at   INTEGER NOT NULL,
    processed_at INTEGER
);
-- The lists: by status, by assignee (mine, unassigned), newest first.
CREATE INDEX offline_messages_status ON offline_messages (status, id);
CREATE INDEX offline_messages_assignee ON offline_messages (assignee_id, id);
CREATE INDEX offline_messages_created ON offline_messages (created_at);
