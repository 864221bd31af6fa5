package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

const outboxColumns = `id, kind, session_id, key, payload, state, attempts, created_at, next_attempt_at, delivered_at, last_error`

func scanOutbox(row pgx.CollectableRow) (sb.OutboxItem, error) {
	var o sb.OutboxItem
	var created, next int64
	var delivered *int64
	err := row.Scan(&o.ID, &o.Kind, &o.SessionID, &o.Key, &o.Payload, &o.State, &o.Attempts, &created, &next, &delivered, &o.LastError)
	if err != nil {
		return o, err
	}
	o.CreatedAt, o.NextAttemptAt, o.DeliveredAt = fromMS(created), fromMS(next), fromNullMS(delivered)
	return o, nil
}

func (db *DB) queryOutbox(ctx context.Context, q string, args ...any) ([]sb.OutboxItem, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanOutbox)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// PendingOutbox implements sb.EventStore.
func (db *DB) PendingOutbox(ctx context.Context, t time.Time, limit int) (_ []sb.OutboxItem, err error) {
	defer classify(&err)
	return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = $1 AND next_attempt_at <= $2
		ORDER BY next_attempt_at, id LIMIT $3`, sb.OutboxPending, ms(t), clampLimit(limit))
}

// NextOutboxAttempt implements sb.EventStore.
func (db *DB) NextOutboxAttempt(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer classify(&err)
	var next *int64
	err = db.pool.QueryRow(ctx, `SELECT MIN(next_attempt_at) FROM outbox WHERE state = $1`, sb.OutboxPending).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next outbox attempt: %w", err)
	}
	if next == nil {
		return time.Time{}, false, nil
	}
	return fromMS(*next), true, nil
}

// UpdateOutbox implements sb.EventStore.
func (db *DB) UpdateOutbox(ctx context.Context, o sb.OutboxItem) (err error) {
	defer classify(&err)
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET state = $1, attempts = $2, next_attempt_at = $3, delivered_at = $4, last_error = $5
		WHERE id = $6`, o.State, o.Attempts, ms(o.NextAttemptAt), nullMS(o.DeliveredAt), o.LastError, o.ID)
	if err != nil {
		return fmt.Errorf("update outbox %d: %w", o.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return sb.Errorf(sb.ENOTFOUND, "delivery %d not found", o.ID)
	}
	return nil
}

// Outbox implements sb.EventStore.
func (db *DB) Outbox(ctx context.Context, state string, limit int) (_ []sb.OutboxItem, err error) {
	defer classify(&err)
	if state == "" {
		return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id DESC LIMIT $1`, clampLimit(limit))
	}
	return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = $1 ORDER BY id DESC LIMIT $2`, state, clampLimit(limit))
}

// OutboxItem implements sb.EventStore.
func (db *DB) OutboxItem(ctx context.Context, id int64) (_ sb.OutboxItem, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id)
	if err != nil {
		return sb.OutboxItem{}, fmt.Errorf("outbox item %d: %w", id, err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, scanOutbox)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, sb.Errorf(sb.ENOTFOUND, "delivery %d not found", id)
	}
	if err != nil {
		return o, fmt.Errorf("outbox item %d: %w", id, err)
	}
	return o, nil
}
