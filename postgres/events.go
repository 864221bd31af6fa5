package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

const eventColumns = `id, session_id, seq, type, v, time, actor, data`

// LastEventID implements sb.EventStore.
func (db *DB) LastEventID(ctx context.Context) (_ int64, err error) {
	defer classify(&err)
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last event id: %w", err)
	}
	return id, nil
}

// SessionEvents implements sb.EventStore.
func (db *DB) SessionEvents(ctx context.Context, sessionID, afterSeq int64, limit int) (_ []sb.Event, err error) {
	defer classify(&err)
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM events
		WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, sessionID, afterSeq, clampLimit(limit))
}

// SessionsEvents implements sb.EventStore: one range read of the
// (session_id, seq) index serves a whole batch of sessions.
func (db *DB) SessionsEvents(ctx context.Context, fromID, toID int64) (_ []sb.Event, err error) {
	defer classify(&err)
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM events
		WHERE session_id BETWEEN $1 AND $2 ORDER BY session_id, seq`, fromID, toID)
}

// Events implements sb.EventStore. Event IDs are taken in commit order
// (see Commit), so a reader that resumes after the last ID it read never
// skips an event committed after its read.
func (db *DB) Events(ctx context.Context, afterID int64, limit int) (_ []sb.Event, err error) {
	defer classify(&err)
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM events
		WHERE id > $1 ORDER BY id LIMIT $2`, afterID, clampLimit(limit))
}

func clampLimit(n int) int {
	if n <= 0 || n > 10000 {
		return 10000
	}
	return n
}

func (db *DB) queryEvents(ctx context.Context, q string, args ...any) ([]sb.Event, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (sb.Event, error) {
		var e sb.Event
		var t int64
		var actor, data []byte
		if err := row.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Type, &e.Version, &t, &actor, &data); err != nil {
			return e, err
		}
		e.Time, e.Data = fromMS(t), data
		if err := json.Unmarshal(actor, &e.Actor); err != nil {
			return e, fmt.Errorf("decode actor: %w", err)
		}
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}
