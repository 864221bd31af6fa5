package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/report"
)

func ptrF(f float64) *float64 { return &f }

func TestDivRoundRoundsHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		a, b, want int64
		ok         bool
	}{
		{5, 2, 3, true}, {-5, 2, -3, true}, {5, -2, -3, true}, {-5, -2, 3, true},
		{7, 3, 2, true}, {8, 3, 3, true}, {10001, 3, 3334, true}, {10000, 3, 3333, true},
		{0, 7, 0, true}, {1, 0, 0, false}, {0, 0, 0, false},
		{1<<62 + 1, 2, 1<<61 + 1, true}, // no overflow near the top
	} {
		got, ok := report.DivRound(c.a, c.b)
		if got != c.want || ok != c.ok {
			t.Errorf("DivRound(%d, %d) = %d, %v; want %d, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
}

func TestSecondsAndPercentFormats(t *testing.T) {
	for ms, want := range map[int64]string{0: "0.0", 49: "0.0", 50: "0.1", 12345: "12.3", 12350: "12.4",
		3600000: "3600.0", -150: "-0.2", 999949: "999.9", 999950: "1000.0"} {
		if got := report.Seconds(ms); got != want {
			t.Errorf("Seconds(%d) = %q, want %q", ms, got, want)
		}
	}
	for _, c := range []struct {
		f    *float64
		want string
	}{
		{ptrF(1.0 / 3), "33.3%"}, {ptrF(2.0 / 3), "66.7%"}, {ptrF(1.5), "150.0%"}, {ptrF(0), "0.0%"},
		{ptrF(1), "100.0%"}, {ptrF(0.0005), "0.1%"}, {ptrF(0.00049), "0.0%"}, {ptrF(0.1235), "12.4%"}, {nil, ""},
	} {
		if got := report.Percent(c.f); got != c.want {
			t.Errorf("Percent(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// names is a directory of two agents and two groups.
var names = report.Names{
	Agent: func(id int64) string { return map[int64]string{1: "Ana", 2: "Bo, \"the\" Zoë"}[id] },
	Group: func(id int64) string { return map[int64]string{10: "Sales", 20: "Support"}[id] },
}

// A picks up, transfers to B, B transfers back to A, A ends (SPEC §3.1).
func abaWorkload() []sb.WorkloadRow {
	return []sb.WorkloadRow{
		{ID: 2, Workload: sb.Workload{Sessions: 1, PickUps: 1, TransfersIn: 1, TransfersOut: 1, DurationMS: 40_000}},
		{ID: 1, Workload: sb.Workload{Sessions: 1, PickUps: 2, AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1,
			Ended: 1, DurationMS: 100_001, Valid: 1, FirstResponses: 1, FirstResponseMS: 4_500, ResponseAvgs: 1,
			ResponseAvgMS: 7_250, Invited: 1, InviteSuccess: 1, Ratings: 1, RatingSum: 4}},
	}
}

func TestAgentWorkloadColumns(t *testing.T) {
	rows, total := report.AgentWorkload(abaWorkload(), names)
	if len(rows) != 2 || rows[0].AgentName != "Ana" || rows[1].AgentID != 2 {
		t.Fatalf("rows = %+v, want Ana then agent 2", rows)
	}
	a, b := rows[0], rows[1]
	if a.Sessions != 1 || a.PickUps != 2 || a.AccessedFirst != 1 || a.Ended != 1 || b.Sessions != 1 || b.PickUps != 1 || b.Ended != 0 {
		t.Errorf("A = %+v, B = %+v; want A sessions 1 pick-ups 2 ended 1, B 1 and 1, ended 0", a.WorkloadColumns, b.WorkloadColumns)
	}
	if a.AvgDurationMS == nil || *a.AvgDurationMS != 100_001 {
		t.Errorf("A average duration = %v, want 100001", a.AvgDurationMS)
	}
	if b.AvgDurationMS != nil {
		t.Errorf("B ended nothing: average duration = %d, want null", *b.AvgDurationMS)
	}
	if total.Sessions != 2 || total.PickUps != 3 || total.Ended != 1 || total.DurationMS != 140_001 || *total.AvgDurationMS != 140_001 {
		t.Errorf("total = %+v", total)
	}
	js, _ := json.Marshal(b)
	if !strings.Contains(string(js), `"avg_duration":null`) {
		t.Errorf("null average is not null in JSON: %s", js)
	}
}

func TestSatisfactionColumns(t *testing.T) {
	w := []sb.WorkloadRow{{ID: 10, Workload: sb.Workload{Ended: 3, Valid: 2, Invalid: 1, FirstResponseMS: 10_001,
		ResponseAvgMS: 20_000, Invited: 2, InviteSuccess: 1, Ratings: 4, RatingSum: 17}}}
	rows, _ := report.GroupSatisfaction(w, names)
	r := rows[0]
	if r.GroupName != "Sales" || r.Valid != 2 || r.Invalid != 1 || r.FirstResponseMS != 10_001 {
		t.Fatalf("row = %+v", r)
	}
	if *r.AvgFirstResponseMS != 3334 || *r.AvgResponseMS != 6667 {
		t.Errorf("averages = %d, %d; want 3334 (10001/3) and 6667 (20000/3)", *r.AvgFirstResponseMS, *r.AvgResponseMS)
	}
	// Four ratings for three ended sessions: a participation above 100 %.
	if report.Percent(r.ParticipationRate) != "133.3%" || *r.AvgScore != 4.25 {
		t.Errorf("participation %s, score %v; want 133.3%% and 4.25", report.Percent(r.ParticipationRate), *r.AvgScore)
	}
	none, total := report.AgentSatisfaction([]sb.WorkloadRow{{ID: 1}}, names)
	if c := none[0]; c.AvgFirstResponseMS != nil || c.AvgResponseMS != nil || c.ParticipationRate != nil || c.AvgScore != nil || total.AvgScore != nil {
		t.Errorf("nothing ended or rated: %+v, want null averages and rates", c)
	}
}

// A visitor gives up in the queue, queues again and times out, queues
// again and is picked up (SPEC §3.5, §3.6): every wait longer than x.
var giveUpTimeOutPickUp = sb.QueueSums{Waits: 3, WaitMS: 240_000, Counted: 3, CountedMS: 240_000,
	Successes: 1, SuccessMS: 80_000, Abandons: 2, AbandonMS: 160_000, VisitorAbandons: 1, VisitorAbandonMS: 70_000,
	Inbound: 3, InboundPickedUp: 1, InboundAbandoned: 1, InboundDropped: 1}

func TestQueueColumnsSpecExample(t *testing.T) {
	rows, total := report.Queues([]sb.QueueRow{{GroupID: 20, QueueSums: giveUpTimeOutPickUp}, {GroupID: 10}}, names)
	if rows[0].GroupName != "Sales" || rows[1].GroupName != "Support" {
		t.Fatalf("order = %s, %s; want Sales, Support", rows[0].GroupName, rows[1].GroupName)
	}
	r := rows[1]
	if r.Count != 3 || r.Successes != 1 || r.Abandons != 2 || r.VisitorAbandons != 1 {
		t.Errorf("counts = %+v", r.QueueColumns)
	}
	if *r.AvgQueueMS != 80_000 || *r.AvgSuccessMS != 80_000 || *r.AvgAbandonMS != 80_000 || *r.AvgVisitorAbandonMS != 70_000 {
		t.Errorf("averages = %d %d %d %d", *r.AvgQueueMS, *r.AvgSuccessMS, *r.AvgAbandonMS, *r.AvgVisitorAbandonMS)
	}
	if got := report.Percent(r.AbandonRate); got != "66.7%" {
		t.Errorf("abandon rate = %s, want 66.7%% (2 / 3)", got)
	}
	if got := report.Percent(r.VisitorAbandonRate); got != "33.3%" {
		t.Errorf("visitor abandon rate = %s, want 33.3%% (1 / 3)", got)
	}
	if e := rows[0]; e.AvgQueueMS != nil || e.AbandonRate != nil || e.VisitorAbandonRate != nil {
		t.Errorf("an empty group has averages or rates: %+v", e.QueueColumns)
	}
	if total.Count != 3 || *total.AvgQueueMS != 80_000 {
		t.Errorf("total = %+v", total)
	}
}

func TestChannelColumnsSpecExample(t *testing.T) {
	rows, total := report.Channels([]sb.ChannelRow{
		{Channel: sb.ChannelWeb, QueueSums: giveUpTimeOutPickUp, Ended: 1, DurationMS: 300_000, Invited: 1, InviteSuccess: 1, Ratings: 1, RatingSum: 5},
		{Channel: sb.ChannelAPI, QueueSums: sb.QueueSums{Waits: 2, WaitMS: 3}},
	})
	if rows[0].Channel != sb.ChannelAPI || rows[1].Channel != sb.ChannelWeb {
		t.Fatalf("order = %s, %s", rows[0].Channel, rows[1].Channel)
	}
	w := rows[1]
	if w.Inquiries != 3 || w.PickedUp != 1 || w.Abandoned != 1 || w.Dropped != 1 {
		t.Errorf("inquiries %d = picked up %d + abandoned %d + dropped %d; want 3 = 1 + 1 + 1", w.Inquiries, w.PickedUp, w.Abandoned, w.Dropped)
	}
	for name, f := range map[string]*float64{"pick-up": w.PickUpRate, "abandon": w.AbandonRate, "drop": w.DropRate} {
		if got := report.Percent(f); got != "33.3%" {
			t.Errorf("%s rate = %s, want 33.3%%", name, got)
		}
	}
	if *w.AvgDurationMS != 300_000 || *w.AvgQueueMS != 80_000 || report.Percent(w.ParticipationRate) != "100.0%" || *w.AvgScore != 5 {
		t.Errorf("web = %+v", w.ChannelColumns)
	}
	// Two waits of 3 ms in all: 1.5 ms rounds to 2.
	if a := rows[0]; *a.AvgQueueMS != 2 || a.PickUpRate != nil || a.AvgDurationMS != nil {
		t.Errorf("api = %+v", a.ChannelColumns)
	}
	if total.Waits != 5 || total.QueueMS != 240_003 || *total.AvgQueueMS != 48_001 || total.Inquiries != 3 {
		t.Errorf("total = %+v", total)
	}
}

func TestServiceLevelColumns(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rows, total := report.ServiceLevel([]sb.IntervalRow{
		{Start: t0, Offered: 10, Answered: 8, AnsweredWithin: 6, AnswerMS: 160_004, Abandoned: 2, ShortAbandons: 1, LongestMS: 90_000},
		{Start: t0.Add(15 * time.Minute)},
		{Start: t0.Add(30 * time.Minute), Offered: 2, Answered: 2, AnsweredWithin: 2, AnswerMS: 4_000, LongestMS: 3_000},
	})
	r := rows[0]
	// 6 answered within the target of 10 offered less 1 short abandon.
	if report.Percent(r.ServiceLevel) != "66.7%" || *r.AvgAnswerMS != 20_001 || report.Percent(r.AbandonRate) != "11.1%" {
		t.Errorf("row = %s %d %s", report.Percent(r.ServiceLevel), *r.AvgAnswerMS, report.Percent(r.AbandonRate))
	}
	if e := rows[1]; e.ServiceLevel != nil || e.AvgAnswerMS != nil || e.AbandonRate != nil {
		t.Errorf("empty interval = %+v", e)
	}
	if !total.Start.Equal(t0) || total.Offered != 12 || report.Percent(total.ServiceLevel) != "72.7%" || total.LongestMS != 90_000 || *total.AvgAnswerMS != 16_400 {
		t.Errorf("total = %+v", total)
	}
}

func TestTransfersJoinNames(t *testing.T) {
	at := time.Date(2026, 3, 1, 23, 59, 0, 0, time.FixedZone("x", 3600))
	rows := report.Transfers([]sb.TransferFact{
		{SessionID: 5, TransferID: 1, At: at, Kind: "group", FromAgentID: 1, FromAgentName: "old name", ToGroupID: 20, ToAgentID: 9, ToAgentName: "Gone"},
	}, names)
	r := rows[0]
	if r.Date != "2026-03-01" || r.FromAgentName != "Ana" || r.ToGroupName != "Support" || r.ToAgentName != "Gone" {
		t.Errorf("row = %+v", r)
	}
}

func TestCSVIsUTF8WithAHeaderAndOneRowPerAgent(t *testing.T) {
	rows, _ := report.AgentWorkload(abaWorkload(), names)
	var buf bytes.Buffer
	if err := report.AgentWorkloadTable(rows).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("the CSV starts with a byte-order mark")
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Agent ID", "Agent", "Sessions picked up", "Pick-ups", "Sessions accessed first", "Transferred in", "Transferred out",
			"Sessions ended", "Total session duration (s)", "Average session duration (s)", "Hold time (s)", "Handle time (s)"},
		{"1", "Ana", "1", "2", "1", "1", "1", "1", "100.0", "100.0", "0.0", "0.0"},
		{"2", "Bo, \"the\" Zoë", "1", "1", "0", "1", "1", "0", "40.0", "", "0.0", "0.0"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %q", len(recs), len(want), recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q\nwant %q", i, recs[i], want[i])
		}
	}
}

func TestEveryTableHasAsManyCellsAsHeaders(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ms := int64(1500)
	aw, _ := report.AgentWorkload(abaWorkload(), names)
	gw, _ := report.GroupWorkload(abaWorkload(), names)
	as, _ := report.AgentSatisfaction(abaWorkload(), names)
	gs, _ := report.GroupSatisfaction(abaWorkload(), names)
	q, _ := report.Queues([]sb.QueueRow{{GroupID: 10, QueueSums: giveUpTimeOutPickUp}}, names)
	ch, _ := report.Channels([]sb.ChannelRow{{Channel: sb.ChannelWeb, QueueSums: giveUpTimeOutPickUp}})
	sl, _ := report.ServiceLevel([]sb.IntervalRow{{Start: now, Offered: 1}})
	tr := report.Transfers([]sb.TransferFact{{At: now, PickedUpAt: &now, QueueMS: &ms, DurationMS: &ms}}, names)
	qs := report.QueueSessions([]sb.WaitFact{{SessionID: 1, GroupID: 10, At: now, AgentID: 1}}, names)
	tables := map[string]report.Table{
		"agent-workload": report.AgentWorkloadTable(aw), "group-workload": report.GroupWorkloadTable(gw),
		"agent-satisfaction": report.AgentSatisfactionTable(as), "group-satisfaction": report.GroupSatisfactionTable(gs),
		"queues": report.QueueTable(q), "channels": report.ChannelTable(ch), "service-level": report.ServiceLevelTable(sl),
		"transfers": report.TransferTable(tr), "queue-sessions": report.QueueSessionsTable(qs),
	}
	for name, tab := range tables {
		if len(tab.Rows) == 0 {
			t.Errorf("%s: no rows", name)
		}
		seen := map[string]bool{}
		for _, h := range tab.Header {
			if seen[h] {
				t.Errorf("%s: header %q twice", name, h)
			}
			seen[h] = true
		}
		for i, r := range tab.Rows {
			if len(r) != len(tab.Header) {
				t.Errorf("%s row %d: %d cells for %d headers", name, i, len(r), len(tab.Header))
			}
		}
	}
	if got := tables["transfers"].Rows[0]; got[15] != "1.5" || got[14] != "2026-03-01T00:00:00Z" {
		t.Errorf("transfer row = %q", got)
	}
	if got := tables["queue-sessions"].Rows[0]; got[2] != "Sales" || got[11] != "Ana" {
		t.Errorf("queue session row = %q", got)
	}
}
