package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// logPage is how many events ForEachLog reads per query.
const logPage = 5000

// ForEachLog calls fn with every session's log, in session order, reading
// the events a page at a time (app.Verify, switchboard migrate).
func (db *DB) ForEachLog(ctx context.Context, fn func(sessionID int64, events []sb.Event) error) (err error) {
	defer classify(&err)
	var session, seq int64
	var cur []sb.Event
	for {
		page, err := db.queryEvents(ctx, `SELECT id, session_id, seq, type, v, time, actor, data FROM events
			WHERE (session_id, seq) > ($1, $2) ORDER BY session_id, seq LIMIT $3`, session, seq, logPage)
		if err != nil {
			return err
		}
		for _, e := range page {
			if len(cur) > 0 && cur[0].SessionID != e.SessionID {
				if err := fn(cur[0].SessionID, cur); err != nil {
					return err
				}
				cur = nil
			}
			cur = append(cur, e)
			session, seq = e.SessionID, e.Seq
		}
		if len(page) < logPage {
			if len(cur) > 0 {
				return fn(cur[0].SessionID, cur)
			}
			return nil
		}
	}
}

// StoredProjection returns a session's projection as stored: the JSON
// Commit wrote.
func (db *DB) StoredProjection(ctx context.Context, id int64) (_ []byte, err error) {
	defer classify(&err)
	var state []byte
	err = db.pool.QueryRow(ctx, `SELECT state FROM sessions WHERE id = $1`, id).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "session %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("projection %d: %w", id, err)
	}
	return state, nil
}

// ReplaceProjection rewrites a session's row from s, a projection folded
// from its log (app.Verify with fix), whatever version the row holds, and
// records every agent who handled it.
func (db *DB) ReplaceProjection(ctx context.Context, s *sb.Session) (err error) {
	defer classify(&err)
	var p commitPlan
	if err := p.addSession(s, s.Seq); err != nil { // a row to update; its expected version is not checked
		return err
	}
	r := &p.updates
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := db.checkFence(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE sessions SET status = $2, seq = $3, agent_id = NULLIF($4, 0),
			queue_id = NULLIF($5, 0), updated_at = $6, ended_at = $7, tags = $8::bigint[], state = $9 WHERE id = $1`,
			s.ID, r.status[0], r.seq[0], r.agent[0], r.queue[0], r.updated[0], r.ended[0], r.tags[0], r.state[0])
		if err != nil {
			return fmt.Errorf("replace projection %d: %w", s.ID, err)
		}
		if tag.RowsAffected() != 1 {
			return sb.Errorf(sb.ENOTFOUND, "replace projection %d: no such session row", s.ID)
		}
		var agents []int64
		for _, h := range s.Handles {
			agents = append(agents, h.Agent.ID)
		}
		if len(agents) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO session_agents (agent_id, session_id)
				SELECT a, $2 FROM unnest($1::bigint[]) AS a ON CONFLICT DO NOTHING`, agents, s.ID); err != nil {
				return fmt.Errorf("replace projection %d: %w", s.ID, err)
			}
		}
		return nil
	})
}

// CountSessions returns the number of sessions.
func (db *DB) CountSessions(ctx context.Context) (_ int64, err error) {
	defer classify(&err)
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM sessions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sessions: %w", err)
	}
	return n, nil
}

// SchemaVersion is the number of the last migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (_ int, err error) {
	defer classify(&err)
	var v int
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}
