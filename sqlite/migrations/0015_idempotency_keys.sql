-- Commands sent with an Idempotency-Key: what they answered, so that the
-- same command sent again is answered the same instead of running twice.
CREATE TABLE idempotency_keys (
	key TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	session_id INTEGER NOT NULL,
	from_seq INTEGER NOT NULL,
	to_seq INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
