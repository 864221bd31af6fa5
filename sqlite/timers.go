package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// DueTimers implements sb.EventStore.
func (db *DB) DueTimers(ctx context.Context, t time.Time, limit int) ([]sb.Timer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT session_id, kind, due_at, data FROM timers
		WHERE due_at <= ? ORDER BY due_at, session_id, kind LIMIT ?`, ms(t), clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("due timers: %w", err)
	}
	defer rows.Close()
	var out []sb.Timer
	for rows.Next() {
		var tm sb.Timer
		var due int64
		var data []byte
		if err := rows.Scan(&tm.SessionID, &tm.Kind, &due, &data); err != nil {
			return nil, fmt.Errorf("due timers: %w", err)
		}
		tm.DueAt, tm.Data = fromMS(due), data
		out = append(out, tm)
	}
	return out, rows.Err()
}

// NextTimer implements sb.EventStore.
func (db *DB) NextTimer(ctx context.Context) (sb.Timer, bool, error) {
	var tm sb.Timer
	var due int64
	var data []byte
	err := db.read.QueryRowContext(ctx, `SELECT session_id, kind, due_at, data FROM timers
		ORDER BY due_at, session_id, kind LIMIT 1`).Scan(&tm.SessionID, &tm.Kind, &due, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return sb.Timer{}, false, nil
	}
	if err != nil {
		return sb.Timer{}, false, fmt.Errorf("next timer: %w", err)
	}
	tm.DueAt, tm.Data = fromMS(due), data
	return tm, true, nil
}

const outboxColumns = `id, kind, session_id, key, payload, state, attempts, created_at, next_attempt_at, delivered_at, last_error`

func scanOutbox(row interface{ Scan(...any) error }) (sb.OutboxItem, error) {
	var o sb.OutboxItem
	var created, next int64
	var delivered sql.NullInt64
	err := row.Scan(&o.ID, &o.Kind, &o.SessionID, &o.Key, &o.Payload, &o.State, &o.Attempts, &created, &next, &delivered, &o.LastError)
	if err != nil {
		return o, err
	}
	o.CreatedAt, o.NextAttemptAt = fromMS(created), fromMS(next)
	if delivered.Valid {
		t := fromMS(delivered.Int64)
		o.DeliveredAt = &t
	}
	return o, nil
}

func (db *DB) queryOutbox(ctx context.Context, q string, args ...any) ([]sb.OutboxItem, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []sb.OutboxItem
	for rows.Next() {
		o, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PendingOutbox implements sb.EventStore.
func (db *DB) PendingOutbox(ctx context.Context, t time.Time, limit int) ([]sb.OutboxItem, error) {
	return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = ? AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, sb.OutboxPending, ms(t), clampLimit(limit))
}

// NextOutboxAttempt implements sb.EventStore.
func (db *DB) NextOutboxAttempt(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MIN(next_attempt_at) FROM outbox WHERE state = ?`, sb.OutboxPending).Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next outbox attempt: %w", err)
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(next.Int64), true, nil
}

// UpdateOutbox implements sb.EventStore.
func (db *DB) UpdateOutbox(ctx context.Context, o sb.OutboxItem) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, delivered_at = ?, last_error = ?
		WHERE id = ?`, o.State, o.Attempts, ms(o.NextAttemptAt), nullMS(o.DeliveredAt), o.LastError, o.ID)
	if err != nil {
		return fmt.Errorf("update outbox %d: %w", o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sb.Errorf(sb.ENOTFOUND, "delivery %d not found", o.ID)
	}
	return nil
}

// Outbox implements sb.EventStore.
func (db *DB) Outbox(ctx context.Context, state string, limit int) ([]sb.OutboxItem, error) {
	if state == "" {
		return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id DESC LIMIT ?`, clampLimit(limit))
	}
	return db.queryOutbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?`, state, clampLimit(limit))
}

// OutboxItem implements sb.EventStore.
func (db *DB) OutboxItem(ctx context.Context, id int64) (sb.OutboxItem, error) {
	o, err := scanOutbox(db.read.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, sb.Errorf(sb.ENOTFOUND, "delivery %d not found", id)
	}
	if err != nil {
		return o, fmt.Errorf("outbox item %d: %w", id, err)
	}
	return o, nil
}
