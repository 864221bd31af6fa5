-- A chat message changes little of its session's projection, yet writing
-- the projection again was most of a message's cost to the store. A commit
-- that only adds messages may now leave state behind the log: state_seq is
-- then the version state holds, and readers fold the events after it
-- (projection.go). NULL: state is the projection at seq.
ALTER TABLE sessions ADD COLUMN state_seq INTEGER;
