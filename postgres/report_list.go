package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// Transfers implements sb.ReportStore: the transfers started in the range,
// by (At, SessionID, TransferID), after the cursor, at most q.Limit.
// Besides the transfer filters, AgentIDs keeps transfers from or to one of
// the agents and GroupIDs transfers to one of the groups.
func (db *DB) Transfers(ctx context.Context, q sb.ReportQuery) (_ []sb.TransferFact, err error) {
	defer classify(&err)
	if !q.To.After(q.From) {
		return nil, sb.Errorf(sb.EINVALID, "the report range must end after it starts")
	}
	if q.Kind != "" && q.Kind != "agent" && q.Kind != "group" {
		return nil, sb.Errorf(sb.EINVALID, "the transfer kind must be agent or group")
	}
	f := baseFilter(q)
	if q.Kind != "" {
		f.add("kind", "kind = "+f.arg(q.Kind))
	}
	filterIn(&f, "from_agent_id", q.FromAgentIDs)
	if q.Success != nil {
		f.add("success", "success = "+f.arg(*q.Success))
	}
	if len(q.AgentIDs) > 0 {
		agents := f.arg(q.AgentIDs)
		f.add("agent_id", "(from_agent_id = ANY("+agents+") OR to_agent_id = ANY("+agents+"))")
	}
	filterIn(&f, "to_group_id", q.GroupIDs)
	if !q.AfterAt.IsZero() || q.AfterID != 0 || q.AfterTrans != 0 {
		f.add("at", "(at, session_id, transfer_id) > ("+f.arg(factMS(q.AfterAt))+"::bigint, "+f.arg(q.AfterID)+"::bigint, "+
			f.arg(q.AfterTrans)+"::bigint)")
	}
	p := params{args: f.args}
	query := `SELECT ` + transferFactCols + ` FROM report_transfer_facts WHERE at >= ` + p.arg(factMS(q.From)) +
		` AND at < ` + p.arg(factMS(q.To)) + f.sql() + ` ORDER BY at, session_id, transfer_id`
	if q.Limit > 0 {
		query += " LIMIT " + p.arg(q.Limit)
	}
	rows, err := db.pool.Query(ctx, query, p.args...)
	if err != nil {
		return nil, fmt.Errorf("transfers: %w", err)
	}
	defer rows.Close()
	var out []sb.TransferFact
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			return nil, fmt.Errorf("transfers: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transfers: %w", err)
	}
	return out, nil
}

// QueueSessions implements sb.ReportStore: the waits behind the queue
// count of the groups in q.GroupIDs (all groups when empty), those that
// began in the range and ended after longer than the threshold, by (At,
// SessionID), after the cursor (AfterAt, AfterID), at most q.Limit.
func (db *DB) QueueSessions(ctx context.Context, q sb.ReportQuery) ([]sb.WaitFact, error) {
	var out []sb.WaitFact
	err := db.reportRead(ctx, "queue sessions", q, func(tx pgx.Tx, threshold int64, _ bool) error {
		f := baseFilter(q)
		filterIn(&f, "group_id", q.GroupIDs)
		f.add("wait", "wait > "+f.arg(threshold)+"::bigint AND outcome <> 'waiting'")
		if !q.AfterAt.IsZero() || q.AfterID != 0 {
			f.add("at", "(at, session_id) > ("+f.arg(factMS(q.AfterAt))+"::bigint, "+f.arg(q.AfterID)+"::bigint)")
		}
		p := params{args: f.args}
		query := `SELECT ` + waitFactCols + ` FROM report_wait_facts WHERE at >= ` + p.arg(factMS(q.From)) +
			` AND at < ` + p.arg(factMS(q.To)) + f.sql() + ` ORDER BY at, session_id, n`
		if q.Limit > 0 {
			query += " LIMIT " + p.arg(q.Limit)
		}
		rows, err := tx.Query(ctx, query, p.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scanWait(rows)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxServiceIntervals bounds a service-level report: 400 days of 15
// minutes.
const maxServiceIntervals = 400 * 24 * 4

// ServiceLevel implements sb.ReportStore: one row per interval from
// q.From up to q.To (the last one may be cut short by q.To), empty ones
// included, adding up the waits that began in it. Offered counts waits
// that ended (not still waiting), Abandoned those given up or dropped,
// ShortAbandons those given up or dropped sooner than o.ShortAbandon,
// AnsweredWithin those picked up within o.Within. It reads the wait facts
// of the range: its cost grows with the number of waits in it.
func (db *DB) ServiceLevel(ctx context.Context, q sb.ReportQuery, o sb.ServiceLevelOptions) (_ []sb.IntervalRow, err error) {
	defer classify(&err)
	if o.Interval < time.Minute || o.Interval%time.Millisecond != 0 {
		return nil, sb.Errorf(sb.EINVALID, "the service level interval must be at least a minute")
	}
	if o.Within < 0 || o.ShortAbandon < 0 {
		return nil, sb.Errorf(sb.EINVALID, "the service level times must not be negative")
	}
	if !q.To.After(q.From) {
		return nil, sb.Errorf(sb.EINVALID, "the report range must end after it starts")
	}
	n := (factMS(q.To) - factMS(q.From) + o.Interval.Milliseconds() - 1) / o.Interval.Milliseconds()
	if n > maxServiceIntervals {
		return nil, sb.Errorf(sb.EINVALID, "the service level report has at most %d intervals", maxServiceIntervals)
	}
	out := make([]sb.IntervalRow, n)
	for i := range out {
		out[i].Start = q.From.Add(time.Duration(i) * o.Interval).UTC()
	}
	f := baseFilter(q)
	filterIn(&f, "group_id", q.GroupIDs)
	p := params{args: f.args}
	// at >= from: the division of the non-negative at - from truncates
	// down, as SQLite's does.
	from, step := p.arg(factMS(q.From))+"::bigint", p.arg(o.Interval.Milliseconds())+"::bigint"
	within, short := p.arg(o.Within.Milliseconds())+"::bigint", p.arg(o.ShortAbandon.Milliseconds())+"::bigint"
	query := `SELECT (at - ` + from + `) / ` + step + ` AS i, COUNT(*) FILTER (WHERE outcome <> 'waiting'),
		COUNT(*) FILTER (WHERE outcome = 'picked_up'), COUNT(*) FILTER (WHERE outcome = 'picked_up' AND wait <= ` + within + `),
		COALESCE(SUM(wait) FILTER (WHERE outcome = 'picked_up'), 0)::bigint,
		COUNT(*) FILTER (WHERE outcome IN ('abandoned', 'dropped')),
		COUNT(*) FILTER (WHERE outcome IN ('abandoned', 'dropped') AND wait < ` + short + `), MAX(wait)
		FROM report_wait_facts WHERE at >= ` + from + ` AND at < ` + p.arg(factMS(q.To)) + `::bigint` + f.sql() + ` GROUP BY i`
	rows, err := db.pool.Query(ctx, query, p.args...)
	if err != nil {
		return nil, fmt.Errorf("service level: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var x sb.IntervalRow
		if err := rows.Scan(&i, &x.Offered, &x.Answered, &x.AnsweredWithin, &x.AnswerMS, &x.Abandoned, &x.ShortAbandons,
			&x.LongestMS); err != nil {
			return nil, fmt.Errorf("service level: %w", err)
		}
		if i < 0 || i >= n {
			return nil, fmt.Errorf("service level: interval %d of %d", i, n)
		}
		x.Start = out[i].Start
		out[i] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("service level: %w", err)
	}
	return out, nil
}
