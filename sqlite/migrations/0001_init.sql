-- Sessions: the projection the API reads, updated in the same transaction
-- as the events that produce it. state holds the full projection as JSON;
-- the other columns are there to filter and sort by.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    medium      TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    agent_id    INTEGER,
    queue_id    INTEGER,
    created_at  INTEGER NOT NULL, -- unix milliseconds
    updated_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    state       BLOB    NOT NULL
);
CREATE INDEX sessions_status ON sessions (status, id);
CREATE INDEX sessions_agent ON sessions (agent_id, id);
CREATE INDEX sessions_queue ON sessions (queue_id, id);

-- Events: the append-only log, the truth. id is the global position.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    v           INTEGER NOT NULL,
    time        INTEGER NOT NULL, -- unix milliseconds
    actor       BLOB    NOT NULL,
    data        BLOB    NOT NULL,
    UNIQUE (session_id, seq)
);

-- Durable timers: at most one pending timer per session and kind.
CREATE TABLE timers (
    session_id  INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    due_at      INTEGER NOT NULL,
    data        BLOB,
    PRIMARY KEY (session_id, kind)
);
CREATE INDEX timers_due ON timers (due_at);

-- Outbox: deliveries written with the events that cause them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    session_id      INTEGER NOT NULL,
    key             TEXT    NOT NULL UNIQUE,
    payload         BLOB    NOT NULL,
    state           TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Configuration documents (agents, virtual agents, queues), kept as JSON.
CREATE TABLE config (
    kind        TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    doc         BLOB    NOT NULL,
    PRIMARY KEY (kind, id)
);

-- API tokens; only a SHA-256 hash of the secret is stored.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL,
    agent_id    INTEGER NOT NULL DEFAULT 0,
    hash        BLOB    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
