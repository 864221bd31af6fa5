package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
)

// PutFacts implements sb.ReportStore: in one transaction it replaces the
// facts of every session given (the last one wins when a session comes
// twice), keeps the rollups in step and moves the checkpoint.
//
// A session's facts change a little with each event (an agent's pick-up,
// a hold, the end), so PutFacts rewrites only the fact tables whose rows
// differ from those stored. It knows the stored rows without reading them
// for the sessions it wrote lately: it keeps the facts it committed in
// memory (db.facts). The store has one writer, so they stay exact.
func (db *DB) PutFacts(ctx context.Context, facts []sb.SessionFacts, checkpoint int64) (err error) {
	defer db.classify(&err)
	// Later facts of a session replace earlier ones of the same batch.
	last := make(map[int64]int, len(facts))
	for i := range facts {
		last[facts[i].SessionID] = i
	}
	batch := make([]sb.SessionFacts, 0, len(last))
	for i := range facts {
		if last[facts[i].SessionID] != i {
			continue
		}
		f := facts[i]
		if err := validateFacts(&f); err != nil {
			return err
		}
		batch = append(batch, f)
	}

	db.factsMu.Lock()
	defer db.factsMu.Unlock()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put facts: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var threshold int64
	th, err := db.txStmt(ctx, tx, `SELECT queue_threshold FROM report_state WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	if err := th.QueryRowContext(ctx).Scan(&threshold); err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	w, err := db.newFactWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	defer w.close()
	d := newDeltas(threshold)
	old := &txStmts{tx: tx, db: db}
	defer old.close()
	for i := range batch {
		f := &batch[i]
		prev, err := db.storedFacts(ctx, w, old, f.SessionID)
		if err != nil {
			return fmt.Errorf("put facts: %w", err)
		}
		if prev != nil {
			d.addFacts(prev, -1)
		}
		if err := w.replace(ctx, prev, f); err != nil {
			return fmt.Errorf("put facts: session %d: %w", f.SessionID, err)
		}
		d.addFacts(f, 1)
	}
	if err := d.apply(ctx, db, tx); err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	cp, err := db.txStmt(ctx, tx, `UPDATE report_state SET checkpoint = ? WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("put facts: checkpoint: %w", err)
	}
	if _, err := cp.ExecContext(ctx, checkpoint); err != nil {
		return fmt.Errorf("put facts: checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	for i := range batch {
		db.facts.Put(batch[i].SessionID, ownFacts(&batch[i]))
	}
	return nil
}

// storedFacts returns a session's stored facts, nil if it has none: the
// ones kept in memory, or else read in tx.
func (db *DB) storedFacts(ctx context.Context, w *factWriter, tx queryer, id int64) (*sb.SessionFacts, error) {
	if f, ok := db.facts.Get(id); ok {
		return f, nil
	}
	var seq int64
	switch err := w.exists.QueryRowContext(ctx, id).Scan(&seq); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("session %d: %w", id, err)
	}
	f, err := readFacts(ctx, tx, id, seq)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// ownFacts copies what f points to, so that the copy kept in db.facts
// shares nothing with the caller. (validateFacts copied the slices.)
func ownFacts(f *sb.SessionFacts) *sb.SessionFacts {
	c := *f
	for i := range c.Ratings {
		c.Ratings[i].Solved = clonePtr(c.Ratings[i].Solved)
	}
	for i := range c.Transfers {
		t := &c.Transfers[i]
		t.PickedUpAt, t.FailedAt = clonePtr(t.PickedUpAt), clonePtr(t.FailedAt)
		t.QueueMS, t.DurationMS, t.FailureMS = clonePtr(t.QueueMS), clonePtr(t.DurationMS), clonePtr(t.FailureMS)
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// factWriter holds the statements PutFacts runs for every session.
type factWriter struct {
	exists, session *sql.Stmt
	deletes         []*sql.Stmt // per fact table, in factTables' order
	inserts         []*sql.Stmt // per fact table
	all             []*sql.Stmt
}

// factWriterSQL are the statements of a factWriter: the existence check,
// the session row, a delete per fact table, then the inserts.
func factWriterSQL() []string {
	qs := []string{`SELECT seq FROM report_sessions WHERE session_id = ?`,
		`INSERT INTO report_sessions (session_id, seq) VALUES (?1, ?2)
		ON CONFLICT (session_id) DO UPDATE SET seq = ?2`}
	for _, t := range factTables {
		qs = append(qs, "DELETE FROM "+t+" WHERE session_id = ?")
	}
	return append(qs, insertSQL("report_session_facts", sessionFactCols, 12),
		insertSQL("report_agent_facts", agentFactCols, 25), insertSQL("report_group_facts", groupFactCols, 22),
		insertSQL("report_wait_facts", waitFactCols, 11), insertSQL("report_rating_facts", ratingFactCols, 9),
		insertSQL("report_transfer_facts", transferFactCols, 22))
}

// newFactWriter takes the kept statements for tx (see stmtCache).
func (db *DB) newFactWriter(ctx context.Context, tx *sql.Tx) (*factWriter, error) {
	w := &factWriter{}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var s *sql.Stmt
		if s, err = db.txStmt(ctx, tx, q); err == nil {
			w.all = append(w.all, s)
		}
		return s
	}
	qs := factWriterSQL()
	w.exists, w.session = prep(qs[0]), prep(qs[1])
	for _, q := range qs[2 : 2+len(factTables)] {
		w.deletes = append(w.deletes, prep(q))
	}
	for _, q := range qs[2+len(factTables):] {
		w.inserts = append(w.inserts, prep(q))
	}
	if err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *factWriter) close() {
	for _, s := range w.all {
		s.Close()
	}
}

// replace stores f in place of prev, the session's stored facts (nil for
// none): it rewrites the rows of the fact tables that differ.
func (w *factWriter) replace(ctx context.Context, prev, f *sb.SessionFacts) error {
	if prev == nil || prev.Seq != f.Seq {
		if _, err := w.session.ExecContext(ctx, f.SessionID, f.Seq); err != nil {
			return err
		}
	}
	rows := factRows(f)
	var was [6][][]any
	if prev != nil {
		was = factRows(prev)
	}
	for t := range rows {
		if prev != nil {
			if rowsEqual(was[t], rows[t]) {
				continue
			}
			if _, err := w.deletes[t].ExecContext(ctx, f.SessionID); err != nil {
				return err
			}
		}
		for _, args := range rows[t] {
			if _, err := w.inserts[t].ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

func rowsEqual(a, b [][]any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func nullBool(b *bool) any {
	if b == nil {
		return nil
	}
	return b2i(*b)
}

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// factRows are a session's facts as the fact tables store them: for each
// table, in factTables' order, the insert's arguments for each row.
func factRows(f *sb.SessionFacts) [6][][]any {
	var rows [6][][]any
	s := &f.Session
	rows[0] = [][]any{{f.SessionID, string(s.Channel), s.Entry, s.GroupID, ms(s.At), s.PickedUp,
		s.Ended, s.DurationMS, s.Invited, s.InviteSuccess, s.HoldMS, s.HandleMS}}
	for n, a := range f.Agents {
		rows[1] = append(rows[1], []any{f.SessionID, n, a.AgentID, a.GroupID, string(a.Channel), a.Entry, ms(a.At),
			a.PickUps, a.AccessedFirst, a.TransfersIn, a.TransfersOut, a.Ended, a.DurationMS, a.Valid, a.Invalid,
			a.FirstResponses, a.FirstResponseMS, a.ResponseAvgs, a.ResponseAvgMS, a.Invited, a.InviteSuccess,
			a.HoldMS, a.HandleMS, a.WrapUpMS, a.Messages})
	}
	for n, g := range f.Groups {
		rows[2] = append(rows[2], []any{f.SessionID, n, g.GroupID, string(g.Channel), g.Entry, ms(g.At),
			g.PickUps, g.AccessedFirst, g.TransfersIn, g.TransfersOut, g.Ended, g.DurationMS, g.Valid, g.Invalid,
			g.FirstResponses, g.FirstResponseMS, g.ResponseAvgs, g.ResponseAvgMS, g.Invited, g.InviteSuccess, g.HoldMS, g.HandleMS})
	}
	for n, x := range f.Waits {
		rows[3] = append(rows[3], []any{f.SessionID, n, x.GroupID, string(x.Channel), x.Entry, ms(x.At), x.WaitMS,
			x.Outcome, b2i(x.Transfer), b2i(x.Overflow), x.AgentID})
	}
	for n, r := range f.Ratings {
		rows[4] = append(rows[4], []any{f.SessionID, n, r.AgentID, r.GroupID, string(r.Channel), r.Entry, ms(r.At),
			r.Rating, nullBool(r.Solved)})
	}
	for n, t := range f.Transfers {
		rows[5] = append(rows[5], []any{f.SessionID, n, t.TransferID, string(t.Channel), t.Entry, ms(t.At), t.Visitor,
			t.Kind, b2i(t.Overflow), t.FromAgentID, t.FromAgentName, t.ToGroupID, t.ToGroupName, t.ToAgentID, t.ToAgentName,
			b2i(t.Success), nullMS(t.PickedUpAt), nullInt(t.QueueMS), nullInt(t.DurationMS), nullMS(t.FailedAt),
			nullInt(t.FailureMS), t.FailReason})
	}
	return rows
}
