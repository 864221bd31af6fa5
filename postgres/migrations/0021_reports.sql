-- Reports (SPEC §3): every session's report facts, and daily rollups of
-- them kept in step by the store, so a report over months adds up a few
-- rows per day instead of every fact. The tables are those of the SQLite
-- store (sqlite/migrations/0008_reports.sql and 0009): times are Unix
-- milliseconds (UTC), days are UTC days since 1970-01-01 (floor(at /
-- 86400000)), counts and "0/1" fields are integers, the facts' flags
-- booleans. One node (the leader) writes them; every node reads them.

-- The sessions whose facts are stored, with the newest event they were
-- derived from.
CREATE TABLE report_sessions (
    session_id  bigint PRIMARY KEY,
    seq         bigint NOT NULL
);

-- One row per session: the channel report's session counts.
CREATE TABLE report_session_facts (
    session_id      bigint  PRIMARY KEY,
    channel         text    NOT NULL,
    entry           text    NOT NULL,
    group_id        bigint  NOT NULL,
    at              bigint  NOT NULL,
    picked_up       integer NOT NULL,
    ended           integer NOT NULL,
    duration        bigint  NOT NULL,
    invited         integer NOT NULL,
    invite_success  integer NOT NULL,
    hold            bigint  NOT NULL,
    handle          bigint  NOT NULL
);
CREATE INDEX report_session_facts_at ON report_session_facts (at);

-- One row per agent who served a session; n keeps the derived order.
CREATE TABLE report_agent_facts (
    session_id      bigint  NOT NULL,
    n               integer NOT NULL,
    agent_id        bigint  NOT NULL,
    group_id        bigint  NOT NULL,
    channel         text    NOT NULL,
    entry           text    NOT NULL,
    at              bigint  NOT NULL,
    pick_ups        integer NOT NULL,
    accessed_first  integer NOT NULL,
    transfers_in    integer NOT NULL,
    transfers_out   integer NOT NULL,
    ended           integer NOT NULL,
    duration        bigint  NOT NULL,
    valid           integer NOT NULL,
    invalid         integer NOT NULL,
    first_responses integer NOT NULL,
    first_response  bigint  NOT NULL,
    response_avgs   integer NOT NULL,
    response_avg    bigint  NOT NULL,
    invited         integer NOT NULL,
    invite_success  integer NOT NULL,
    hold            bigint  NOT NULL,
    handle          bigint  NOT NULL,
    wrap_up         bigint  NOT NULL,
    messages        integer NOT NULL,
    PRIMARY KEY (session_id, n)
);
CREATE INDEX report_agent_facts_at ON report_agent_facts (at);

-- One row per skill group that served a session.
CREATE TABLE report_group_facts (
    session_id      bigint  NOT NULL,
    n               integer NOT NULL,
    group_id        bigint  NOT NULL,
    channel         text    NOT NULL,
    entry           text    NOT NULL,
    at              bigint  NOT NULL,
    pick_ups        integer NOT NULL,
    accessed_first  integer NOT NULL,
    transfers_in    integer NOT NULL,
    transfers_out   integer NOT NULL,
    ended           integer NOT NULL,
    duration        bigint  NOT NULL,
    valid           integer NOT NULL,
    invalid         integer NOT NULL,
    first_responses integer NOT NULL,
    first_response  bigint  NOT NULL,
    response_avgs   integer NOT NULL,
    response_avg    bigint  NOT NULL,
    invited         integer NOT NULL,
    invite_success  integer NOT NULL,
    hold            bigint  NOT NULL,
    handle          bigint  NOT NULL,
    PRIMARY KEY (session_id, n)
);
CREATE INDEX report_group_facts_at ON report_group_facts (at);

-- One row per stay in a group's queue.
CREATE TABLE report_wait_facts (
    session_id  bigint  NOT NULL,
    n           integer NOT NULL,
    group_id    bigint  NOT NULL,
    channel     text    NOT NULL,
    entry       text    NOT NULL,
    at          bigint  NOT NULL,
    wait        bigint  NOT NULL,
    outcome     text    NOT NULL,
    transfer    boolean NOT NULL,
    overflow    boolean NOT NULL,
    agent_id    bigint  NOT NULL,
    PRIMARY KEY (session_id, n)
);
CREATE INDEX report_wait_facts_at ON report_wait_facts (at);
CREATE INDEX report_wait_facts_group ON report_wait_facts (group_id, at);

-- One row per counted rating and agent it counts for (agent_id 0: the
-- session's own).
CREATE TABLE report_rating_facts (
    session_id  bigint  NOT NULL,
    n           integer NOT NULL,
    agent_id    bigint  NOT NULL,
    group_id    bigint  NOT NULL,
    channel     text    NOT NULL,
    entry       text    NOT NULL,
    at          bigint  NOT NULL,
    rating      integer NOT NULL,
    solved      boolean, -- NULL: not asked
    PRIMARY KEY (session_id, n)
);
CREATE INDEX report_rating_facts_at ON report_rating_facts (at);

-- One row per transfer: the transfer report, read page by page in
-- (at, session_id, transfer_id) order.
CREATE TABLE report_transfer_facts (
    session_id      bigint  NOT NULL,
    n               integer NOT NULL,
    transfer_id     bigint  NOT NULL,
    channel         text    NOT NULL,
    entry           text    NOT NULL,
    at              bigint  NOT NULL,
    visitor         text    NOT NULL,
    kind            text    NOT NULL,
    overflow        boolean NOT NULL,
    from_agent_id   bigint  NOT NULL,
    from_agent_name text    NOT NULL,
    to_group_id     bigint  NOT NULL,
    to_group_name   text    NOT NULL,
    to_agent_id     bigint  NOT NULL,
    to_agent_name   text    NOT NULL,
    success         boolean NOT NULL,
    picked_up_at    bigint,
    queue           bigint,
    duration        bigint,
    failed_at       bigint,
    failure         bigint,
    fail_reason     text    NOT NULL,
    PRIMARY KEY (session_id, n)
);
CREATE INDEX report_transfer_facts_at ON report_transfer_facts (at, session_id, transfer_id);

-- Daily rollups: the sums of the facts counted on each UTC day. Each
-- kind of fact is rolled up by every dimension a report filters on (the
-- table without a suffix) and, smaller, without entry (_c), without
-- channel and entry (_g) or by channel alone (_ch); a query reads the
-- smallest table that holds the columns it needs. The first value counts
-- the facts; a row goes when it reaches 0. The wait rollups' counted and
-- counted_wait use the configured queue threshold
-- (report_state.queue_threshold); changing it rebuilds them. The rating
-- rollups without "session" hold the ratings counted for agents
-- (agent_id <> 0), the others the sessions' own.

CREATE TABLE report_agent_days_g (
    day             bigint NOT NULL,
    agent_id        bigint NOT NULL,
    group_id        bigint NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id)
);

CREATE TABLE report_agent_days_c (
    day             bigint NOT NULL,
    agent_id        bigint NOT NULL,
    group_id        bigint NOT NULL,
    channel         text NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel)
);

CREATE TABLE report_agent_days (
    day             bigint NOT NULL,
    agent_id        bigint NOT NULL,
    group_id        bigint NOT NULL,
    channel         text NOT NULL,
    entry           text NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel, entry)
);

CREATE TABLE report_group_days_g (
    day             bigint NOT NULL,
    group_id        bigint NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, group_id)
);

CREATE TABLE report_group_days_c (
    day             bigint NOT NULL,
    group_id        bigint NOT NULL,
    channel         text NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel)
);

CREATE TABLE report_group_days (
    day             bigint NOT NULL,
    group_id        bigint NOT NULL,
    channel         text NOT NULL,
    entry           text NOT NULL,
    sessions        bigint NOT NULL,
    pick_ups        bigint NOT NULL,
    accessed_first  bigint NOT NULL,
    transfers_in    bigint NOT NULL,
    transfers_out   bigint NOT NULL,
    ended           bigint NOT NULL,
    duration        bigint NOT NULL,
    valid           bigint NOT NULL,
    invalid         bigint NOT NULL,
    first_responses bigint NOT NULL,
    first_response  bigint NOT NULL,
    response_avgs   bigint NOT NULL,
    response_avg    bigint NOT NULL,
    invited         bigint NOT NULL,
    invite_success  bigint NOT NULL,
    hold            bigint NOT NULL,
    handle          bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
);

CREATE TABLE report_wait_days_ch (
    day          bigint NOT NULL,
    channel      text NOT NULL,
    outcome      text NOT NULL,
    transfer     boolean NOT NULL,
    waits        bigint NOT NULL,
    wait         bigint NOT NULL,
    counted      bigint NOT NULL,
    counted_wait bigint NOT NULL,
    PRIMARY KEY (day, channel, outcome, transfer)
);

CREATE TABLE report_wait_days_g (
    day          bigint NOT NULL,
    group_id     bigint NOT NULL,
    outcome      text NOT NULL,
    transfer     boolean NOT NULL,
    waits        bigint NOT NULL,
    wait         bigint NOT NULL,
    counted      bigint NOT NULL,
    counted_wait bigint NOT NULL,
    PRIMARY KEY (day, group_id, outcome, transfer)
);

CREATE TABLE report_wait_days_c (
    day          bigint NOT NULL,
    group_id     bigint NOT NULL,
    channel      text NOT NULL,
    outcome      text NOT NULL,
    transfer     boolean NOT NULL,
    waits        bigint NOT NULL,
    wait         bigint NOT NULL,
    counted      bigint NOT NULL,
    counted_wait bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel, outcome, transfer)
);

CREATE TABLE report_wait_days (
    day          bigint NOT NULL,
    group_id     bigint NOT NULL,
    channel      text NOT NULL,
    entry        text NOT NULL,
    outcome      text NOT NULL,
    transfer     boolean NOT NULL,
    waits        bigint NOT NULL,
    wait         bigint NOT NULL,
    counted      bigint NOT NULL,
    counted_wait bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry, outcome, transfer)
);

CREATE TABLE report_session_days_ch (
    day            bigint NOT NULL,
    channel        text NOT NULL,
    sessions       bigint NOT NULL,
    picked_up      bigint NOT NULL,
    ended          bigint NOT NULL,
    duration       bigint NOT NULL,
    invited        bigint NOT NULL,
    invite_success bigint NOT NULL,
    hold           bigint NOT NULL,
    handle         bigint NOT NULL,
    PRIMARY KEY (day, channel)
);

CREATE TABLE report_session_days (
    day            bigint NOT NULL,
    group_id       bigint NOT NULL,
    channel        text NOT NULL,
    entry          text NOT NULL,
    sessions       bigint NOT NULL,
    picked_up      bigint NOT NULL,
    ended          bigint NOT NULL,
    duration       bigint NOT NULL,
    invited        bigint NOT NULL,
    invite_success bigint NOT NULL,
    hold           bigint NOT NULL,
    handle         bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
);

CREATE TABLE report_rating_days_g (
    day        bigint NOT NULL,
    agent_id   bigint NOT NULL,
    group_id   bigint NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id)
);

CREATE TABLE report_rating_days_c (
    day        bigint NOT NULL,
    agent_id   bigint NOT NULL,
    group_id   bigint NOT NULL,
    channel    text NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel)
);

CREATE TABLE report_rating_days (
    day        bigint NOT NULL,
    agent_id   bigint NOT NULL,
    group_id   bigint NOT NULL,
    channel    text NOT NULL,
    entry      text NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, agent_id, group_id, channel, entry)
);

CREATE TABLE report_session_rating_days_ch (
    day        bigint NOT NULL,
    channel    text NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, channel)
);

CREATE TABLE report_session_rating_days_g (
    day        bigint NOT NULL,
    group_id   bigint NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, group_id)
);

CREATE TABLE report_session_rating_days (
    day        bigint NOT NULL,
    group_id   bigint NOT NULL,
    channel    text NOT NULL,
    entry      text NOT NULL,
    ratings    bigint NOT NULL,
    rating_sum bigint NOT NULL,
    PRIMARY KEY (day, group_id, channel, entry)
);

-- The newest event whose session's facts are stored, and the queue
-- threshold of the wait rollups (milliseconds; a wait counts when longer).
-- Writers of facts lock this row first (SELECT ... FOR UPDATE), so that
-- they take turns whichever node they run on.
CREATE TABLE report_state (
    id              integer PRIMARY KEY CHECK (id = 1),
    checkpoint      bigint  NOT NULL,
    queue_threshold bigint  NOT NULL
);
INSERT INTO report_state (id, checkpoint, queue_threshold) VALUES (1, 0, 60000);
