package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

// dayMS is one UTC day in milliseconds: rollups are kept per UTC day, the
// day number being floor(at / dayMS).
const dayMS = 86_400_000

// floorDiv is a / b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// ceilDiv is a / b rounded up (b > 0).
func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// daySQL is floorDiv(at, dayMS) in SQL, where / truncates toward zero.
const daySQL = `(CASE WHEN at >= 0 THEN at / 86400000 ELSE -((-at - 1) / 86400000) - 1 END)`

// rollKey is the key of one rollup row; a table keeps the fields its key
// columns name and leaves the others zero.
type rollKey struct {
	day            int64
	agent, group   int64
	channel, entry string
	outcome        string
	transfer       int64
}

func (k rollKey) col(c string) any {
	switch c {
	case "agent_id":
		return k.agent
	case "group_id":
		return k.group
	case "channel":
		return k.channel
	case "entry":
		return k.entry
	case "outcome":
		return k.outcome
	case "transfer":
		return k.transfer
	}
	panic("rollup: unknown key column " + c)
}

// family is the rollups of one kind of fact: the same values, kept by
// several keys. A query reads the smallest table whose key holds every
// column it groups or filters by: the one by agent and group holds a few
// hundred rows a day where the one by every dimension holds thousands.
type family struct {
	facts string
	// where selects the facts the family adds up ("" for all).
	where string
	// vals are the value columns; the first counts facts, and a row whose
	// count reaches 0 is deleted.
	vals []string
	// raw are the values' expressions over one fact row ("{x}" is the
	// queue threshold in milliseconds).
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

func table(name string, keys ...string) *rollup { return &rollup{table: name, keys: keys} }

var (
	workloadVals = []string{"sessions", "pick_ups", "accessed_first", "transfers_in", "transfers_out", "ended", "duration",
		"valid", "invalid", "first_responses", "first_response", "response_avgs", "response_avg", "invited", "invite_success",
		"hold", "handle"}

	agentFamily = newFamily("report_agent_facts", "", workloadVals, nil,
		table("report_agent_days_g", "agent_id", "group_id"),
		table("report_agent_days_c", "agent_id", "group_id", "channel"),
		table("report_agent_days", "agent_id", "group_id", "channel", "entry"))
	groupFamily = newFamily("report_group_facts", "", workloadVals, nil,
		table("report_group_days_g", "group_id"),
		table("report_group_days_c", "group_id", "channel"),
		table("report_group_days", "group_id", "channel", "entry"))
	waitFamily = newFamily("report_wait_facts", "", []string{"waits", "wait", "counted", "counted_wait"},
		[]string{"1", "wait", "(wait > {x} AND outcome <> 'waiting')", "(CASE WHEN wait > {x} AND outcome <> 'waiting' THEN wait ELSE 0 END)"},
		table("report_wait_days_ch", "channel", "outcome", "transfer"),
		table("report_wait_days_g", "group_id", "outcome", "transfer"),
		table("report_wait_days_c", "group_id", "channel", "outcome", "transfer"),
		table("report_wait_days", "group_id", "channel", "entry", "outcome", "transfer"))
	sessionFamily = newFamily("report_session_facts", "",
		[]string{"sessions", "picked_up", "ended", "duration", "invited", "invite_success", "hold", "handle"}, nil,
		table("report_session_days_ch", "channel"),
		table("report_session_days", "group_id", "channel", "entry"))
	// Ratings counted for agents, and the sessions' own (AgentID 0).
	agentRatingFamily = newFamily("report_rating_facts", "agent_id <> 0", []string{"ratings", "rating_sum"}, []string{"1", "rating"},
		table("report_rating_days_g", "agent_id", "group_id"),
		table("report_rating_days_c", "agent_id", "group_id", "channel"),
		table("report_rating_days", "agent_id", "group_id", "channel", "entry"))
	sessionRatingFamily = newFamily("report_rating_facts", "agent_id = 0", []string{"ratings", "rating_sum"}, []string{"1", "rating"},
		table("report_session_rating_days_ch", "channel"),
		table("report_session_rating_days_g", "group_id"),
		table("report_session_rating_days", "group_id", "channel", "entry"))

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

// rawExpr is the expression of value i over one fact row.
func (f *family) rawExpr(i int, thresholdMS int64) string {
	return strings.ReplaceAll(f.raw[i], "{x}", strconv.FormatInt(thresholdMS, 10))
}

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

func (r *rollup) upsertSQL() string {
	cols := append([]string{"day"}, r.keys...)
	var set []string
	for _, v := range r.fam.vals {
		set = append(set, v+" = "+v+" + excluded."+v)
	}
	return fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
		r.table, strings.Join(cols, ", "), strings.Join(r.fam.vals, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)+len(r.fam.vals)), ", "),
		strings.Join(cols, ", "), strings.Join(set, ", "))
}

func (r *rollup) deleteEmptySQL() string {
	var where []string
	for _, c := range append([]string{"day"}, r.keys...) {
		where = append(where, c+" = ?")
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s AND %s = 0", r.table, strings.Join(where, " AND "), r.fam.vals[0])
}

// freshSQL adds the rollup up from its facts.
func (r *rollup) freshSQL(thresholdMS int64) string {
	var sums []string
	for i := range r.fam.raw {
		sums = append(sums, "SUM("+r.fam.rawExpr(i, thresholdMS)+")")
	}
	where := ""
	if r.fam.where != "" {
		where = " WHERE " + r.fam.where
	}
	return fmt.Sprintf("SELECT %s AS day, %s, %s FROM %s%s GROUP BY 1, %s", daySQL, strings.Join(r.keys, ", "),
		strings.Join(sums, ", "), r.fam.facts, where, strings.Join(r.keys, ", "))
}

// rebuildSQL fills the rollup from its facts.
func (r *rollup) rebuildSQL(thresholdMS int64) string {
	return fmt.Sprintf("INSERT INTO %s (day, %s, %s) %s", r.table, strings.Join(r.keys, ", "),
		strings.Join(r.fam.vals, ", "), r.freshSQL(thresholdMS))
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

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func dayOf(t int64) int64 { return floorDiv(t, dayMS) }

// addFacts adds (sign 1) or subtracts (sign -1) one session's facts.
func (d *deltas) addFacts(f *sb.SessionFacts, sign int64) {
	s := &f.Session
	d.add(sessionFamily, rollKey{day: dayOf(ms(s.At)), channel: string(s.Channel), entry: s.Entry, group: s.GroupID}, sign,
		1, int64(s.PickedUp), int64(s.Ended), s.DurationMS, int64(s.Invited), int64(s.InviteSuccess), s.HoldMS, s.HandleMS)
	for i := range f.Agents {
		a := &f.Agents[i]
		d.add(agentFamily, rollKey{day: dayOf(ms(a.At)), agent: a.AgentID, group: a.GroupID, channel: string(a.Channel), entry: a.Entry}, sign,
			1, int64(a.PickUps), int64(a.AccessedFirst), int64(a.TransfersIn), int64(a.TransfersOut), int64(a.Ended), a.DurationMS,
			int64(a.Valid), int64(a.Invalid), int64(a.FirstResponses), a.FirstResponseMS, int64(a.ResponseAvgs), a.ResponseAvgMS,
			int64(a.Invited), int64(a.InviteSuccess), a.HoldMS, a.HandleMS)
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		d.add(groupFamily, rollKey{day: dayOf(ms(g.At)), group: g.GroupID, channel: string(g.Channel), entry: g.Entry}, sign,
			1, int64(g.PickUps), int64(g.AccessedFirst), int64(g.TransfersIn), int64(g.TransfersOut), int64(g.Ended), g.DurationMS,
			int64(g.Valid), int64(g.Invalid), int64(g.FirstResponses), g.FirstResponseMS, int64(g.ResponseAvgs), g.ResponseAvgMS,
			int64(g.Invited), int64(g.InviteSuccess), g.HoldMS, g.HandleMS)
	}
	for i := range f.Waits {
		w := &f.Waits[i]
		counted := b2i(w.WaitMS > d.thresholdMS && w.Outcome != sb.WaitOutcomeWaiting)
		d.add(waitFamily, rollKey{day: dayOf(ms(w.At)), group: w.GroupID, channel: string(w.Channel), entry: w.Entry,
			outcome: w.Outcome, transfer: b2i(w.Transfer)}, sign, 1, w.WaitMS, counted, counted*w.WaitMS)
	}
	for i := range f.Ratings {
		r := &f.Ratings[i]
		fam := agentRatingFamily
		if r.AgentID == 0 {
			fam = sessionRatingFamily
		}
		d.add(fam, rollKey{day: dayOf(ms(r.At)), agent: r.AgentID, group: r.GroupID, channel: string(r.Channel), entry: r.Entry}, sign,
			1, int64(r.Rating))
	}
}

// apply writes the deltas to the rollup tables.
func (d *deltas) apply(ctx context.Context, db *DB, tx *sql.Tx) error {
	for _, r := range rollups() {
		if len(d.m[r]) == 0 {
			continue
		}
		up, err := db.txStmt(ctx, tx, r.upsertSQL())
		if err != nil {
			return fmt.Errorf("prepare %s: %w", r.table, err)
		}
		defer up.Close()
		del, err := db.txStmt(ctx, tx, r.deleteEmptySQL())
		if err != nil {
			return fmt.Errorf("prepare %s: %w", r.table, err)
		}
		defer del.Close()
		args := make([]any, 0, 1+len(r.keys)+len(r.fam.vals))
		for k, vals := range d.m[r] {
			zero := true
			for _, v := range vals {
				zero = zero && v == 0
			}
			if zero {
				continue
			}
			args = append(args[:0], k.day)
			for _, c := range r.keys {
				args = append(args, k.col(c))
			}
			nk := len(args)
			for _, v := range vals {
				args = append(args, v)
			}
			if _, err := up.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("update %s: %w", r.table, err)
			}
			if vals[0] < 0 {
				if _, err := del.ExecContext(ctx, args[:nk]...); err != nil {
					return fmt.Errorf("update %s: %w", r.table, err)
				}
			}
		}
	}
	return nil
}
