package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.ReportStore = (*DB)(nil)

// Column lists of the fact tables, in the order the insert statements
// take them and the readers scan them.
const (
	sessionFactCols = `session_id, channel, entry, group_id, at, picked_up, ended, duration, invited, invite_success, hold, handle`
	agentFactCols   = `session_id, n, agent_id, group_id, channel, entry, at, pick_ups, accessed_first, transfers_in, transfers_out,
		ended, duration, valid, invalid, first_responses, first_response, response_avgs, response_avg, invited, invite_success,
		hold, handle, wrap_up, messages`
	groupFactCols = `session_id, n, group_id, channel, entry, at, pick_ups, accessed_first, transfers_in, transfers_out,
		ended, duration, valid, invalid, first_responses, first_response, response_avgs, response_avg, invited, invite_success,
		hold, handle`
	waitFactCols     = `session_id, n, group_id, channel, entry, at, wait, outcome, transfer, overflow, agent_id`
	ratingFactCols   = `session_id, n, agent_id, group_id, channel, entry, at, rating, solved`
	transferFactCols = `session_id, n, transfer_id, channel, entry, at, visitor, kind, overflow, from_agent_id, from_agent_name,
		to_group_id, to_group_name, to_agent_id, to_agent_name, success, picked_up_at, queue, duration, failed_at, failure, fail_reason`
)

var factTables = []string{"report_session_facts", "report_agent_facts", "report_group_facts", "report_wait_facts",
	"report_rating_facts", "report_transfer_facts"}

func insertSQL(table, cols string, n int) string {
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (?%s)", table, cols, repeat(", ?", n-1))
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

// DefaultQueueThreshold is the queue threshold a new store counts waits
// with: a wait counts in the queue report when it lasted longer.
const DefaultQueueThreshold = 60 * time.Second

// validateFacts checks what the rollups rely on and fills fact session IDs
// left 0 with the session's, in copies of the caller's slices.
func validateFacts(f *sb.SessionFacts) error {
	if f.SessionID <= 0 {
		return sb.Errorf(sb.EINVALID, "report facts need a session ID")
	}
	f.Agents, f.Groups, f.Waits = slices.Clone(f.Agents), slices.Clone(f.Groups), slices.Clone(f.Waits)
	f.Ratings, f.Transfers = slices.Clone(f.Ratings), slices.Clone(f.Transfers)
	check := func(id *int64, what string) error {
		switch *id {
		case 0:
			*id = f.SessionID
		case f.SessionID:
		default:
			return sb.Errorf(sb.EINVALID, "a %s fact of session %d names session %d", what, f.SessionID, *id)
		}
		return nil
	}
	if err := check(&f.Session.SessionID, "session"); err != nil {
		return err
	}
	for i := range f.Agents {
		if err := check(&f.Agents[i].SessionID, "agent"); err != nil {
			return err
		}
	}
	for i := range f.Groups {
		if err := check(&f.Groups[i].SessionID, "group"); err != nil {
			return err
		}
	}
	for i := range f.Waits {
		if err := check(&f.Waits[i].SessionID, "wait"); err != nil {
			return err
		}
		switch f.Waits[i].Outcome {
		case sb.WaitOutcomePickedUp, sb.WaitOutcomeAbandoned, sb.WaitOutcomeDropped, sb.WaitOutcomeOther, sb.WaitOutcomeWaiting:
		default:
			return sb.Errorf(sb.EINVALID, "session %d: unknown wait outcome %q", f.SessionID, f.Waits[i].Outcome)
		}
	}
	for i := range f.Ratings {
		if err := check(&f.Ratings[i].SessionID, "rating"); err != nil {
			return err
		}
	}
	for i := range f.Transfers {
		if err := check(&f.Transfers[i].SessionID, "transfer"); err != nil {
			return err
		}
		if k := f.Transfers[i].Kind; k != "agent" && k != "group" {
			return sb.Errorf(sb.EINVALID, "session %d: transfer kind must be agent or group, not %q", f.SessionID, k)
		}
	}
	return nil
}

// PutFacts implements sb.ReportStore: in one transaction it replaces the
// facts of every session given (the last one wins when a session comes
// twice), keeps the rollups in step and moves the checkpoint.
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
		var seq int64
		switch err := w.exists.QueryRowContext(ctx, f.SessionID).Scan(&seq); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("put facts: session %d: %w", f.SessionID, err)
		default:
			prev, err := readFacts(ctx, old, f.SessionID, seq)
			if err != nil {
				return fmt.Errorf("put facts: %w", err)
			}
			d.addFacts(&prev, -1)
			for _, del := range w.deletes {
				if _, err := del.ExecContext(ctx, f.SessionID); err != nil {
					return fmt.Errorf("put facts: session %d: %w", f.SessionID, err)
				}
			}
		}
		if err := w.insert(ctx, f); err != nil {
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
	return nil
}

// factWriter holds the statements PutFacts runs for every session.
type factWriter struct {
	exists, session, sessionFact, agent, group, wait, rating, transfer *sql.Stmt
	deletes                                                            []*sql.Stmt
	all                                                                []*sql.Stmt
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
	ins := qs[2+len(factTables):]
	w.sessionFact, w.agent, w.group = prep(ins[0]), prep(ins[1]), prep(ins[2])
	w.wait, w.rating, w.transfer = prep(ins[3]), prep(ins[4]), prep(ins[5])
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

// insert writes one session's facts; its old ones are gone already.
func (w *factWriter) insert(ctx context.Context, f *sb.SessionFacts) error {
	if _, err := w.session.ExecContext(ctx, f.SessionID, f.Seq); err != nil {
		return err
	}
	s := &f.Session
	if _, err := w.sessionFact.ExecContext(ctx, f.SessionID, string(s.Channel), s.Entry, s.GroupID, ms(s.At), s.PickedUp,
		s.Ended, s.DurationMS, s.Invited, s.InviteSuccess, s.HoldMS, s.HandleMS); err != nil {
		return err
	}
	for n, a := range f.Agents {
		if _, err := w.agent.ExecContext(ctx, f.SessionID, n, a.AgentID, a.GroupID, string(a.Channel), a.Entry, ms(a.At),
			a.PickUps, a.AccessedFirst, a.TransfersIn, a.TransfersOut, a.Ended, a.DurationMS, a.Valid, a.Invalid,
			a.FirstResponses, a.FirstResponseMS, a.ResponseAvgs, a.ResponseAvgMS, a.Invited, a.InviteSuccess,
			a.HoldMS, a.HandleMS, a.WrapUpMS, a.Messages); err != nil {
			return err
		}
	}
	for n, g := range f.Groups {
		if _, err := w.group.ExecContext(ctx, f.SessionID, n, g.GroupID, string(g.Channel), g.Entry, ms(g.At),
			g.PickUps, g.AccessedFirst, g.TransfersIn, g.TransfersOut, g.Ended, g.DurationMS, g.Valid, g.Invalid,
			g.FirstResponses, g.FirstResponseMS, g.ResponseAvgs, g.ResponseAvgMS, g.Invited, g.InviteSuccess, g.HoldMS, g.HandleMS); err != nil {
			return err
		}
	}
	for n, x := range f.Waits {
		if _, err := w.wait.ExecContext(ctx, f.SessionID, n, x.GroupID, string(x.Channel), x.Entry, ms(x.At), x.WaitMS,
			x.Outcome, b2i(x.Transfer), b2i(x.Overflow), x.AgentID); err != nil {
			return err
		}
	}
	for n, r := range f.Ratings {
		if _, err := w.rating.ExecContext(ctx, f.SessionID, n, r.AgentID, r.GroupID, string(r.Channel), r.Entry, ms(r.At),
			r.Rating, nullBool(r.Solved)); err != nil {
			return err
		}
	}
	for n, t := range f.Transfers {
		if _, err := w.transfer.ExecContext(ctx, f.SessionID, n, t.TransferID, string(t.Channel), t.Entry, ms(t.At), t.Visitor,
			t.Kind, b2i(t.Overflow), t.FromAgentID, t.FromAgentName, t.ToGroupID, t.ToGroupName, t.ToAgentID, t.ToAgentName,
			b2i(t.Success), nullMS(t.PickedUpAt), nullInt(t.QueueMS), nullInt(t.DurationMS), nullMS(t.FailedAt),
			nullInt(t.FailureMS), t.FailReason); err != nil {
			return err
		}
	}
	return nil
}

// ResetFacts implements sb.ReportStore: it forgets every fact and rollup
// and sets the checkpoint to 0. The queue threshold stays.
func (db *DB) ResetFacts(ctx context.Context) (err error) {
	defer db.classify(&err)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("reset facts: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	tables := append([]string{"report_sessions"}, factTables...)
	for _, r := range rollups() {
		tables = append(tables, r.table)
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("reset facts: %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE report_state SET checkpoint = 0 WHERE id = 1`); err != nil {
		return fmt.Errorf("reset facts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reset facts: %w", err)
	}
	return nil
}

// ReportCheckpoint implements sb.ReportStore.
func (db *DB) ReportCheckpoint(ctx context.Context) (int64, error) {
	var c int64
	if err := db.read.QueryRowContext(ctx, `SELECT checkpoint FROM report_state WHERE id = 1`).Scan(&c); err != nil {
		return 0, fmt.Errorf("report checkpoint: %w", err)
	}
	return c, nil
}

// QueueThreshold returns the queue threshold the rollups count waits with.
func (db *DB) QueueThreshold(ctx context.Context) (time.Duration, error) {
	var v int64
	if err := db.read.QueryRowContext(ctx, `SELECT queue_threshold FROM report_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("queue threshold: %w", err)
	}
	return time.Duration(v) * time.Millisecond, nil
}

// SetQueueThreshold changes the queue threshold the rollups count waits
// with (whole milliseconds, at most a day) and rebuilds the wait rollups
// from the facts. Queries with this threshold then use the rollups; any
// other threshold is answered from the facts.
func (db *DB) SetQueueThreshold(ctx context.Context, d time.Duration) (err error) {
	defer db.classify(&err)
	if d < 0 || d > 24*time.Hour || d%time.Millisecond != 0 {
		return sb.Errorf(sb.EINVALID, "the queue threshold must be whole milliseconds from 0 to 24 hours")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set queue threshold: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	queries := []string{fmt.Sprintf(`UPDATE report_state SET queue_threshold = %d WHERE id = 1`, d.Milliseconds())}
	for _, r := range waitFamily.tables {
		queries = append(queries, "DELETE FROM "+r.table, r.rebuildSQL(d.Milliseconds()))
	}
	for _, q := range queries {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("set queue threshold: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set queue threshold: %w", err)
	}
	return nil
}
