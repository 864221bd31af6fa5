-- Reports (SPEC §3): every session's report facts, and daily rollups of
-- them kept in step by the store, so a report over months adds up a few
-- rows per day instead of every fact. Times are Unix milliseconds (UTC),
-- days are UTC days since 1970-01-01, flags are 0/1.

-- The sessions whose facts are stored, with the newest event they were
-- derived from.
CREATE TABLE report_sessions (
    session_id  INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL
);

-- One row per session: the channel report's session counts.
CREATE TABLE report_session_facts (
    session_id      INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    group_id        INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    picked_up       INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    hold            INTEGER NOT NULL,
    handle          INTEGER NOT NULL
);
CREATE INDEX report_session_facts_at ON report_session_facts (at);

-- One row per agent who served a session; n keeps the derived order.
CREATE TABLE report_agent_facts (
    session_id      INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    hold            INTEGER NOT NULL,
    handle          INTEGER NOT NULL,
    wrap_up         INTEGER NOT NULL,
    messages        INTEGER NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE INDEX report_agent_facts_at ON report_agent_facts (at);

-- One row per skill group that served a session.
CREATE TABLE report_group_facts (
    session_id      INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE INDEX report_group_facts_at ON report_group_facts (at);

-- One row per stay in a group's queue.
CREATE TABLE report_wait_facts (
    session_id  INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    group_id    INTEGER NOT NULL,
    channel     TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    wait        INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    transfer    INTEGER NOT NULL,
    overflow    INTEGER NOT NULL,
    agent_id    INTEGER NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE INDEX report_wait_facts_at ON report_wait_facts (at);
CREATE INDEX report_wait_facts_group ON report_wait_facts (group_id, at);

-- One row per counted rating and agent it counts for (agent_id 0: the
-- session's own).
CREATE TABLE report_rating_facts (
    session_id  INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    agent_id    INTEGER NOT NULL,
    group_id    INTEGER NOT NULL,
    channel     TEXT    NOT NULL,
    entry       TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    rating      INTEGER NOT NULL,
    solved      INTEGER, -- NULL: not asked
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE INDEX report_rating_facts_at ON report_rating_facts (at);

-- One row per transfer: the transfer report, read page by page in
-- (at, session_id, transfer_id) order.
CREATE TABLE report_transfer_facts (
    session_id      INTEGER NOT NULL,
    n               INTEGER NOT NULL,
    transfer_id     INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    visitor         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    overflow        INTEGER NOT NULL,
    from_agent_id   INTEGER NOT NULL,
    from_agent_name TEXT    NOT NULL,
    to_group_id     INTEGER NOT NULL,
    to_group_name   TEXT    NOT NULL,
    to_agent_id     INTEGER NOT NULL,
    to_agent_name   TEXT    NOT NULL,
    success         INTEGER NOT NULL,
    picked_up_at    INTEGER,
    queue           INTEGER,
    duration        INTEGER,
    failed_at       INTEGER,
    failure         INTEGER,
    fail_reason     TEXT    NOT NULL,
    PRIMARY KEY (session_id, n)
) WITHOUT ROWID;
CREATE INDEX report_transfer_facts_at ON report_transfer_facts (at, session_id, transfer_id);

-- Daily rollups: the sums of the facts counted on each UTC day. Each
-- kind of fact is rolled up by every dimension a report filters on (the
-- table without a suffix) and, smaller, without entry (_c), without
-- channel and entry (_g) or by channel alone (_ch); a query reads the
-- smallest table that holds the columns it needs. The first value counts the facts; a row goes when it
-- reaches 0.
CREATE TABLE report_agent_days_g (
    day             INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    hold            INTEGER NOT NULL,
    handle          INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id)
) WITHOUT ROWID;

CREATE TABLE report_agent_days_c (
    day             INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    hold            INTEGER NOT NULL,
    handle          INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel)
) WITHOUT ROWID;

CREATE TABLE report_agent_days (
    day             INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    hold            INTEGER NOT NULL,
    handle          INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel, entry)
) WITHOUT ROWID;

CREATE TABLE report_group_days_g (
    day             INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    PRIMARY KEY (day, group_id)
) WITHOUT ROWID;

CREATE TABLE report_group_days_c (
    day             INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel)
) WITHOUT ROWID;

CREATE TABLE report_group_days (
    day             INTEGER NOT NULL,
    group_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    entry           TEXT    NOT NULL,
    sessions        INTEGER NOT NULL,
    pick_ups        INTEGER NOT NULL,
    accessed_first  INTEGER NOT NULL,
    transfers_in    INTEGER NOT NULL,
    transfers_out   INTEGER NOT NULL,
    ended           INTEGER NOT NULL,
    duration        INTEGER NOT NULL,
    valid           INTEGER NOT NULL,
    invalid         INTEGER NOT NULL,
    first_responses INTEGER NOT NULL,
    first_response  INTEGER NOT NULL,
    response_avgs   INTEGER NOT NULL,
    response_avg    INTEGER NOT NULL,
    invited         INTEGER NOT NULL,
    invite_success  INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
) WITHOUT ROWID;

-- counted and counted_wait use the configured queue threshold
-- (report_state.queue_threshold); changing it rebuilds these tables.
CREATE TABLE report_wait_days_ch (
    day          INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    transfer     INTEGER NOT NULL,
    waits        INTEGER NOT NULL,
    wait         INTEGER NOT NULL,
    counted      INTEGER NOT NULL,
    counted_wait INTEGER NOT NULL,
    PRIMARY KEY (day, channel, outcome, transfer)
) WITHOUT ROWID;

CREATE TABLE report_wait_days_g (
    day          INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    outcome      TEXT    NOT NULL,
    transfer     INTEGER NOT NULL,
    waits        INTEGER NOT NULL,
    wait         INTEGER NOT NULL,
    counted      INTEGER NOT NULL,
    counted_wait INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, outcome, transfer)
) WITHOUT ROWID;

CREATE TABLE report_wait_days_c (
    day          INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    transfer     INTEGER NOT NULL,
    waits        INTEGER NOT NULL,
    wait         INTEGER NOT NULL,
    counted      INTEGER NOT NULL,
    counted_wait INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel, outcome, transfer)
) WITHOUT ROWID;

CREATE TABLE report_wait_days (
    day          INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    entry        TEXT    NOT NULL,
    outcome      TEXT    NOT NULL,
    transfer     INTEGER NOT NULL,
    waits        INTEGER NOT NULL,
    wait         INTEGER NOT NULL,
    counted      INTEGER NOT NULL,
    counted_wait INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry, outcome, transfer)
) WITHOUT ROWID;

CREATE TABLE report_session_days_ch (
    day            INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    sessions       INTEGER NOT NULL,
    picked_up      INTEGER NOT NULL,
    ended          INTEGER NOT NULL,
    duration       INTEGER NOT NULL,
    invited        INTEGER NOT NULL,
    invite_success INTEGER NOT NULL,
    hold           INTEGER NOT NULL,
    handle         INTEGER NOT NULL,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;

CREATE TABLE report_session_days (
    day            INTEGER NOT NULL,
    group_id       INTEGER NOT NULL,
    channel        TEXT    NOT NULL,
    entry          TEXT    NOT NULL,
    sessions       INTEGER NOT NULL,
    picked_up      INTEGER NOT NULL,
    ended          INTEGER NOT NULL,
    duration       INTEGER NOT NULL,
    invited        INTEGER NOT NULL,
    invite_success INTEGER NOT NULL,
    hold           INTEGER NOT NULL,
    handle         INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
) WITHOUT ROWID;

-- Ratings counted for agents (agent_id <> 0), and the sessions' own.
CREATE TABLE report_rating_days_g (
    day        INTEGER NOT NULL,
    agent_id   INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id)
) WITHOUT ROWID;

CREATE TABLE report_rating_days_c (
    day        INTEGER NOT NULL,
    agent_id   INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    channel    TEXT    NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel)
) WITHOUT ROWID;

CREATE TABLE report_rating_days (
    day        INTEGER NOT NULL,
    agent_id   INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    channel    TEXT    NOT NULL,
    entry      TEXT    NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel, entry)
) WITHOUT ROWID;

CREATE TABLE report_session_rating_days_ch (
    day        INTEGER NOT NULL,
    channel    TEXT    NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;

CREATE TABLE report_session_rating_days_g (
    day        INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, group_id)
) WITHOUT ROWID;

CREATE TABLE report_session_rating_days (
    day        INTEGER NOT NULL,
    group_id   INTEGER NOT NULL,
    channel    TEXT    NOT NULL,
    entry      TEXT    NOT NULL,
    ratings    INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
) WITHOUT ROWID;

-- The newest event whose session's facts are stored, and the queue
-- threshold of the wait rollups (milliseconds; a wait counts when longer).
CREATE TABLE report_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    checkpoint      INTEGER NOT NULL,
    queue_threshold INTEGER NOT NULL
);
INSERT INTO report_state (id, checkpoint, queue_threshold) VALUES (1, 0, 60000);
