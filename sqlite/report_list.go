package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Transfers implements sb.ReportStore: the transfers started in the range,
// by (At, SessionID, TransferID), after the cursor, at most q.Limit.
// Besides the transfer filters, AgentIDs keeps transfers from or to one of
// the agents and GroupIDs transfers to one of the groups.
func (db *DB) Transfers(ctx context.Context, q sb.ReportQuery) ([]sb.TransferFact, error) {
	if !q.To.After(q.From) {
		return nil, sb.Errorf(sb.EINVALID, "the report range must end after it starts")
	}
	if q.Kind != "" && q.Kind != "agent" && q.Kind != "group" {
		return nil, sb.Errorf(sb.EINVALID, "the transfer kind must be agent or group")
	}
	f := baseFilter(q)
	if q.Kind != "" {
		f.add("kind", "kind = ?", q.Kind)
	}
	in(&f, "from_agent_id", q.FromAgentIDs)
	if q.Success != nil {
		f.add("success", "success = ?", b2i(*q.Success))
	}
	if len(q.AgentIDs) > 0 {
		var g filter
		in(&g, "from_agent_id", q.AgentIDs)
		in(&g, "to_agent_id", q.AgentIDs)
		f.add("agent_id", "("+g.where[0]+" OR "+g.where[1]+")", g.args...)
	}
	in(&f, "to_group_id", q.GroupIDs)
	if !q.AfterAt.IsZero() || q.AfterID != 0 || q.AfterTrans != 0 {
		f.add("at", "(at, session_id, transfer_id) > (?, ?, ?)", ms(q.AfterAt), q.AfterID, q.AfterTrans)
	}
	query := `SELECT ` + transferFactCols + ` FROM report_transfer_facts WHERE at >= ? AND at < ?` + f.sql() +
		` ORDER BY at, session_id, transfer_id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	var out []sb.TransferFact
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		t, err := scanTransfer(r)
		out = append(out, t)
		return err
	}, query, append([]any{ms(q.From), ms(q.To)}, f.args...)...)
	if err != nil {
		return nil, fmt.Errorf("transfers: %w", err)
	}
	return out, nil
}

// QueueSessions implements sb.ReportStore: the waits behind the queue
// count of the groups in q.GroupIDs (all groups when empty), those that
// began in the range and ended after longer than the threshold, by (At, SessionID), after
// the cursor (AfterAt, AfterID), at most q.Limit.
func (db *DB) QueueSessions(ctx context.Context, q sb.ReportQuery) ([]sb.WaitFact, error) {
	var out []sb.WaitFact
	err := db.reportRead(ctx, "queue sessions", q, func(tx *sql.Tx, threshold int64, _ bool) error {
		f := baseFilter(q)
		in(&f, "group_id", q.GroupIDs)
		f.add("wait", "wait > ? AND outcome <> 'waiting'", threshold)
		if !q.AfterAt.IsZero() || q.AfterID != 0 {
			f.add("at", "(at, session_id) > (?, ?)", ms(q.AfterAt), q.AfterID)
		}
		query := `SELECT ` + waitFactCols + ` FROM report_wait_facts WHERE at >= ? AND at < ?` + f.sql() +
			` ORDER BY at, session_id, n`
		if q.Limit > 0 {
			query += fmt.Sprintf(" LIMIT %d", q.Limit)
		}
		return eachRow(ctx, tx, func(r *sql.Rows) error {
			w, err := scanWait(r)
			out = append(out, w)
			return err
		}, query, append([]any{ms(q.From), ms(q.To)}, f.args...)...)
	})
	return out, err
}

// maxIntervals bounds a service-level report: 400 days of 15 minutes.
const maxIntervals = 400 * 24 * 4

// ServiceLevel implements sb.ReportStore: one row per interval from
// q.From up to q.To (the last one may be cut short by q.To), empty ones
// included, adding up the waits that began in it. Offered counts waits
// that ended (not still waiting), Abandoned those given up or dropped,
// ShortAbandons those given up or dropped sooner than o.ShortAbandon, AnsweredWithin
// those picked up within o.Within. It reads the wait facts of the range:
// its cost grows with the number of waits in it.
func (db *DB) ServiceLevel(ctx context.Context, q sb.ReportQuery, o sb.ServiceLevelOptions) ([]sb.IntervalRow, error) {
	if o.Interval < time.Minute || o.Interval%time.Millisecond != 0 {
		return nil, sb.Errorf(sb.EINVALID, "the service level interval must be at least a minute")
	}
	if o.Within < 0 || o.ShortAbandon < 0 {
		return nil, sb.Errorf(sb.EINVALID, "the service level times must not be negative")
	}
	if !q.To.After(q.From) {
		return nil, sb.Errorf(sb.EINVALID, "the report range must end after it starts")
	}
	n := (ms(q.To) - ms(q.From) + o.Interval.Milliseconds() - 1) / o.Interval.Milliseconds()
	if n > maxIntervals {
		return nil, sb.Errorf(sb.EINVALID, "the service level report has at most %d intervals", maxIntervals)
	}
	out := make([]sb.IntervalRow, n)
	for i := range out {
		out[i].Start = q.From.Add(time.Duration(i) * o.Interval).UTC()
	}
	f := baseFilter(q)
	in(&f, "group_id", q.GroupIDs)
	from, step := ms(q.From), o.Interval.Milliseconds()
	query := fmt.Sprintf(`SELECT (at - ?) / %d AS i, COUNT(*) FILTER (WHERE outcome <> 'waiting'),
		COUNT(*) FILTER (WHERE outcome = 'picked_up'), COUNT(*) FILTER (WHERE outcome = 'picked_up' AND wait <= ?),
		COALESCE(SUM(wait) FILTER (WHERE outcome = 'picked_up'), 0), COUNT(*) FILTER (WHERE outcome IN ('abandoned', 'dropped')),
		COUNT(*) FILTER (WHERE outcome IN ('abandoned', 'dropped') AND wait < ?), MAX(wait)
		FROM report_wait_facts WHERE at >= ? AND at < ?%s GROUP BY i`, step, f.sql())
	args := append([]any{from, o.Within.Milliseconds(), o.ShortAbandon.Milliseconds(), from, ms(q.To)}, f.args...)
	err := eachRow(ctx, db.read, func(r *sql.Rows) error {
		var i int64
		var x sb.IntervalRow
		if err := r.Scan(&i, &x.Offered, &x.Answered, &x.AnsweredWithin, &x.AnswerMS, &x.Abandoned, &x.ShortAbandons,
			&x.LongestMS); err != nil {
			return err
		}
		x.Start = out[i].Start
		out[i] = x
		return nil
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("service level: %w", err)
	}
	return out, nil
}
