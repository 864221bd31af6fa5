-- Sessions: the projection the API reads, written in the same transaction
-- as the events that produce it. state holds the full projection as the
-- JSON the store encodes (bytea: kept as written); the other columns are
-- there to filter and sort by. Times are unix milliseconds, as in the
-- SQLite store. tags are the IDs of the session tags in state, for the
-- history search by tag. A fill factor below 100 leaves room on each page
-- for the row's next version, so that a commit that changes no indexed
-- column (a chat message) can update the row in place (HOT).
CREATE TABLE sessions (
    id          bigint   PRIMARY KEY,
    uuid        text     NOT NULL UNIQUE,
    type        text     NOT NULL,
    medium      text     NOT NULL,
    channel     text     NOT NULL DEFAULT '',
    status      integer  NOT NULL,
    seq         bigint   NOT NULL,
    agent_id    bigint,
    queue_id    bigint,
    end_user    text,
    tags        bigint[] NOT NULL DEFAULT '{}',
    created_at  bigint   NOT NULL,
    updated_at  bigint   NOT NULL,
    ended_at    bigint,
    state       bytea    NOT NULL
) WITH (fillfactor = 80);
CREATE INDEX sessions_status ON sessions (status, id);
CREATE INDEX sessions_agent ON sessions (agent_id, id);
CREATE INDEX sessions_queue ON sessions (queue_id, id);
CREATE INDEX sessions_channel ON sessions (channel, id);
CREATE INDEX sessions_created ON sessions (created_at);
-- Visitors list their own sessions: the end user's identifier at creation.
CREATE INDEX sessions_end_user ON sessions (end_user, id) WHERE end_user IS NOT NULL;
-- Routing rebuilds its queues from the sessions that have not ended.
CREATE INDEX sessions_live ON sessions (id) WHERE ended_at IS NULL;
CREATE INDEX sessions_tags ON sessions USING gin (tags);

-- Every agent who handled a session, not only the current one.
CREATE TABLE session_agents (
    agent_id    bigint NOT NULL,
    session_id  bigint NOT NULL,
    PRIMARY KEY (agent_id, session_id)
);

-- The familiar-customer rule reads, per customer, the agents who handled
-- their sessions: one row per customer (sb.EndUser.CustomerKey), session
-- and agent, written with the commit that makes the agent the session's
-- current agent. n is the agent's first handle in the session, so a
-- customer's rows read in (session_id, n) order follow their sessions'
-- handles. created_at is the session's: routing reads a window of recent
-- sessions. The primary key makes a customer's history one index range,
-- whatever the number of sessions stored.
CREATE TABLE customer_agents (
    customer    text   NOT NULL,
    session_id  bigint NOT NULL,
    agent_id    bigint NOT NULL,
    n           integer NOT NULL,
    created_at  bigint NOT NULL,
    PRIMARY KEY (customer, session_id, agent_id)
);
