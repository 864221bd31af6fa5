-- Offline messages visitors leave through the leave-message form. fields
-- holds the form's other answers as a JSON object; the other columns are
-- there to filter, search and sort by.
CREATE TABLE offline_messages (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plugin_id    bigint  NOT NULL DEFAULT 0,
    template_id  bigint  NOT NULL DEFAULT 0,
    visitor_id   text    NOT NULL DEFAULT '',
    session_id   bigint  NOT NULL DEFAULT 0,
    queue_id     bigint  NOT NULL DEFAULT 0,
    name         text    NOT NULL DEFAULT '',
    email        text    NOT NULL DEFAULT '',
    phone        text    NOT NULL DEFAULT '',
    fields       bytea,
    content      text    NOT NULL,
    status       text    NOT NULL,
    assignee_id  bigint  NOT NULL DEFAULT 0,
    note         text    NOT NULL DEFAULT '',
    created_at   bigint  NOT NULL, -- unix milliseconds
    updated_at   bigint  NOT NULL,
    processed_at bigint
);
-- The lists: by status, by assignee (mine, unassigned), newest first.
CREATE INDEX offline_messages_status ON offline_messages (status, id);
CREATE INDEX offline_messages_assignee ON offline_messages (assignee_id, id);
CREATE INDEX offline_messages_created ON offline_messages (created_at);
