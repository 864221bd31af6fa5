package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// Facts implements sb.ReportStore: the facts stored for one session, read
// in one snapshot.
func (db *DB) Facts(ctx context.Context, sessionID int64) (_ sb.SessionFacts, err error) {
	defer classify(&err)
	var f *sb.SessionFacts
	err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		m, err := readFacts(ctx, tx, []int64{sessionID})
		f = m[sessionID]
		return err
	})
	if err != nil {
		return sb.SessionFacts{}, fmt.Errorf("facts of session %d: %w", sessionID, err)
	}
	if f == nil {
		return sb.SessionFacts{}, errNoFacts(sessionID)
	}
	return *f, nil
}

// factReadSQL are the queries readFacts runs for the sessions in $1, in
// factTables' order.
var factReadSQL = func() []string {
	var out []string
	for i, t := range factTables {
		order := " ORDER BY session_id, n"
		if i == 0 {
			order = ""
		}
		out = append(out, `SELECT `+t.cols+` FROM `+t.name+` WHERE session_id = ANY($1)`+order)
	}
	return out
}()

// readFacts reads the stored facts of the sessions ids, those that have
// some, in tx: first which have, then, for those, the six fact tables in
// one round trip.
func readFacts(ctx context.Context, tx pgx.Tx, ids []int64) (map[int64]*sb.SessionFacts, error) {
	m := make(map[int64]*sb.SessionFacts)
	rows, err := tx.Query(ctx, `SELECT session_id, seq FROM report_sessions WHERE session_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	var found []int64
	var id, seq int64
	_, err = pgx.ForEachRow(rows, []any{&id, &seq}, func() error {
		m[id] = &sb.SessionFacts{SessionID: id, Seq: seq}
		found = append(found, id)
		return nil
	})
	if err != nil || len(found) == 0 {
		return m, err
	}
	of := func(id int64) (*sb.SessionFacts, error) {
		f := m[id]
		if f == nil {
			return nil, fmt.Errorf("report facts of session %d without its report_sessions row", id)
		}
		return f, nil
	}
	b := &pgx.Batch{}
	b.Queue(factReadSQL[0], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var s sb.SessionFact
			var at int64
			if err := rows.Scan(&s.SessionID, &s.Channel, &s.Entry, &s.GroupID, &at, &s.PickedUp, &s.Ended, &s.DurationMS,
				&s.Invited, &s.InviteSuccess, &s.HoldMS, &s.HandleMS); err != nil {
				return err
			}
			s.At = factTime(at)
			f, err := of(s.SessionID)
			if err != nil {
				return err
			}
			f.Session = s
		}
		return rows.Err()
	})
	b.Queue(factReadSQL[1], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var a sb.AgentFact
			var n int
			var at int64
			if err := rows.Scan(&a.SessionID, &n, &a.AgentID, &a.GroupID, &a.Channel, &a.Entry, &at, &a.PickUps, &a.AccessedFirst,
				&a.TransfersIn, &a.TransfersOut, &a.Ended, &a.DurationMS, &a.Valid, &a.Invalid, &a.FirstResponses,
				&a.FirstResponseMS, &a.ResponseAvgs, &a.ResponseAvgMS, &a.Invited, &a.InviteSuccess, &a.HoldMS, &a.HandleMS,
				&a.WrapUpMS, &a.Messages); err != nil {
				return err
			}
			a.At = factTime(at)
			f, err := of(a.SessionID)
			if err != nil {
				return err
			}
			f.Agents = append(f.Agents, a)
		}
		return rows.Err()
	})
	b.Queue(factReadSQL[2], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var g sb.GroupFact
			var n int
			var at int64
			if err := rows.Scan(&g.SessionID, &n, &g.GroupID, &g.Channel, &g.Entry, &at, &g.PickUps, &g.AccessedFirst,
				&g.TransfersIn, &g.TransfersOut, &g.Ended, &g.DurationMS, &g.Valid, &g.Invalid, &g.FirstResponses,
				&g.FirstResponseMS, &g.ResponseAvgs, &g.ResponseAvgMS, &g.Invited, &g.InviteSuccess, &g.HoldMS, &g.HandleMS); err != nil {
				return err
			}
			g.At = factTime(at)
			f, err := of(g.SessionID)
			if err != nil {
				return err
			}
			f.Groups = append(f.Groups, g)
		}
		return rows.Err()
	})
	b.Queue(factReadSQL[3], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			w, err := scanWait(rows)
			if err != nil {
				return err
			}
			f, err := of(w.SessionID)
			if err != nil {
				return err
			}
			f.Waits = append(f.Waits, w)
		}
		return rows.Err()
	})
	b.Queue(factReadSQL[4], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var x sb.RatingFact
			var n int
			var at int64
			if err := rows.Scan(&x.SessionID, &n, &x.AgentID, &x.GroupID, &x.Channel, &x.Entry, &at, &x.Rating, &x.Solved); err != nil {
				return err
			}
			x.At = factTime(at)
			f, err := of(x.SessionID)
			if err != nil {
				return err
			}
			f.Ratings = append(f.Ratings, x)
		}
		return rows.Err()
	})
	b.Queue(factReadSQL[5], found).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			t, err := scanTransfer(rows)
			if err != nil {
				return err
			}
			f, err := of(t.SessionID)
			if err != nil {
				return err
			}
			f.Transfers = append(f.Transfers, t)
		}
		return rows.Err()
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return m, nil
}

func scanWait(r pgx.Rows) (sb.WaitFact, error) {
	var w sb.WaitFact
	var n int
	var at int64
	if err := r.Scan(&w.SessionID, &n, &w.GroupID, &w.Channel, &w.Entry, &at, &w.WaitMS, &w.Outcome, &w.Transfer,
		&w.Overflow, &w.AgentID); err != nil {
		return w, err
	}
	w.At = factTime(at)
	return w, nil
}

func factTimePtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := factTime(*v)
	return &t
}

func scanTransfer(r pgx.Rows) (sb.TransferFact, error) {
	var t sb.TransferFact
	var n int
	var at int64
	var pickedUp, failed *int64
	if err := r.Scan(&t.SessionID, &n, &t.TransferID, &t.Channel, &t.Entry, &at, &t.Visitor, &t.Kind, &t.Overflow,
		&t.FromAgentID, &t.FromAgentName, &t.ToGroupID, &t.ToGroupName, &t.ToAgentID, &t.ToAgentName, &t.Success,
		&pickedUp, &t.QueueMS, &t.DurationMS, &failed, &t.FailureMS, &t.FailReason); err != nil {
		return t, err
	}
	t.At = factTime(at)
	t.PickedUpAt, t.FailedAt = factTimePtr(pickedUp), factTimePtr(failed)
	return t, nil
}
