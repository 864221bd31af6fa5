-- The readiness check's write probe: /readyz updates row 1 to show that the
-- store takes writes; after a write failed for lack of room it also writes
-- and frees a larger row, to show there is room again.
CREATE TABLE write_probe (
    id   INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL,
    pad  BLOB
);
INSERT INTO write_probe (id, at) VALUES (1, 0);
