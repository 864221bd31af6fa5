package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// copyRows is the number of rows of one fact table from which PutFacts
// writes them with COPY rather than with INSERTs in its batch: a rebuild
// stores a thousand sessions at a time, a live step a few.
const copyRows = 64

// PutFacts implements sb.ReportStore: in one transaction it replaces the
// facts of every session given (the last one wins when a session comes
// twice), keeps the rollups in step and moves the checkpoint.
//
// It locks the report_state row first, so writers on several nodes take
// turns, and reads the stored facts of the sessions it replaces in the
// same transaction: the rollups lose exactly what those facts added. A
// session's facts change a little with each event, so it rewrites only
// the fact tables whose rows differ from those stored. The statements go
// in one batch (one round trip); a table's rows beyond copyRows go by
// COPY.
func (db *DB) PutFacts(ctx context.Context, facts []sb.SessionFacts, checkpoint int64) (err error) {
	defer classify(&err)
	// Later facts of a session replace earlier ones of the same batch.
	last := make(map[int64]int, len(facts))
	for i := range facts {
		last[facts[i].SessionID] = i
	}
	batch := make([]sb.SessionFacts, 0, len(last))
	ids := make([]int64, 0, len(last))
	for i := range facts {
		if last[facts[i].SessionID] != i {
			continue
		}
		f := facts[i]
		if err := validateFacts(&f); err != nil {
			return err
		}
		batch = append(batch, f)
		ids = append(ids, f.SessionID)
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := db.checkFence(ctx, tx); err != nil {
			return err
		}
		threshold, err := lockReportState(ctx, tx)
		if err != nil {
			return err
		}
		var stored map[int64]*sb.SessionFacts
		if len(ids) > 0 {
			if stored, err = readFacts(ctx, tx, ids); err != nil {
				return fmt.Errorf("read the stored facts: %w", err)
			}
		}
		d := newDeltas(threshold)
		var w factWrites
		for i := range batch {
			f := &batch[i]
			prev := stored[f.SessionID]
			if prev != nil {
				d.addFacts(prev, -1)
			}
			w.replace(prev, f)
			d.addFacts(f, 1)
		}
		b := &pgx.Batch{}
		copies := w.queue(b)
		d.queue(b)
		b.Queue(`UPDATE report_state SET checkpoint = $1 WHERE id = 1`, checkpoint)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		for t, rows := range copies {
			if len(rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{factTables[t].name}, columnNames(factTables[t].cols),
				pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("copy into %s: %w", factTables[t].name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put facts: %w", err)
	}
	return nil
}

// factWrites are the writes to the fact tables a PutFacts makes.
type factWrites struct {
	seqIDs, seqs []int64    // report_sessions rows to insert or update
	deletes      [6][]int64 // per fact table (factTables' order), the sessions whose rows go
	inserts      [6][][]any // per fact table, the rows to insert
}

// replace notes the writes that store f in place of prev, the session's
// stored facts (nil for none): the rows of the fact tables that differ.
func (w *factWrites) replace(prev, f *sb.SessionFacts) {
	if prev == nil || prev.Seq != f.Seq {
		w.seqIDs, w.seqs = append(w.seqIDs, f.SessionID), append(w.seqs, f.Seq)
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
			w.deletes[t] = append(w.deletes[t], f.SessionID)
		}
		w.inserts[t] = append(w.inserts[t], rows[t]...)
	}
}

// queue queues the writes in b, in order: the report_sessions rows, the
// deletes, then the inserts of tables with few rows. It returns, per fact
// table, the rows to COPY after the batch.
func (w *factWrites) queue(b *pgx.Batch) (copies [6][][]any) {
	if len(w.seqIDs) > 0 {
		b.Queue(`INSERT INTO report_sessions (session_id, seq) SELECT * FROM unnest($1::bigint[], $2::bigint[])
			ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq`, w.seqIDs, w.seqs)
	}
	for t, ids := range w.deletes {
		if len(ids) > 0 {
			b.Queue(`DELETE FROM `+factTables[t].name+` WHERE session_id = ANY($1)`, ids)
		}
	}
	for t, rows := range w.inserts {
		if len(rows) >= copyRows {
			copies[t] = rows
			continue
		}
		for _, args := range rows {
			b.Queue(factInsertSQL[t], args...)
		}
	}
	return copies
}

// factInsertSQL are the INSERTs of one row of each fact table.
var factInsertSQL = func() (out [6]string) {
	for t, ft := range factTables {
		n := len(columnNames(ft.cols))
		ph := make([]string, n)
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		out[t] = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", ft.name, ft.cols, strings.Join(ph, ", "))
	}
	return out
}()

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

// nullable returns *p, or nil (NULL) for a nil p.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// factRows are a session's facts as the fact tables store them: for each
// table, in factTables' order, the insert's arguments for each row. The
// values are comparable, for rowsEqual.
func factRows(f *sb.SessionFacts) [6][][]any {
	var rows [6][][]any
	s := &f.Session
	rows[0] = [][]any{{f.SessionID, string(s.Channel), s.Entry, s.GroupID, factMS(s.At), s.PickedUp,
		s.Ended, s.DurationMS, s.Invited, s.InviteSuccess, s.HoldMS, s.HandleMS}}
	for n, a := range f.Agents {
		rows[1] = append(rows[1], []any{f.SessionID, n, a.AgentID, a.GroupID, string(a.Channel), a.Entry, factMS(a.At),
			a.PickUps, a.AccessedFirst, a.TransfersIn, a.TransfersOut, a.Ended, a.DurationMS, a.Valid, a.Invalid,
			a.FirstResponses, a.FirstResponseMS, a.ResponseAvgs, a.ResponseAvgMS, a.Invited, a.InviteSuccess,
			a.HoldMS, a.HandleMS, a.WrapUpMS, a.Messages})
	}
	for n, g := range f.Groups {
		rows[2] = append(rows[2], []any{f.SessionID, n, g.GroupID, string(g.Channel), g.Entry, factMS(g.At),
			g.PickUps, g.AccessedFirst, g.TransfersIn, g.TransfersOut, g.Ended, g.DurationMS, g.Valid, g.Invalid,
			g.FirstResponses, g.FirstResponseMS, g.ResponseAvgs, g.ResponseAvgMS, g.Invited, g.InviteSuccess, g.HoldMS, g.HandleMS})
	}
	for n, x := range f.Waits {
		rows[3] = append(rows[3], []any{f.SessionID, n, x.GroupID, string(x.Channel), x.Entry, factMS(x.At), x.WaitMS,
			x.Outcome, x.Transfer, x.Overflow, x.AgentID})
	}
	for n, r := range f.Ratings {
		rows[4] = append(rows[4], []any{f.SessionID, n, r.AgentID, r.GroupID, string(r.Channel), r.Entry, factMS(r.At),
			r.Rating, nullable(r.Solved)})
	}
	for n, t := range f.Transfers {
		var pickedUp, failed any
		if t.PickedUpAt != nil {
			pickedUp = factMS(*t.PickedUpAt)
		}
		if t.FailedAt != nil {
			failed = factMS(*t.FailedAt)
		}
		rows[5] = append(rows[5], []any{f.SessionID, n, t.TransferID, string(t.Channel), t.Entry, factMS(t.At), t.Visitor,
			t.Kind, t.Overflow, t.FromAgentID, t.FromAgentName, t.ToGroupID, t.ToGroupName, t.ToAgentID, t.ToAgentName,
			t.Success, pickedUp, nullable(t.QueueMS), nullable(t.DurationMS), failed, nullable(t.FailureMS), t.FailReason})
	}
	return rows
}
