package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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

// rollKey is the key of one rollup row. Which fields a table uses, and
// what a and b mean there, is its rollup's business.
type rollKey struct {
	day            int64
	a, b           int64
	channel, entry string
	outcome        string
	flag           int64
}

// rollup describes one rollup table: its key columns (after day), its
// value columns (the first one counts facts: a row whose count reaches 0
// is deleted), and the expressions that compute the values from one row
// of its fact table (for the edges of a query and for rebuilds).
type rollup struct {
	table, facts string
	keys         []string
	vals         []string
	raw          []string
	keyArgs      func(k rollKey) []any
}

var (
	workloadVals = []string{"sessions", "pick_ups", "accessed_first", "transfers_in", "transfers_out", "ended", "duration",
		"valid", "invalid", "first_responses", "first_response", "response_avgs", "response_avg", "invited", "invite_success"}

	agentRollup = &rollup{
		table: "report_agent_days", facts: "report_agent_facts",
		keys:    []string{"agent_id", "group_id", "channel", "entry"},
		vals:    append(append([]string(nil), workloadVals...), "hold", "handle"),
		keyArgs: func(k rollKey) []any { return []any{k.day, k.a, k.b, k.channel, k.entry} },
	}
	groupRollup = &rollup{
		table: "report_group_days", facts: "report_group_facts",
		keys:    []string{"group_id", "channel", "entry"},
		vals:    workloadVals,
		keyArgs: func(k rollKey) []any { return []any{k.day, k.a, k.channel, k.entry} },
	}
	// waitRollup's raw expressions hold the threshold as "{x}".
	waitRollup = &rollup{
		table: "report_wait_days", facts: "report_wait_facts",
		keys:    []string{"group_id", "channel", "entry", "outcome", "transfer"},
		vals:    []string{"waits", "wait", "counted", "counted_wait"},
		raw:     []string{"1", "wait", "(wait > {x})", "(CASE WHEN wait > {x} THEN wait ELSE 0 END)"},
		keyArgs: func(k rollKey) []any { return []any{k.day, k.a, k.channel, k.entry, k.outcome, k.flag} },
	}
	sessionRollup = &rollup{
		table: "report_session_days", facts: "report_session_facts",
		keys:    []string{"channel", "entry", "group_id"},
		vals:    []string{"sessions", "picked_up", "ended", "duration", "invited", "invite_success", "hold", "handle"},
		keyArgs: func(k rollKey) []any { return []any{k.day, k.channel, k.entry, k.a} },
	}
	ratingRollup = &rollup{
		table: "report_rating_days", facts: "report_rating_facts",
		keys:    []string{"agent_id", "group_id", "channel", "entry"},
		vals:    []string{"ratings", "rating_sum"},
		raw:     []string{"1", "rating"},
		keyArgs: func(k rollKey) []any { return []any{k.day, k.a, k.b, k.channel, k.entry} },
	}
	rollups = []*rollup{agentRollup, groupRollup, waitRollup, sessionRollup, ratingRollup}
)

func init() {
	// Fact columns carry the rollup's value names, except the fact count.
	for _, r := range []*rollup{agentRollup, groupRollup, sessionRollup} {
		r.raw = append([]string{"1"}, r.vals[1:]...)
	}
}

// rawExpr is the expression of value i over one fact row.
func (r *rollup) rawExpr(i int, thresholdMS int64) string {
	return strings.ReplaceAll(r.raw[i], "{x}", strconv.FormatInt(thresholdMS, 10))
}

func (r *rollup) upsertSQL() string {
	cols := append([]string{"day"}, r.keys...)
	var set []string
	for _, v := range r.vals {
		set = append(set, v+" = "+v+" + excluded."+v)
	}
	return fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
		r.table, strings.Join(cols, ", "), strings.Join(r.vals, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)+len(r.vals)), ", "),
		strings.Join(cols, ", "), strings.Join(set, ", "))
}

func (r *rollup) deleteEmptySQL() string {
	var where []string
	for _, c := range append([]string{"day"}, r.keys...) {
		where = append(where, c+" = ?")
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s AND %s = 0", r.table, strings.Join(where, " AND "), r.vals[0])
}

// rebuildSQL fills the rollup from its fact table.
func (r *rollup) rebuildSQL(thresholdMS int64) string {
	var sums []string
	for i := range r.raw {
		sums = append(sums, "SUM("+r.rawExpr(i, thresholdMS)+")")
	}
	return fmt.Sprintf("INSERT INTO %s (day, %s, %s) SELECT %s AS day, %s, %s FROM %s GROUP BY 1, %s",
		r.table, strings.Join(r.keys, ", "), strings.Join(r.vals, ", "),
		daySQL, strings.Join(r.keys, ", "), strings.Join(sums, ", "), r.facts, strings.Join(r.keys, ", "))
}

// deltas are the changes to the rollups a batch of PutFacts makes, added
// up in memory first so each rollup row is written once per batch.
type deltas struct {
	thresholdMS int64
	m           map[*rollup]map[rollKey][]int64
}

func newDeltas(thresholdMS int64) *deltas {
	d := &deltas{thresholdMS: thresholdMS, m: make(map[*rollup]map[rollKey][]int64, len(rollups))}
	for _, r := range rollups {
		d.m[r] = make(map[rollKey][]int64)
	}
	return d
}

func (d *deltas) add(r *rollup, k rollKey, sign int64, vals ...int64) {
	cur := d.m[r][k]
	if cur == nil {
		cur = make([]int64, len(r.vals))
		d.m[r][k] = cur
	}
	for i, v := range vals {
		cur[i] += sign * v
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
	d.add(sessionRollup, rollKey{day: dayOf(ms(s.At)), channel: string(s.Channel), entry: s.Entry, a: s.GroupID}, sign,
		1, int64(s.PickedUp), int64(s.Ended), s.DurationMS, int64(s.Invited), int64(s.InviteSuccess), s.HoldMS, s.HandleMS)
	for i := range f.Agents {
		a := &f.Agents[i]
		d.add(agentRollup, rollKey{day: dayOf(ms(a.At)), a: a.AgentID, b: a.GroupID, channel: string(a.Channel), entry: a.Entry}, sign,
			1, int64(a.PickUps), int64(a.AccessedFirst), int64(a.TransfersIn), int64(a.TransfersOut), int64(a.Ended), a.DurationMS,
			int64(a.Valid), int64(a.Invalid), int64(a.FirstResponses), a.FirstResponseMS, int64(a.ResponseAvgs), a.ResponseAvgMS,
			int64(a.Invited), int64(a.InviteSuccess), a.HoldMS, a.HandleMS)
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		d.add(groupRollup, rollKey{day: dayOf(ms(g.At)), a: g.GroupID, channel: string(g.Channel), entry: g.Entry}, sign,
			1, int64(g.PickUps), int64(g.AccessedFirst), int64(g.TransfersIn), int64(g.TransfersOut), int64(g.Ended), g.DurationMS,
			int64(g.Valid), int64(g.Invalid), int64(g.FirstResponses), g.FirstResponseMS, int64(g.ResponseAvgs), g.ResponseAvgMS,
			int64(g.Invited), int64(g.InviteSuccess))
	}
	for i := range f.Waits {
		w := &f.Waits[i]
		counted := w.WaitMS > d.thresholdMS
		d.add(waitRollup, rollKey{day: dayOf(ms(w.At)), a: w.GroupID, channel: string(w.Channel), entry: w.Entry,
			outcome: w.Outcome, flag: b2i(w.Transfer)}, sign, 1, w.WaitMS, b2i(counted), b2i(counted)*w.WaitMS)
	}
	for i := range f.Ratings {
		r := &f.Ratings[i]
		d.add(ratingRollup, rollKey{day: dayOf(ms(r.At)), a: r.AgentID, b: r.GroupID, channel: string(r.Channel), entry: r.Entry}, sign,
			1, int64(r.Rating))
	}
}

// apply writes the deltas to the rollup tables.
func (d *deltas) apply(ctx context.Context, tx *sql.Tx) error {
	for _, r := range rollups {
		if len(d.m[r]) == 0 {
			continue
		}
		up, err := tx.PrepareContext(ctx, r.upsertSQL())
		if err != nil {
			return fmt.Errorf("prepare %s: %w", r.table, err)
		}
		defer up.Close()
		del, err := tx.PrepareContext(ctx, r.deleteEmptySQL())
		if err != nil {
			return fmt.Errorf("prepare %s: %w", r.table, err)
		}
		defer del.Close()
		args := make([]any, 0, 6+len(r.vals))
		for k, vals := range d.m[r] {
			zero := true
			for _, v := range vals {
				zero = zero && v == 0
			}
			if zero {
				continue
			}
			args = append(args[:0], r.keyArgs(k)...)
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
