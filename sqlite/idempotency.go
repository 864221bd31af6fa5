package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Idempotency implements sb.EventStore.
func (db *DB) Idempotency(ctx context.Context, key string) (sb.IdempotencyRecord, error) {
	r := sb.IdempotencyRecord{Key: key}
	var created int64
	err := db.read.QueryRowContext(ctx, `SELECT fingerprint, session_id, from_seq, to_seq, created_at FROM idempotency_keys WHERE key = ?`, key).
		Scan(&r.Fingerprint, &r.SessionID, &r.FromSeq, &r.ToSeq, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, sb.Errorf(sb.ENOTFOUND, "no command has idempotency key %q", key)
	}
	if err != nil {
		return r, fmt.Errorf("idempotency key: %w", err)
	}
	r.CreatedAt = fromMS(created)
	return r, nil
}

// PruneIdempotency implements sb.EventStore.
func (db *DB) PruneIdempotency(ctx context.Context, before time.Time) (n int64, err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

// recordIdempotency writes a change's idempotency record in its commit.
func recordIdempotency(ctx context.Context, st func(string) *sql.Stmt, r *sb.IdempotencyRecord) error {
	if r == nil {
		return nil
	}
	_, err := st("insertIdempotency").ExecContext(ctx, r.Key, r.Fingerprint, r.SessionID, r.FromSeq, r.ToSeq, ms(r.CreatedAt))
	if isConstraint(err) {
		return sb.Errorf(sb.EPRECONDITION, "idempotency key %q is recorded already", r.Key)
	}
	if err != nil {
		return fmt.Errorf("commit: idempotency key: %w", err)
	}
	return nil
}
