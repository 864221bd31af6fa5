-- Configuration documents (agents, virtual agents, queues …), kept as the
-- JSON given.
CREATE TABLE config (
    kind  text   NOT NULL,
    id    bigint NOT NULL,
    doc   bytea  NOT NULL,
    PRIMARY KEY (kind, id)
);

-- API tokens; only a SHA-256 hash of the secret is stored.
CREATE TABLE tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text   NOT NULL,
    role        text   NOT NULL,
    agent_id    bigint NOT NULL DEFAULT 0,
    hash        bytea  NOT NULL UNIQUE,
    created_at  bigint NOT NULL, -- unix milliseconds
    revoked_at  bigint
);
