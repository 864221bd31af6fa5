package sqlite

import (
	"context"

	sb "github.com/switchboardhq/switchboard"
)

// SessionsEvents implements sb.EventStore: one indexed range read of
// UNIQUE(session_id, seq) serves a whole batch of sessions.
func (db *DB) SessionsEvents(ctx context.Context, fromID, toID int64) ([]sb.Event, error) {
	return db.queryEvents(ctx, `SELECT id, session_id, seq, type, v, time, actor, data FROM events
		WHERE session_id BETWEEN ? AND ? ORDER BY session_id, seq`, fromID, toID)
}
