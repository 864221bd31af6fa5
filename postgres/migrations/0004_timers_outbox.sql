-- Durable timers: at most one pending timer per session and kind, read in
-- (due_at, session_id, kind) order.
CREATE TABLE timers (
    session_id  bigint NOT NULL,
    kind        text   NOT NULL,
    due_at      bigint NOT NULL, -- unix milliseconds
    data        bytea,
    PRIMARY KEY (session_id, kind)
);
CREATE INDEX timers_due ON timers (due_at, session_id, kind);

-- Outbox: deliveries written with the events that cause them; key is the
-- idempotency key, one delivery per key.
CREATE TABLE outbox (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text    NOT NULL,
    session_id      bigint  NOT NULL,
    key             text    NOT NULL UNIQUE,
    payload         bytea   NOT NULL,
    state           text    NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      bigint  NOT NULL,
    next_attempt_at bigint  NOT NULL,
    delivered_at    bigint,
    last_error      text    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
