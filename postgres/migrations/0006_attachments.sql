-- Attachments: the records of uploaded files and images; their bytes are
-- in the blob store under attachments/<session_id>/<id>.
CREATE TABLE attachments (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id   bigint  NOT NULL REFERENCES sessions (id),
    name         text    NOT NULL,
    content_type text    NOT NULL,
    size         bigint  NOT NULL,
    sha256       text    NOT NULL,
    kind         text    NOT NULL,
    width        integer NOT NULL DEFAULT 0,
    height       integer NOT NULL DEFAULT 0,
    uploaded_by  text    NOT NULL,
    agent_id     bigint  NOT NULL DEFAULT 0,
    created_at   bigint  NOT NULL -- unix milliseconds
);
CREATE INDEX attachments_session ON attachments (session_id, id);
