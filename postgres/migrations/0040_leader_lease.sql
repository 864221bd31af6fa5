-- The cluster's leases: one row per name ("leader"), held by one node at a
-- time until expires_at (ms since the epoch, by the holder's clock), with
-- an epoch that grows with every acquisition. The holder's commits check
-- the epoch in their transaction, so a node that lost the lease cannot
-- write.
CREATE TABLE leases (
	name text PRIMARY KEY,
	holder text NOT NULL,
	address text NOT NULL,
	epoch bigint NOT NULL,
	acquired_at bigint NOT NULL,
	expires_at bigint NOT NULL
);
