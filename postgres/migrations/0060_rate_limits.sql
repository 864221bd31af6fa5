-- The rate-limit counters every node shares (postgres/ratelimit.go): one
-- row per key ('login-ip:203.0.113.7', 'chat-visitor:3:…'; bytes, since
-- keys hold what clients send, NULs and all), counting hits
-- in the fixed window [start_us, end_us), microseconds since the epoch by
-- the nodes' clocks. A window whose end has passed is over and is
-- deleted by the nodes' next writes (at most once a minute per node).
-- Not leader state: any node writes here, without the fence.
CREATE TABLE rate_limits (
	key bytea PRIMARY KEY,
	start_us bigint NOT NULL,
	end_us bigint NOT NULL,
	hits integer NOT NULL
);
CREATE INDEX rate_limits_end ON rate_limits (end_us);
