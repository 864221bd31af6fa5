package postgres

import (
	"context"
	"fmt"
)

// sessionSequence names the session IDs' row in id_sequences.
const sessionSequence = "session"

func configSequence(kind string) string { return "config:" + kind }

// advanceSequenceSQL raises a sequence to at least $2: a record stored with
// an ID the sequence did not hand out (a bulk load) is never given its ID
// again. It takes the sequence's row lock until the transaction ends.
const advanceSequenceSQL = `INSERT INTO id_sequences (name, last) VALUES ($1, $2)
	ON CONFLICT (name) DO UPDATE SET last = GREATEST(id_sequences.last, excluded.last)`

// takeSequenceSQL advances a sequence by $2 and returns its new last ID.
// The row lock serialises the writers of every node: each gets IDs no
// other got, and a commit that stores a larger ID (advanceSequenceSQL)
// waits for it or is waited for.
const takeSequenceSQL = `INSERT INTO id_sequences (name, last) VALUES ($1, $2)
	ON CONFLICT (name) DO UPDATE SET last = id_sequences.last + excluded.last RETURNING last`

// ReserveSessionIDs implements sb.EventStore: one update advances the
// session sequence by n, so that IDs handed out to any writer of the
// database, before or after a restart, never repeat. Commit raises the
// sequence to the largest session ID it stores, in its transaction, so
// the IDs handed out are larger than any committed session's.
func (db *DB) ReserveSessionIDs(ctx context.Context, n int) (_ int64, err error) {
	defer classify(&err)
	if n <= 0 {
		return 0, fmt.Errorf("reserve session ids: n must be positive, not %d", n)
	}
	var last int64
	if err := db.pool.QueryRow(ctx, takeSequenceSQL, sessionSequence, int64(n)).Scan(&last); err != nil {
		return 0, fmt.Errorf("reserve session ids: %w", err)
	}
	return last - int64(n) + 1, nil
}

// NextConfigID implements sb.ConfigStore. PutConfig raises the kind's
// sequence to the ID it stores, and deleting a document leaves it.
func (db *DB) NextConfigID(ctx context.Context, kind string) (_ int64, err error) {
	defer classify(&err)
	var id int64
	if err := db.pool.QueryRow(ctx, takeSequenceSQL, configSequence(kind), int64(1)).Scan(&id); err != nil {
		return 0, fmt.Errorf("next %s id: %w", kind, err)
	}
	return id, nil
}
