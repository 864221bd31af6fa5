-- The history-search index of message text is built after the commit, in
-- batches (messagetext.go): last_event is the position of the last event it
-- has read. Every event stored so far was indexed when it was committed.
CREATE TABLE message_text_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_event  INTEGER NOT NULL
);
INSERT INTO message_text_state (id, last_event) SELECT 1, COALESCE(MAX(id), 0) FROM events;
