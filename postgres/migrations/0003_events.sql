-- Events: the append-only log, the truth. id is the global position,
-- taken from event_position in the committing transaction (see Commit):
-- not a sequence default, whose values are handed out in the order
-- transactions ask, not the order they commit. data and actor are kept
-- byte for byte as given (bytea): data received from outside stays
-- verbatim even when it is not valid JSON. text is the text of a chat
-- message (type message_sent), NULL for other events and messages
-- without text; the history search reads it.
CREATE TABLE events (
    id          bigint  PRIMARY KEY,
    session_id  bigint  NOT NULL,
    seq         bigint  NOT NULL,
    type        text    NOT NULL,
    v           integer NOT NULL,
    time        bigint  NOT NULL, -- unix milliseconds
    actor       bytea   NOT NULL,
    data        bytea   NOT NULL,
    text        text,
    UNIQUE (session_id, seq)
);

-- The last event ID handed out by a committed transaction. A commit
-- advances it by the number of its events; the row lock that takes stays
-- until the transaction ends, so committers take their IDs one after the
-- other, each after the one before has committed.
CREATE TABLE event_position (
    id    integer PRIMARY KEY CHECK (id = 1),
    last  bigint  NOT NULL
);
INSERT INTO event_position (id, last) VALUES (1, 0);

-- ID sequences: the store hands out session and configuration IDs, so that
-- no two writers pick the same one and the ID of a deleted document is
-- never given again. last is the largest ID handed out or stored;
-- configuration kinds are named 'config:<kind>'.
CREATE TABLE id_sequences (
    name  text   PRIMARY KEY,
    last  bigint NOT NULL
);
INSERT INTO id_sequences (name, last) VALUES ('session', 0);
