package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// A session's row holds its projection as JSON (state). A commit whose
// events are all chat messages (tailEvent) does not write it again, unless
// the session has ended or its version crosses a multiple of
// projectionEvery: the row's other columns move on, state_seq keeps the
// version state holds, and every read folds the events after it
// (lifecycle.Apply). The tail is therefore shorter than projectionEvery
// plus one batch's messages, and what a read returns is exactly the
// projection the commit would have written: the projection is the fold of
// the log, which verify checks. Messages are what a chat sends most; the
// tags, status, agent and queue that the row's columns and filters read
// are changed by other events, which always write the projection.

// projectionEvery bounds the events a read folds.
const projectionEvery = 32

// tailEvent says whether an event of this type may be left for readers to
// fold.
func tailEvent(typ sb.EventType) bool { return typ == textEvent }

// onlyMessages says whether every event is of a type readers may fold.
func onlyMessages(events []sb.Event) bool {
	for i := range events {
		if !tailEvent(events[i].Type) {
			return false
		}
	}
	return true
}

// leavesTail says whether the row write of a session's last change in a
// batch, whose events are all messages, may leave state behind: expected
// is the version stored before the batch.
func leavesTail(s *sb.Session, expected int64) bool {
	return expected != 0 && !s.Status.Terminal() && expected/projectionEvery == s.Seq/projectionEvery
}

// storedState is a session row as read: state holds version stateSeq
// when valid (else the row's own version).
type storedState struct {
	id       int64
	state    []byte
	stateSeq sql.NullInt64
}

// sessionColumns are the columns storedState scans, in its order.
const sessionColumns = `id, state, state_seq`

func (r *storedState) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.state, &r.stateSeq)
}

// project decodes a stored row into its session, folding the events after
// the version its state holds.
func (db *DB) project(ctx context.Context, r storedState) (*sb.Session, error) {
	s := new(sb.Session)
	if err := json.Unmarshal(r.state, s); err != nil {
		return nil, fmt.Errorf("session %d: decode: %w", r.id, err)
	}
	if !r.stateSeq.Valid {
		return s, nil
	}
	events, err := db.preparedEvents(ctx, db.reads["sessionEvents"], r.id, r.stateSeq.Int64, 10000)
	if err != nil {
		return nil, fmt.Errorf("session %d: %w", r.id, err)
	}
	for _, e := range events {
		if e.Seq != s.Seq+1 {
			return nil, fmt.Errorf("session %d: event %d follows the stored version %d", r.id, e.Seq, s.Seq)
		}
		if err := lifecycle.Apply(s, e); err != nil {
			return nil, fmt.Errorf("session %d: %w", r.id, err)
		}
	}
	return s, nil
}

// projectAll is project for the rows of a query, read whole before any
// tail is: the read pool may be a single connection.
func (db *DB) projectAll(ctx context.Context, rows *sql.Rows) ([]*sb.Session, error) {
	var stored []storedState
	for rows.Next() {
		var r storedState
		if err := r.scan(rows); err != nil {
			rows.Close()
			return nil, err
		}
		stored = append(stored, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	out := make([]*sb.Session, 0, len(stored))
	for _, r := range stored {
		s, err := db.project(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
