-- Timers are read in (due_at, session_id, kind) order; an index on due_at
-- alone made the earliest-timer query sort every pending timer.
DROP INDEX timers_due;
CREATE INDEX timers_due ON timers (due_at, session_id, kind);
