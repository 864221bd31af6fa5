package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// txStmts is a queryer that prepares each query once per transaction:
// PutFacts reads the old facts of the sessions it replaces and does not
// remember.
type txStmts struct {
	tx    *sql.Tx
	db    *DB // when set, the statements are the store's kept ones
	stmts map[string]*sql.Stmt
}

func (s *txStmts) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	var err error
	if s.db != nil {
		st, err = s.db.txStmt(ctx, s.tx, q)
	} else {
		st, err = s.tx.PrepareContext(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = make(map[string]*sql.Stmt)
	}
	s.stmts[q] = st
	return st, nil
}

func (s *txStmts) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (s *txStmts) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, q)
	if err != nil {
		// A Row cannot carry the error: let the query fail again.
		return s.tx.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *txStmts) close() {
	for _, st := range s.stmts {
		st.Close()
	}
}

// Facts implements sb.ReportStore: the facts stored for one session.
func (db *DB) Facts(ctx context.Context, sessionID int64) (sb.SessionFacts, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT seq FROM report_sessions WHERE session_id = ?`, sessionID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return sb.SessionFacts{}, sb.Errorf(sb.ENOTFOUND, "no report facts for session %d", sessionID)
	}
	if err != nil {
		return sb.SessionFacts{}, fmt.Errorf("facts of session %d: %w", sessionID, err)
	}
	return readFacts(ctx, db.read, sessionID, seq)
}

// eachRow runs q and calls scan for every row.
func eachRow(ctx context.Context, db queryer, scan func(*sql.Rows) error, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func ptrTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func ptrInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// factReadSQL are the queries readFacts runs, in order.
var factReadSQL = []string{
	`SELECT ` + sessionFactCols + ` FROM report_session_facts WHERE session_id = ?`,
	`SELECT ` + agentFactCols + ` FROM report_agent_facts WHERE session_id = ? ORDER BY n`,
	`SELECT ` + groupFactCols + ` FROM report_group_facts WHERE session_id = ? ORDER BY n`,
	`SELECT ` + waitFactCols + ` FROM report_wait_facts WHERE session_id = ? ORDER BY n`,
	`SELECT ` + ratingFactCols + ` FROM report_rating_facts WHERE session_id = ? ORDER BY n`,
	`SELECT ` + transferFactCols + ` FROM report_transfer_facts WHERE session_id = ? ORDER BY n`,
}

// readFacts reads a session's stored facts.
func readFacts(ctx context.Context, db queryer, id, seq int64) (sb.SessionFacts, error) {
	f := sb.SessionFacts{SessionID: id, Seq: seq}
	var at int64
	s := &f.Session
	err := db.QueryRowContext(ctx, factReadSQL[0], id).Scan(
		&s.SessionID, &s.Channel, &s.Entry, &s.GroupID, &at, &s.PickedUp, &s.Ended, &s.DurationMS, &s.Invited,
		&s.InviteSuccess, &s.HoldMS, &s.HandleMS)
	if err != nil {
		return f, fmt.Errorf("facts of session %d: %w", id, err)
	}
	s.At = fromMS(at)
	var n int
	err = eachRow(ctx, db, func(r *sql.Rows) error {
		var a sb.AgentFact
		if err := r.Scan(&a.SessionID, &n, &a.AgentID, &a.GroupID, &a.Channel, &a.Entry, &at, &a.PickUps, &a.AccessedFirst,
			&a.TransfersIn, &a.TransfersOut, &a.Ended, &a.DurationMS, &a.Valid, &a.Invalid, &a.FirstResponses,
			&a.FirstResponseMS, &a.ResponseAvgs, &a.ResponseAvgMS, &a.Invited, &a.InviteSuccess, &a.HoldMS, &a.HandleMS,
			&a.WrapUpMS, &a.Messages); err != nil {
			return err
		}
		a.At = fromMS(at)
		f.Agents = append(f.Agents, a)
		return nil
	}, factReadSQL[1], id)
	if err != nil {
		return f, fmt.Errorf("agent facts of session %d: %w", id, err)
	}
	err = eachRow(ctx, db, func(r *sql.Rows) error {
		var g sb.GroupFact
		if err := r.Scan(&g.SessionID, &n, &g.GroupID, &g.Channel, &g.Entry, &at, &g.PickUps, &g.AccessedFirst,
			&g.TransfersIn, &g.TransfersOut, &g.Ended, &g.DurationMS, &g.Valid, &g.Invalid, &g.FirstResponses,
			&g.FirstResponseMS, &g.ResponseAvgs, &g.ResponseAvgMS, &g.Invited, &g.InviteSuccess, &g.HoldMS, &g.HandleMS); err != nil {
			return err
		}
		g.At = fromMS(at)
		f.Groups = append(f.Groups, g)
		return nil
	}, factReadSQL[2], id)
	if err != nil {
		return f, fmt.Errorf("group facts of session %d: %w", id, err)
	}
	err = eachRow(ctx, db, func(r *sql.Rows) error {
		w, err := scanWait(r)
		f.Waits = append(f.Waits, w)
		return err
	}, factReadSQL[3], id)
	if err != nil {
		return f, fmt.Errorf("wait facts of session %d: %w", id, err)
	}
	err = eachRow(ctx, db, func(r *sql.Rows) error {
		var x sb.RatingFact
		var solved sql.NullBool
		if err := r.Scan(&x.SessionID, &n, &x.AgentID, &x.GroupID, &x.Channel, &x.Entry, &at, &x.Rating, &solved); err != nil {
			return err
		}
		x.At = fromMS(at)
		if solved.Valid {
			x.Solved = &solved.Bool
		}
		f.Ratings = append(f.Ratings, x)
		return nil
	}, factReadSQL[4], id)
	if err != nil {
		return f, fmt.Errorf("rating facts of session %d: %w", id, err)
	}
	err = eachRow(ctx, db, func(r *sql.Rows) error {
		t, err := scanTransfer(r)
		f.Transfers = append(f.Transfers, t)
		return err
	}, factReadSQL[5], id)
	if err != nil {
		return f, fmt.Errorf("transfer facts of session %d: %w", id, err)
	}
	return f, nil
}

func scanWait(r *sql.Rows) (sb.WaitFact, error) {
	var w sb.WaitFact
	var n int
	var at int64
	if err := r.Scan(&w.SessionID, &n, &w.GroupID, &w.Channel, &w.Entry, &at, &w.WaitMS, &w.Outcome, &w.Transfer,
		&w.Overflow, &w.AgentID); err != nil {
		return w, err
	}
	w.At = fromMS(at)
	return w, nil
}

func scanTransfer(r *sql.Rows) (sb.TransferFact, error) {
	var t sb.TransferFact
	var n int
	var at int64
	var pickedUp, queue, duration, failed, failure sql.NullInt64
	if err := r.Scan(&t.SessionID, &n, &t.TransferID, &t.Channel, &t.Entry, &at, &t.Visitor, &t.Kind, &t.Overflow,
		&t.FromAgentID, &t.FromAgentName, &t.ToGroupID, &t.ToGroupName, &t.ToAgentID, &t.ToAgentName, &t.Success,
		&pickedUp, &queue, &duration, &failed, &failure, &t.FailReason); err != nil {
		return t, err
	}
	t.At = fromMS(at)
	t.PickedUpAt, t.FailedAt = ptrTime(pickedUp), ptrTime(failed)
	t.QueueMS, t.DurationMS, t.FailureMS = ptrInt(queue), ptrInt(duration), ptrInt(failure)
	return t, nil
}
