-- Attachments: the records of uploaded files and images; their bytes are
-- in the file store under attachments/<session_id>/<id>.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    session_id   INTEGER NOT NULL REFERENCES sessions (id),
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    uploaded_by  TEXT    NOT NULL,
    agent_id     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX attachments_session ON attachments (session_id, id);
