package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
)

// ForEachLog calls fn with every session's whole log, by ascending session
// ID. It reads in pages, so the store may be large.
func (db *DB) ForEachLog(ctx context.Context, fn func(sessionID int64, events []sb.Event) error) error {
	var after int64
	var cur []sb.Event
	for {
		page, err := db.queryEvents(ctx, `SELECT id, session_id, seq, type, v, time, actor, data FROM events
			WHERE session_id > ? OR (session_id = ? AND seq > ?) ORDER BY session_id, seq LIMIT 5000`,
			after, after, lastSeq(cur))
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
			after = e.SessionID
		}
		if len(page) < 5000 {
			if len(cur) > 0 {
				return fn(cur[0].SessionID, cur)
			}
			return nil
		}
	}
}

func lastSeq(events []sb.Event) int64 {
	if len(events) == 0 {
		return 1<<63 - 1 // no partial session pending: skip to the next session
	}
	return events[len(events)-1].Seq
}

// ReplaceProjection overwrites the stored projection of a session, for
// rebuilding projections from the log. It does not touch the log.
func (db *DB) ReplaceProjection(ctx context.Context, s *sb.Session) (err error) {
	defer db.classify(&err)
	state, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("replace projection %d: %w", s.ID, err)
	}
	var agentID, queueID int64
	if s.Agent != nil {
		agentID = s.Agent.ID
	}
	if s.Queue != nil {
		queueID = s.Queue.ID
	}
	res, err := db.write.ExecContext(ctx, `UPDATE sessions SET status = ?, seq = ?, agent_id = ?, queue_id = ?, updated_at = ?, ended_at = ?, state = ?, state_seq = NULL, channel = ? WHERE id = ?`,
		int(s.Status), s.Seq, nullID(agentID), nullID(queueID), ms(s.UpdatedAt), nullMS(s.EndedAt), state, string(s.Channel), s.ID)
	if err != nil {
		return fmt.Errorf("replace projection %d: %w", s.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("replace projection %d: no such session row", s.ID)
	}
	for _, h := range s.Handles {
		if _, err := db.write.ExecContext(ctx, `INSERT OR IGNORE INTO session_agents (agent_id, session_id) VALUES (?, ?)`, h.Agent.ID, s.ID); err != nil {
			return fmt.Errorf("replace projection %d: %w", s.ID, err)
		}
	}
	return nil
}

// StoredProjection returns the JSON projection of a session as stored: the
// raw state when it is current, else the state with the events after it
// folded in (projection.go), encoded again.
func (db *DB) StoredProjection(ctx context.Context, id int64) ([]byte, error) {
	var r storedState
	if err := r.scan(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)); err != nil {
		return nil, fmt.Errorf("projection %d: %w", id, err)
	}
	if !r.stateSeq.Valid {
		return r.state, nil
	}
	s, err := db.project(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("projection %d: %w", id, err)
	}
	return json.Marshal(s)
}

// CountSessions returns the number of sessions.
func (db *DB) CountSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n)
	return n, err
}
