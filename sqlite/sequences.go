package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// sessionSequence names the session IDs' row in id_sequences.
const sessionSequence = "session"

func configSequence(kind string) string { return "config:" + kind }

// ReserveSessionIDs implements sb.EventStore: one write advances the
// session sequence by n, so that IDs handed out to any writer of this file,
// before or after a restart, never repeat.
func (db *DB) ReserveSessionIDs(ctx context.Context, n int) (_ int64, err error) {
	defer db.classify(&err)
	if n <= 0 {
		return 0, fmt.Errorf("reserve session ids: n must be positive, not %d", n)
	}
	var last int64
	err = db.stmts["reserveSessionIDs"].QueryRowContext(ctx, sessionSequence, n, n).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("reserve session ids: %w", err)
	}
	return last - int64(n) + 1, nil
}

// NextConfigID implements sb.ConfigStore.
func (db *DB) NextConfigID(ctx context.Context, kind string) (_ int64, err error) {
	defer db.classify(&err)
	var id int64
	err = db.write.QueryRowContext(ctx, `INSERT INTO id_sequences (name, last) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET last = last + 1 RETURNING last`, configSequence(kind)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("next %s id: %w", kind, err)
	}
	return id, nil
}

// advanceSequence raises a sequence to at least id, inside tx: a record
// stored with an ID the sequence did not hand out (a bulk load) is never
// given its ID again.
func advanceSequence(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, name string, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO id_sequences (name, last) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET last = MAX(last, excluded.last)`, name, id)
	return err
}
