-- Routing rebuilds its queues from the sessions that have not ended.
CREATE INDEX sessions_live ON sessions (id) WHERE ended_at IS NULL;
