-- ID sequences: the store hands out session and configuration IDs, so that
-- no two writers pick the same one and the ID of a deleted document is never
-- given again. last is the largest ID handed out or stored; configuration
-- kinds are named 'config:<kind>'.
CREATE TABLE id_sequences (
    name  TEXT    PRIMARY KEY,
    last  INTEGER NOT NULL
);
INSERT INTO id_sequences (name, last) SELECT 'session', COALESCE(MAX(id), 0) FROM sessions;
INSERT INTO id_sequences (name, last) SELECT 'config:' || kind, MAX(id) FROM config GROUP BY kind;
