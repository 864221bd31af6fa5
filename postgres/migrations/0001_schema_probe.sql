-- The row CheckWrite updates to learn whether the database takes writes.
CREATE TABLE write_probe (
	id integer PRIMARY KEY,
	at bigint NOT NULL
);
INSERT INTO write_probe (id, at) VALUES (1, 0);
