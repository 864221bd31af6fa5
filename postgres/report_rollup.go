package postgres

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// The rollups are those of the SQLite store (sqlite/report_rollup.go):
// the same tables, keys and values, kept per UTC day, so that both stores
// add up to the same sums.

// reportDayMS is one UTC day in milliseconds: rollups are kept per UTC
// day, the day number being floor(at / reportDayMS).
const reportDayMS = 86_400_000

// dayFloor is a / reportDayMS rounded down.
func dayFloor(a int64) int64 {
	q := a / reportDayMS
	if a%reportDayMS != 0 && a < 0 {
		q--
	}
	return q
}

// dayCeil is a / reportDayMS rounded up.
func dayCeil(a int64) int64 { return -dayFloor(-a) }

// daySQL is dayFloor(at) in SQL, where / on integers truncates toward zero.
const daySQL = `(CASE WHEN at >= 0 THEN at / 86400000 ELSE -((-at - 1) / 86400000) - 1 END)`

// rollKey is the key of one rollup row; a table keeps the fields its key
// columns name and leaves the others zero.
type rollKey struct {
	day            int64
	agent, group   int64
	channel, entry string
	outcome        string
	transfer       bool
}

// keyType is the SQL type of a rollup key column.
func keyType(c string) string {
	switch c {
	case "agent_id", "group_id":
		return "bigint"
	case "channel", "entry", "outcome":
		return "text"
	case "transfer":
		return "boolean"
	}
	panic("rollup: unknown key column " + c)
}

// family is the rollups of one kind of fact: the same values, kept by
// several keys. A query reads the smallest table whose key holds every
// column it groups or filters by.
type family struct {
	facts string
	// where selects the facts the family adds up ("" for all).
	where string
	// vals are the value columns; the first counts facts, and a row whose
	// count reaches 0 is deleted.
	vals []string
	// raw are the values' expressions over one fact row ("{x}" is the
	// placeholder of the queue threshold in milliseconds).
	raw []string
	// tables, smallest key first; the last holds every key column.
	tables []*rollup
}

// rollup is one rollup table.
type rollup struct {
	table string
	keys  []string
	fam   *family
}

func newFamily(facts, where string, vals, raw []string, tables ...*rollup) *family {
	f := &family{facts: facts, where: where, vals: vals, raw: raw, tables: tables}
	if raw == nil {
		// Fact columns carry the value names, except the fact count.
		f.raw = append([]string{"1"}, vals[1:]...)
	}
	for _, t := range tables {
		t.fam = f
	}
	return f
}

func rollupTable(name string, keys ...string) *rollup { return &rollup{table: name, keys: keys} }

var (
	workloadVals = []string{"sessions", "pick_ups", "accessed_first", "transfers_in", "transfers_out", "ended", "duration",
		"valid", "invalid", "first_responses", "first_response", "response_avgs", "response_avg", "invited", "invite_success",
		"hold", "handle"}

	agentFamily = newFamily("report_agent_facts", "", workloadVals, nil,
		rollupTable("report_agent_days_g", "agent_id", "group_id"),
		rollupTable("report_agent_days_c", "agent_id", "group_id", "channel"),
		rollupTable("report_agent_days", "agent_id", "group_id", "channel", "entry"))
	groupFamily = newFamily("report_group_facts", "", workloadVals, nil,
		rollupTable("report_group_days_g", "group_id"),
		rollupTable("report_group_days_c", "group_id", "channel"),
		rollupTable("report_group_days", "group_id", "channel", "entry"))
	waitFamily = newFamily("report_wait_facts", "", []string{"waits", "wait", "counted", "counted_wait"},
		[]string{"1", "wait", "(wait > {x} AND outcome <> 'waiting')::integer",
			"(CASE WHEN wait > {x} AND outcome <> 'waiting' THEN wait ELSE 0 END)"},
		rollupTable("report_wait_days_ch", "channel", "outcome", "transfer"),
		rollupTable("report_wait_days_g", "group_id", "outcome", "transfer"),
		rollupTable("report_wait_days_c", "group_id", "channel", "outcome", "transfer"),
		rollupTable("report_wait_days", "group_id", "channel", "entry", "outcome", "transfer"))
	sessionFamily = newFamily("report_session_facts", "",
		[]string{"sessions", "picked_up", "ended", "duration", "invited", "invite_success", "hold", "handle"}, nil,
		rollupTable("report_session_days_ch", "channel"),
		rollupTable("report_session_days", "group_id", "channel", "entry"))
	// Ratings counted for agents, and the sessions' own (AgentID 0).
	agentRatingFamily = newFamily("report_rating_facts", "agent_id <> 0", []string{"ratings", "rating_sum"}, []string{"1", "rating"},
		rollupTable("report_rating_days_g", "agent_id", "group_id"),
		rollupTable("report_rating_days_c", "agent_id", "group_id", "channel"),
		rollupTable("report_rating_days", "agent_id", "group_id", "channel", "entry"))
	sessionRatingFamily = newFamily("report_rating_facts", "agent_id = 0", []string{"ratings", "rating_sum"}, []string{"1", "rating"},
		rollupTable("report_session_rating_days_ch", "channel"),
		rollupTable("report_session_rating_days_g", "group_id"),
		rollupTable("report_session_rating_days", "group_id", "channel", "entry"))

	families = []*family{agentFamily, groupFamily, waitFamily, sessionFamily, agentRatingFamily, sessionRatingFamily}
)

// rollups lists every rollup table.
func rollups() []*rollup {
	var out []*rollup
	for _, f := range families {
		out = append(out, f.tables...)
	}
	return out
}

// pick returns the smallest table whose key holds every column in cols.
func (f *family) pick(cols []string) *rollup {
	for _, t := range f.tables {
		if !slices.ContainsFunc(cols, func(c string) bool { return !slices.Contains(t.keys, c) }) {
			return t
		}
	}
	return f.tables[len(f.tables)-1]
}

// usesThreshold reports whether the family's values depend on the queue
// threshold.
func (f *family) usesThreshold() bool {
	return slices.ContainsFunc(f.raw, func(e string) bool { return strings.Contains(e, "{x}") })
}

// rawExpr is the expression of value i over one fact row, x the
// placeholder of the threshold.
func (f *family) rawExpr(i int, x string) string { return strings.ReplaceAll(f.raw[i], "{x}", x) }

func (r *rollup) project(k rollKey) rollKey {
	p := rollKey{day: k.day}
	for _, c := range r.keys {
		switch c {
		case "agent_id":
			p.agent = k.agent
		case "group_id":
			p.group = k.group
		case "channel":
			p.channel = k.channel
		case "entry":
			p.entry = k.entry
		case "outcome":
			p.outcome = k.outcome
		case "transfer":
			p.transfer = k.transfer
		}
	}
	return p
}

// unnestSQL is "unnest($1::bigint[], …)" over the day and key columns,
// then n bigint value columns.
func (r *rollup) unnestSQL(n int) string {
	types := []string{"bigint"}
	for _, c := range r.keys {
		types = append(types, keyType(c))
	}
	for range n {
		types = append(types, "bigint")
	}
	args := make([]string, len(types))
	for i, t := range types {
		args[i] = fmt.Sprintf("$%d::%s[]", i+1, t)
	}
	return "unnest(" + strings.Join(args, ", ") + ")"
}

// upsertSQL adds rows of values to the rollup, given as arrays.
func (r *rollup) upsertSQL() string {
	cols := append([]string{"day"}, r.keys...)
	set := make([]string, len(r.fam.vals))
	for i, v := range r.fam.vals {
		set[i] = fmt.Sprintf("%s = %s.%s + excluded.%s", v, r.table, v, v)
	}
	return fmt.Sprintf("INSERT INTO %s (%s, %s) SELECT * FROM %s ON CONFLICT (%s) DO UPDATE SET %s",
		r.table, strings.Join(cols, ", "), strings.Join(r.fam.vals, ", "), r.unnestSQL(len(r.fam.vals)),
		strings.Join(cols, ", "), strings.Join(set, ", "))
}

// deleteEmptySQL deletes the rows of the keys given as arrays whose count
// is 0.
func (r *rollup) deleteEmptySQL() string {
	cols := append([]string{"day"}, r.keys...)
	return fmt.Sprintf("DELETE FROM %s WHERE (%s) IN (SELECT * FROM %s) AND %s = 0", r.table, strings.Join(cols, ", "),
		r.unnestSQL(0), r.fam.vals[0])
}

// freshSQL adds the rollup up from its facts; x is the placeholder of the
// queue threshold ("" when the family does not use it).
func (r *rollup) freshSQL(x string) string {
	sums := make([]string, len(r.fam.raw))
	for i := range r.fam.raw {
		sums[i] = "SUM(" + r.fam.rawExpr(i, x) + ")::bigint"
	}
	where := ""
	if r.fam.where != "" {
		where = " WHERE " + r.fam.where
	}
	return fmt.Sprintf("SELECT %s AS day, %s, %s FROM %s%s GROUP BY 1, %s", daySQL, strings.Join(r.keys, ", "),
		strings.Join(sums, ", "), r.fam.facts, where, strings.Join(r.keys, ", "))
}

// rebuildSQL fills the rollup from its facts, the queue threshold in $1
// where the family uses it.
func (r *rollup) rebuildSQL() string {
	return fmt.Sprintf("INSERT INTO %s (day, %s, %s) %s", r.table, strings.Join(r.keys, ", "),
		strings.Join(r.fam.vals, ", "), r.freshSQL("$1::bigint"))
}

// deltas are the changes to the rollups a batch of PutFacts makes, added
// up in memory first so each rollup row is written once per batch.
type deltas struct {
	thresholdMS int64
	m           map[*rollup]map[rollKey][]int64
}

func newDeltas(thresholdMS int64) *deltas {
	d := &deltas{thresholdMS: thresholdMS, m: make(map[*rollup]map[rollKey][]int64)}
	for _, r := range rollups() {
		d.m[r] = make(map[rollKey][]int64)
	}
	return d
}

func (d *deltas) add(f *family, k rollKey, sign int64, vals ...int64) {
	for _, r := range f.tables {
		pk := r.project(k)
		cur := d.m[r][pk]
		if cur == nil {
			cur = make([]int64, len(f.vals))
			d.m[r][pk] = cur
		}
		for i, v := range vals {
			cur[i] += sign * v
		}
	}
}

func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func dayOf(t int64) int64 { return dayFloor(t) }

// addFacts adds (sign 1) or subtracts (sign -1) one session's facts.
func (d *deltas) addFacts(f *sb.SessionFacts, sign int64) {
	s := &f.Session
	d.add(sessionFamily, rollKey{day: dayOf(factMS(s.At)), channel: string(s.Channel), entry: s.Entry, group: s.GroupID}, sign,
		1, int64(s.PickedUp), int64(s.Ended), s.DurationMS, int64(s.Invited), int64(s.InviteSuccess), s.HoldMS, s.HandleMS)
	for i := range f.Agents {
		a := &f.Agents[i]
		d.add(agentFamily, rollKey{day: dayOf(factMS(a.At)), agent: a.AgentID, group: a.GroupID, channel: string(a.Channel), entry: a.Entry}, sign,
			1, int64(a.PickUps), int64(a.AccessedFirst), int64(a.TransfersIn), int64(a.TransfersOut), int64(a.Ended), a.DurationMS,
			int64(a.Valid), int64(a.Invalid), int64(a.FirstResponses), a.FirstResponseMS, int64(a.ResponseAvgs), a.ResponseAvgMS,
			int64(a.Invited), int64(a.InviteSuccess), a.HoldMS, a.HandleMS)
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		d.add(groupFamily, rollKey{day: dayOf(factMS(g.At)), group: g.GroupID, channel: string(g.Channel), entry: g.Entry}, sign,
			1, int64(g.PickUps), int64(g.AccessedFirst), int64(g.TransfersIn), int64(g.TransfersOut), int64(g.Ended), g.DurationMS,
			int64(g.Valid), int64(g.Invalid), int64(g.FirstResponses), g.FirstResponseMS, int64(g.ResponseAvgs), g.ResponseAvgMS,
			int64(g.Invited), int64(g.InviteSuccess), g.HoldMS, g.HandleMS)
	}
	for i := range f.Waits {
		w := &f.Waits[i]
		counted := flag(w.WaitMS > d.thresholdMS && w.Outcome != sb.WaitOutcomeWaiting)
		d.add(waitFamily, rollKey{day: dayOf(factMS(w.At)), group: w.GroupID, channel: string(w.Channel), entry: w.Entry,
			outcome: w.Outcome, transfer: w.Transfer}, sign, 1, w.WaitMS, counted, counted*w.WaitMS)
	}
	for i := range f.Ratings {
		r := &f.Ratings[i]
		fam := agentRatingFamily
		if r.AgentID == 0 {
			fam = sessionRatingFamily
		}
		d.add(fam, rollKey{day: dayOf(factMS(r.At)), agent: r.AgentID, group: r.GroupID, channel: string(r.Channel), entry: r.Entry}, sign,
			1, int64(r.Rating))
	}
}

// keyArrays collects rollup keys column by column, as the arrays the
// unnest of upsertSQL and deleteEmptySQL takes.
type keyArrays struct {
	r    *rollup
	day  []int64
	cols []any // per key column: []int64, []string or []bool
}

func newKeyArrays(r *rollup) *keyArrays {
	a := &keyArrays{r: r}
	for _, c := range r.keys {
		switch keyType(c) {
		case "bigint":
			a.cols = append(a.cols, []int64(nil))
		case "text":
			a.cols = append(a.cols, []string(nil))
		default:
			a.cols = append(a.cols, []bool(nil))
		}
	}
	return a
}

func (a *keyArrays) add(k rollKey) {
	a.day = append(a.day, k.day)
	for i, c := range a.r.keys {
		switch c {
		case "agent_id":
			a.cols[i] = append(a.cols[i].([]int64), k.agent)
		case "group_id":
			a.cols[i] = append(a.cols[i].([]int64), k.group)
		case "channel":
			a.cols[i] = append(a.cols[i].([]string), k.channel)
		case "entry":
			a.cols[i] = append(a.cols[i].([]string), k.entry)
		case "outcome":
			a.cols[i] = append(a.cols[i].([]string), k.outcome)
		case "transfer":
			a.cols[i] = append(a.cols[i].([]bool), k.transfer)
		}
	}
}

func (a *keyArrays) args() []any { return append([]any{a.day}, a.cols...) }

// queue queues the statements that write the deltas to the rollup
// tables: for each table one upsert of every changed row, given as
// arrays, and one delete of the rows whose count fell to 0.
func (d *deltas) queue(b *pgx.Batch) {
	for _, r := range rollups() {
		m := d.m[r]
		if len(m) == 0 {
			continue
		}
		keys, emptied := newKeyArrays(r), newKeyArrays(r)
		vals := make([][]int64, len(r.fam.vals))
		for k, v := range m {
			if !slices.ContainsFunc(v, func(x int64) bool { return x != 0 }) {
				continue
			}
			keys.add(k)
			for i := range v {
				vals[i] = append(vals[i], v[i])
			}
			if v[0] < 0 {
				emptied.add(k)
			}
		}
		if len(keys.day) == 0 {
			continue
		}
		args := keys.args()
		for _, v := range vals {
			args = append(args, v)
		}
		b.Queue(r.upsertSQL(), args...)
		if len(emptied.day) > 0 {
			b.Queue(r.deleteEmptySQL(), emptied.args()...)
		}
	}
}
