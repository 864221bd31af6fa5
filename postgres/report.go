package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.ReportStore = (*DB)(nil)

// The report store keeps the SQLite store's tables (sqlite/report*.go):
// every session's facts, and daily rollups of them that PutFacts keeps in
// step, so that both stores give identical sums.
//
// In a cluster one node, the leader, derives and writes the facts while
// every node reads them. Nothing relies on a lock of this process: the
// writers (PutFacts, ResetFacts, SetQueueThreshold) lock the report_state
// row first, so that two of them, on any nodes, take turns; PutFacts
// reads the stored facts it replaces from the database in its
// transaction (it keeps no copy in memory, which a leader that lost and
// regained the lead could hold stale); and a report reads in one
// REPEATABLE READ transaction, so that its parts see the same commit.

// Times are stored as Unix milliseconds (bigint), as the SQLite store
// keeps them.
func factMS(t time.Time) int64 { return t.UnixMilli() }

func factTime(v int64) time.Time { return time.UnixMilli(v).UTC() }

// Column lists of the fact tables, in the order the inserts take them and
// the readers scan them.
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

// factTables are the fact tables, each with its columns.
var factTables = []struct{ name, cols string }{
	{"report_session_facts", sessionFactCols},
	{"report_agent_facts", agentFactCols},
	{"report_group_facts", groupFactCols},
	{"report_wait_facts", waitFactCols},
	{"report_rating_facts", ratingFactCols},
	{"report_transfer_facts", transferFactCols},
}

// columnNames splits a column list.
func columnNames(cols string) []string {
	out := strings.Split(cols, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
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

// lockReportState locks the report_state row for the rest of tx, so that
// writers of facts take turns across the cluster, and returns the
// configured queue threshold in milliseconds.
func lockReportState(ctx context.Context, tx pgx.Tx) (int64, error) {
	var threshold int64
	err := tx.QueryRow(ctx, `SELECT queue_threshold FROM report_state WHERE id = 1 FOR UPDATE`).Scan(&threshold)
	return threshold, err
}

// deadlockDetected is the SQLSTATE of a transaction PostgreSQL ended to
// break a deadlock.
const deadlockDetected = "40P01"

// ResetFacts implements sb.ReportStore: it forgets every fact and rollup
// and sets the checkpoint to 0. The queue threshold stays.
//
// It truncates the tables, which is quick however many facts they hold.
// TRUNCATE waits for the reports reading them; a report that read some
// of the tables and waits for another can deadlock with it, and
// PostgreSQL then ends one of the two: when that is the reset, it is
// tried again.
func (db *DB) ResetFacts(ctx context.Context) (err error) {
	defer classify(&err)
	tables := []string{"report_sessions"}
	for _, t := range factTables {
		tables = append(tables, t.name)
	}
	for _, r := range rollups() {
		tables = append(tables, r.table)
	}
	for attempt := 0; ; attempt++ {
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if err := db.checkFence(ctx, tx); err != nil {
				return err
			}
			if _, err := lockReportState(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE report_state SET checkpoint = 0 WHERE id = 1`)
			return err
		})
		if pgCode(err) != deadlockDetected || attempt == 2 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("reset facts: %w", err)
	}
	return nil
}

// ReportCheckpoint implements sb.ReportStore.
func (db *DB) ReportCheckpoint(ctx context.Context) (_ int64, err error) {
	defer classify(&err)
	var c int64
	if err := db.pool.QueryRow(ctx, `SELECT checkpoint FROM report_state WHERE id = 1`).Scan(&c); err != nil {
		return 0, fmt.Errorf("report checkpoint: %w", err)
	}
	return c, nil
}

// QueueThreshold returns the queue threshold the rollups count waits with.
func (db *DB) QueueThreshold(ctx context.Context) (_ time.Duration, err error) {
	defer classify(&err)
	var v int64
	if err := db.pool.QueryRow(ctx, `SELECT queue_threshold FROM report_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("queue threshold: %w", err)
	}
	return time.Duration(v) * time.Millisecond, nil
}

// SetQueueThreshold changes the queue threshold the rollups count waits
// with (whole milliseconds, at most a day) and rebuilds the wait rollups
// from the facts. Queries with this threshold then use the rollups; any
// other threshold is answered from the facts.
func (db *DB) SetQueueThreshold(ctx context.Context, d time.Duration) (err error) {
	defer classify(&err)
	if d < 0 || d > 24*time.Hour || d%time.Millisecond != 0 {
		return sb.Errorf(sb.EINVALID, "the queue threshold must be whole milliseconds from 0 to 24 hours")
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		// The update locks the row as lockReportState does: no PutFacts
		// is under way, and the facts read below are all committed ones.
		if _, err := tx.Exec(ctx, `UPDATE report_state SET queue_threshold = $1 WHERE id = 1`, d.Milliseconds()); err != nil {
			return err
		}
		for _, r := range waitFamily.tables {
			if _, err := tx.Exec(ctx, "DELETE FROM "+r.table); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, r.rebuildSQL(), d.Milliseconds()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set queue threshold: %w", err)
	}
	return nil
}

// errNoFacts is ENOTFOUND for a session without stored facts.
func errNoFacts(id int64) error {
	return sb.Errorf(sb.ENOTFOUND, "no report facts for session %d", id)
}
