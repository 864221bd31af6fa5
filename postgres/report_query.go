package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// A report query adds up the rollups of the whole UTC days inside
// [From, To) and the facts of the partial days at both ends; a range
// inside one day, or a queue threshold other than the configured one, is
// answered from the facts alone. Both give the same sums.

// rawReportsKey in a context makes reports read the facts alone, so that
// tests can compare both ways of adding up.
type rawReportsKey struct{}

// factSpan is how a query's time range is read: rollup days [d1, d2) when
// useDays, and the facts with at in each of raws.
type factSpan struct {
	useDays bool
	d1, d2  int64
	raws    [][2]int64
}

func splitRange(from, to time.Time, rollups bool) factSpan {
	f, t := factMS(from), factMS(to)
	d1, d2 := dayCeil(f), dayFloor(t)
	if !rollups || d1 >= d2 {
		return factSpan{raws: [][2]int64{{f, t}}}
	}
	s := factSpan{useDays: true, d1: d1, d2: d2}
	if f < d1*reportDayMS {
		s.raws = append(s.raws, [2]int64{f, d1 * reportDayMS})
	}
	if d2*reportDayMS < t {
		s.raws = append(s.raws, [2]int64{d2 * reportDayMS, t})
	}
	return s
}

// factFilter is a WHERE clause on columns the facts and rollups share,
// with the columns it reads. Its values are the first parameters of the
// query ($1, $2, …); a query appends its own after them.
type factFilter struct {
	where []string
	args  []any
	cols  []string
}

// arg adds a parameter and returns its placeholder.
func (f *factFilter) arg(v any) string {
	f.args = append(f.args, v)
	return "$" + strconv.Itoa(len(f.args))
}

// add adds a condition on column col.
func (f *factFilter) add(col, cond string) {
	f.where = append(f.where, cond)
	f.cols = append(f.cols, col)
}

// filterIn narrows col to vals, when there are any: one array parameter,
// so that the query's text is the same for any number of values.
func filterIn[T any](f *factFilter, col string, vals []T) {
	if len(vals) == 0 {
		return
	}
	f.add(col, col+" = ANY("+f.arg(vals)+")")
}

func (f *factFilter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return " AND " + strings.Join(f.where, " AND ")
}

// baseFilter narrows by channel and entry.
func baseFilter(q sb.ReportQuery) factFilter {
	var f factFilter
	chans := make([]string, len(q.Channels))
	for i, c := range q.Channels {
		chans[i] = string(c)
	}
	filterIn(&f, "channel", chans)
	filterIn(&f, "entry", q.Entries)
	return f
}

// params continues the parameters of a filter.
type params struct{ args []any }

func (p *params) arg(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// sums adds up a family's values, grouped by the columns in by, and
// calls fn for each group: rollup rows for the days of s, facts for its
// raw ranges.
func sums(ctx context.Context, tx pgx.Tx, fam *family, by []string, f factFilter, s factSpan, thresholdMS int64,
	fn func(key []any, vals []int64)) error {
	p := params{args: slices.Clone(f.args)}
	var parts []string
	group := strings.Join(by, ", ")
	if s.useDays {
		r := fam.pick(append(slices.Clone(by), f.cols...))
		parts = append(parts, fmt.Sprintf("SELECT %s, %s FROM %s WHERE day >= %s AND day < %s%s",
			group, strings.Join(fam.vals, ", "), r.table, p.arg(s.d1), p.arg(s.d2), f.sql()))
	}
	if len(s.raws) > 0 {
		x := ""
		if fam.usesThreshold() {
			x = p.arg(thresholdMS) + "::bigint"
		}
		raw := make([]string, len(fam.vals))
		for i := range fam.vals {
			raw[i] = fam.rawExpr(i, x) + " AS " + fam.vals[i]
		}
		where := f.sql()
		if fam.where != "" {
			where += " AND " + fam.where
		}
		for _, rg := range s.raws {
			parts = append(parts, fmt.Sprintf("SELECT %s, %s FROM %s WHERE at >= %s AND at < %s%s",
				group, strings.Join(raw, ", "), fam.facts, p.arg(rg[0]), p.arg(rg[1]), where))
		}
	}
	total := make([]string, len(fam.vals))
	for i, v := range fam.vals {
		total[i] = "SUM(" + v + ")::bigint"
	}
	q := fmt.Sprintf("SELECT %s, %s FROM (%s) AS parts GROUP BY %s", group, strings.Join(total, ", "),
		strings.Join(parts, " UNION ALL "), group)
	rows, err := tx.Query(ctx, q, p.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	key := make([]any, len(by))
	vals := make([]int64, len(fam.vals))
	dest := make([]any, 0, len(by)+len(vals))
	for i, c := range by {
		switch keyType(c) {
		case "text":
			key[i] = new(string)
		case "boolean":
			key[i] = new(bool)
		default:
			key[i] = new(int64)
		}
		dest = append(dest, key[i])
	}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn(key, vals)
	}
	return rows.Err()
}

// reportRead runs fn in a read-only REPEATABLE READ transaction, so that
// every part of a report sees the same facts, with the threshold waits are
// counted with and whether the rollups hold it.
func (db *DB) reportRead(ctx context.Context, what string, q sb.ReportQuery,
	fn func(tx pgx.Tx, thresholdMS int64, rollups bool) error) (err error) {
	defer classify(&err)
	if !q.To.After(q.From) {
		return sb.Errorf(sb.EINVALID, "the report range must end after it starts")
	}
	if q.QueueThreshold < 0 {
		return sb.Errorf(sb.EINVALID, "the queue threshold must not be negative")
	}
	err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var configured int64
		if err := tx.QueryRow(ctx, `SELECT queue_threshold FROM report_state WHERE id = 1`).Scan(&configured); err != nil {
			return err
		}
		threshold, rollups := configured, true
		if q.QueueThreshold != 0 && q.QueueThreshold.Milliseconds() != configured {
			threshold, rollups = q.QueueThreshold.Milliseconds(), false
		}
		return fn(tx, threshold, rollups && ctx.Value(rawReportsKey{}) == nil)
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func addWorkload(w *sb.Workload, v []int64) {
	w.Sessions += int(v[0])
	w.PickUps += int(v[1])
	w.AccessedFirst += int(v[2])
	w.TransfersIn += int(v[3])
	w.TransfersOut += int(v[4])
	w.Ended += int(v[5])
	w.DurationMS += v[6]
	w.Valid += int(v[7])
	w.Invalid += int(v[8])
	w.FirstResponses += int(v[9])
	w.FirstResponseMS += v[10]
	w.ResponseAvgs += int(v[11])
	w.ResponseAvgMS += v[12]
	w.Invited += int(v[13])
	w.InviteSuccess += int(v[14])
	w.HoldMS += v[15]
	w.HandleMS += v[16]
}

func workloadRows(m map[int64]*sb.WorkloadRow) []sb.WorkloadRow {
	out := make([]sb.WorkloadRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.WorkloadRow) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func rowOf(m map[int64]*sb.WorkloadRow, id int64) *sb.WorkloadRow {
	r := m[id]
	if r == nil {
		r = &sb.WorkloadRow{ID: id}
		m[id] = r
	}
	return r
}

// AgentWorkload implements sb.ReportStore: one row per agent with agent
// facts or ratings counted in the range, by agent ID. GroupIDs narrows by
// the group the agent served the session from.
func (db *DB) AgentWorkload(ctx context.Context, q sb.ReportQuery) ([]sb.WorkloadRow, error) {
	m := make(map[int64]*sb.WorkloadRow)
	err := db.reportRead(ctx, "agent workload", q, func(tx pgx.Tx, _ int64, rollups bool) error {
		f := baseFilter(q)
		filterIn(&f, "agent_id", q.AgentIDs)
		filterIn(&f, "group_id", q.GroupIDs)
		s := splitRange(q.From, q.To, rollups)
		if err := sums(ctx, tx, agentFamily, []string{"agent_id"}, f, s, 0, func(k []any, v []int64) {
			addWorkload(&rowOf(m, *k[0].(*int64)).Workload, v)
		}); err != nil {
			return err
		}
		return sums(ctx, tx, agentRatingFamily, []string{"agent_id"}, f, s, 0, func(k []any, v []int64) {
			r := rowOf(m, *k[0].(*int64))
			r.Ratings += int(v[0])
			r.RatingSum += int(v[1])
		})
	})
	if err != nil {
		return nil, err
	}
	return workloadRows(m), nil
}

// GroupWorkload implements sb.ReportStore: one row per group with group
// facts or session ratings (AgentID 0) counted in the range, by group ID.
// Group facts carry no agent: AgentIDs does not narrow them.
func (db *DB) GroupWorkload(ctx context.Context, q sb.ReportQuery) ([]sb.WorkloadRow, error) {
	m := make(map[int64]*sb.WorkloadRow)
	err := db.reportRead(ctx, "group workload", q, func(tx pgx.Tx, _ int64, rollups bool) error {
		f := baseFilter(q)
		filterIn(&f, "group_id", q.GroupIDs)
		s := splitRange(q.From, q.To, rollups)
		if err := sums(ctx, tx, groupFamily, []string{"group_id"}, f, s, 0, func(k []any, v []int64) {
			addWorkload(&rowOf(m, *k[0].(*int64)).Workload, v)
		}); err != nil {
			return err
		}
		f.add("group_id", "group_id <> 0")
		return sums(ctx, tx, sessionRatingFamily, []string{"group_id"}, f, s, 0, func(k []any, v []int64) {
			r := rowOf(m, *k[0].(*int64))
			r.Ratings += int(v[0])
			r.RatingSum += int(v[1])
		})
	})
	if err != nil {
		return nil, err
	}
	return workloadRows(m), nil
}

// addWaits adds the sums of the waits of one outcome, entered by a
// transfer or not: v is waits, wait, counted, counted wait.
func addWaits(s *sb.QueueSums, outcome string, transfer bool, v []int64) {
	s.Waits += int(v[0])
	s.WaitMS += v[1]
	s.Counted += int(v[2])
	s.CountedMS += v[3]
	switch outcome {
	case sb.WaitOutcomePickedUp:
		s.Successes += int(v[2])
		s.SuccessMS += v[3]
	case sb.WaitOutcomeAbandoned:
		s.VisitorAbandons += int(v[2])
		s.VisitorAbandonMS += v[3]
		fallthrough
	case sb.WaitOutcomeDropped:
		s.Abandons += int(v[2])
		s.AbandonMS += v[3]
	}
	if transfer {
		return
	}
	switch outcome {
	case sb.WaitOutcomePickedUp:
		s.InboundPickedUp += int(v[0])
	case sb.WaitOutcomeAbandoned:
		s.InboundAbandoned += int(v[0])
	case sb.WaitOutcomeDropped:
		s.InboundDropped += int(v[0])
	default:
		return
	}
	s.Inbound += int(v[0])
}

// QueueReport implements sb.ReportStore: one row per group with waits
// that began in the range, by group ID. Every wait counts in Waits;
// Counted and the success and abandon sums take the waits that ended
// after longer than the threshold; Inbound those not entered by a
// transfer that were picked up, given up or dropped.
func (db *DB) QueueReport(ctx context.Context, q sb.ReportQuery) ([]sb.QueueRow, error) {
	m := make(map[int64]*sb.QueueRow)
	err := db.reportRead(ctx, "queue report", q, func(tx pgx.Tx, threshold int64, rollups bool) error {
		f := baseFilter(q)
		filterIn(&f, "group_id", q.GroupIDs)
		return sums(ctx, tx, waitFamily, []string{"group_id", "outcome", "transfer"}, f, splitRange(q.From, q.To, rollups),
			threshold, func(k []any, v []int64) {
				id := *k[0].(*int64)
				r := m[id]
				if r == nil {
					r = &sb.QueueRow{GroupID: id}
					m[id] = r
				}
				addWaits(&r.QueueSums, *k[1].(*string), *k[2].(*bool), v)
			})
	})
	if err != nil {
		return nil, err
	}
	out := make([]sb.QueueRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.QueueRow) int { return cmp.Compare(a.GroupID, b.GroupID) })
	return out, nil
}

// ChannelReport implements sb.ReportStore: one row per channel with
// waits, sessions or session ratings counted in the range, by channel
// (in byte order, as Go compares strings). GroupIDs narrows waits by their
// group, sessions by the group of the first pick-up, ratings by the
// session's group.
func (db *DB) ChannelReport(ctx context.Context, q sb.ReportQuery) ([]sb.ChannelRow, error) {
	m := make(map[sb.Channel]*sb.ChannelRow)
	row := func(k []any) *sb.ChannelRow {
		c := sb.Channel(*k[0].(*string))
		r := m[c]
		if r == nil {
			r = &sb.ChannelRow{Channel: c}
			m[c] = r
		}
		return r
	}
	err := db.reportRead(ctx, "channel report", q, func(tx pgx.Tx, threshold int64, rollups bool) error {
		f := baseFilter(q)
		filterIn(&f, "group_id", q.GroupIDs)
		s := splitRange(q.From, q.To, rollups)
		if err := sums(ctx, tx, waitFamily, []string{"channel", "outcome", "transfer"}, f, s, threshold, func(k []any, v []int64) {
			addWaits(&row(k).QueueSums, *k[1].(*string), *k[2].(*bool), v)
		}); err != nil {
			return err
		}
		if err := sums(ctx, tx, sessionFamily, []string{"channel"}, f, s, 0, func(k []any, v []int64) {
			r := row(k)
			r.Ended += int(v[2])
			r.DurationMS += v[3]
			r.Invited += int(v[4])
			r.InviteSuccess += int(v[5])
		}); err != nil {
			return err
		}
		return sums(ctx, tx, sessionRatingFamily, []string{"channel"}, f, s, 0, func(k []any, v []int64) {
			r := row(k)
			r.Ratings += int(v[0])
			r.RatingSum += int(v[1])
		})
	})
	if err != nil {
		return nil, err
	}
	out := make([]sb.ChannelRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.ChannelRow) int { return strings.Compare(string(a.Channel), string(b.Channel)) })
	return out, nil
}
