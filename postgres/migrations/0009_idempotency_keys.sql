-- Commands sent with an Idempotency-Key: what they answered, so that the
-- same command sent again is answered the same instead of running twice.
CREATE TABLE idempotency_keys (
	key text PRIMARY KEY,
	fingerprint text NOT NULL,
	session_id bigint NOT NULL,
	from_seq bigint NOT NULL,
	to_seq bigint NOT NULL,
	created_at bigint NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
