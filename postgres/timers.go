package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

func scanTimer(row pgx.CollectableRow) (sb.Timer, error) {
	var tm sb.Timer
	var due int64
	var data []byte
	if err := row.Scan(&tm.SessionID, &tm.Kind, &due, &data); err != nil {
		return tm, err
	}
	tm.DueAt, tm.Data = fromMS(due), data
	return tm, nil
}

// DueTimers implements sb.EventStore.
func (db *DB) DueTimers(ctx context.Context, t time.Time, limit int) (_ []sb.Timer, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT session_id, kind, due_at, data FROM timers
		WHERE due_at <= $1 ORDER BY due_at, session_id, kind LIMIT $2`, ms(t), clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("due timers: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanTimer)
	if err != nil {
		return nil, fmt.Errorf("due timers: %w", err)
	}
	return out, nil
}

// NextTimer implements sb.EventStore.
func (db *DB) NextTimer(ctx context.Context) (_ sb.Timer, _ bool, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT session_id, kind, due_at, data FROM timers
		ORDER BY due_at, session_id, kind LIMIT 1`)
	if err != nil {
		return sb.Timer{}, false, fmt.Errorf("next timer: %w", err)
	}
	tm, err := pgx.CollectExactlyOneRow(rows, scanTimer)
	if errors.Is(err, pgx.ErrNoRows) {
		return sb.Timer{}, false, nil
	}
	if err != nil {
		return sb.Timer{}, false, fmt.Errorf("next timer: %w", err)
	}
	return tm, true, nil
}
