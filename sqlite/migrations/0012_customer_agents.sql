-- The familiar-customer rule reads, per customer, the agents who handled
-- their sessions: one row per customer (sb.EndUser.CustomerKey), session
-- and agent, written with the commit that makes the agent the session's
-- current agent. n is the agent's first handle in the session, so a
-- customer's rows read in (session_id, n) order follow their sessions'
-- handles. created_at is the session's (unix milliseconds): routing reads
-- a window of recent sessions.
CREATE TABLE customer_agents (
    customer    TEXT    NOT NULL,
    session_id  INTEGER NOT NULL,
    agent_id    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (customer, session_id, agent_id)
) WITHOUT ROWID;

-- The sessions stored so far. The key is the identifier, else the e-mail
-- address in lower case, else the phone number.
INSERT OR IGNORE INTO customer_agents (customer, session_id, agent_id, n, created_at)
    SELECT k.customer, k.id, json_extract(h.value, '$.agent.id'), h.key, k.created_at
    FROM (SELECT id, created_at, state,
            CASE
                WHEN COALESCE(json_extract(CAST(state AS TEXT), '$.end_user.identifier'), '') <> ''
                    THEN 'id:' || json_extract(CAST(state AS TEXT), '$.end_user.identifier')
                WHEN COALESCE(json_extract(CAST(state AS TEXT), '$.end_user.email'), '') <> ''
                    THEN 'email:' || lower(json_extract(CAST(state AS TEXT), '$.end_user.email'))
                WHEN COALESCE(json_extract(CAST(state AS TEXT), '$.end_user.phone'), '') <> ''
                    THEN 'phone:' || json_extract(CAST(state AS TEXT), '$.end_user.phone')
            END AS customer
          FROM sessions) k, json_each(CAST(k.state AS TEXT), '$.handles') h
    WHERE k.customer IS NOT NULL AND json_extract(h.value, '$.agent.id') IS NOT NULL
    ORDER BY k.id, h.key;
