-- People who log in to the desk and the console. E-mails are stored in
-- lower case and unique regardless of ASCII case.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    agent_id      INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL, -- unix milliseconds
    updated_at    INTEGER NOT NULL
);

-- Browser logins. They live apart from the API tokens: a login belongs to
-- a user, expires, carries a CSRF token and is swept once over, while a
-- token is a long-lived credential an administrator hands out and lists.
CREATE TABLE logins (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash        BLOB    NOT NULL UNIQUE, -- SHA-256 of the cookie secret
    csrf_token  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX logins_user ON logins (user_id);
CREATE INDEX logins_expiry ON logins (expires_at);

-- Keys the server signs with (visitor tokens), generated once.
CREATE TABLE server_keys (
    name        TEXT    PRIMARY KEY,
    key         BLOB    NOT NULL
);

-- Visitors list their own sessions: the end user's identifier at creation.
ALTER TABLE sessions ADD COLUMN end_user TEXT;
UPDATE sessions SET end_user = json_extract(CAST(state AS TEXT), '$.end_user.identifier');
CREATE INDEX sessions_end_user ON sessions (end_user, id) WHERE end_user IS NOT NULL;
