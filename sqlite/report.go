package sqlite

import (
	"context"
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

// ResetFacts implements sb.ReportStore: it forgets every fact and rollup
// and sets the checkpoint to 0. The queue threshold stays.
func (db *DB) ResetFacts(ctx context.Context) (err error) {
	defer db.classify(&err)
	db.factsMu.Lock()
	defer db.factsMu.Unlock()
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
	db.facts.Reset()
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
