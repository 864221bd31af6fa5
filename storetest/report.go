package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// thresholdSetter is implemented by stores whose queue threshold can be
// configured; the suite then checks reports after a change.
type thresholdSetter interface {
	SetQueueThreshold(ctx context.Context, d time.Duration) error
}

// RunReports runs the report store suite. open must return a new, empty
// store.
func RunReports(t *testing.T, open func(t *testing.T) sb.ReportStore) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, sb.ReportStore)
	}{
		{"FactsRoundTrip", testReportFactsRoundTrip},
		{"ReplaceFacts", testReportReplaceFacts},
		{"ResetAndCheckpoint", testReportReset},
		{"RejectsBadFacts", testReportRejectsBadFacts},
		{"AgentTransferExample", testReportAgentTransferExample},
		{"GroupExample", testReportGroupExample},
		{"QueueExample", testReportQueueExample},
		{"ChannelExample", testReportChannelExample},
		{"Ratings", testReportRatings},
		{"Filters", testReportFilters},
		{"PartialDays", testReportPartialDays},
		{"Transfers", testReportTransfers},
		{"QueueSessions", testReportQueueSessions},
		{"ServiceLevel", testReportServiceLevel},
		{"RandomAgainstScan", testReportRandom},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

// day0 is a UTC midnight; the report tests count days from it.
var day0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func at(day int, clock string) time.Time {
	d, err := time.ParseDuration(clock)
	if err != nil {
		panic(err)
	}
	return day0.AddDate(0, 0, day).Add(d)
}

func put(t *testing.T, st sb.ReportStore, checkpoint int64, facts ...sb.SessionFacts) {
	t.Helper()
	if err := st.PutFacts(context.Background(), facts, checkpoint); err != nil {
		t.Fatal(err)
	}
}

// whole is a range around every fact of the tests.
func whole() sb.ReportQuery {
	return sb.ReportQuery{From: day0.AddDate(0, 0, -30), To: day0.AddDate(0, 0, 30)}
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func agentWorkload(t *testing.T, st sb.ReportStore, q sb.ReportQuery) []sb.WorkloadRow {
	t.Helper()
	rows, err := st.AgentWorkload(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sessionsOf(rows []sb.WorkloadRow) map[int64]int {
	m := map[int64]int{}
	for _, r := range rows {
		m[r.ID] = r.Sessions
	}
	return m
}

// simple is a session with one agent fact and one wait.
func simple(id, agent, group int64, ch sb.Channel, entry string, when time.Time) sb.SessionFacts {
	return sb.SessionFacts{SessionID: id, Seq: 5,
		Session: sb.SessionFact{SessionID: id, Channel: ch, Entry: entry, GroupID: group, At: when, PickedUp: 1, Ended: 1,
			DurationMS: 60_000},
		Agents: []sb.AgentFact{{SessionID: id, AgentID: agent, GroupID: group, Channel: ch, Entry: entry, At: when,
			PickUps: 1, AccessedFirst: 1, Ended: 1, DurationMS: 60_000}},
		Groups: []sb.GroupFact{{SessionID: id, GroupID: group, Channel: ch, Entry: entry, At: when, PickUps: 1,
			AccessedFirst: 1, Ended: 1, DurationMS: 60_000}},
		Waits: []sb.WaitFact{{SessionID: id, GroupID: group, Channel: ch, Entry: entry, At: when.Add(-time.Minute),
			WaitMS: 61_000, Outcome: sb.WaitOutcomePickedUp, AgentID: agent}},
	}
}

func testReportFactsRoundTrip(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	yes := true
	pick, fail := at(0, "10h5m"), at(0, "10h9m")
	q, d := int64(4000), int64(5000)
	f := sb.SessionFacts{SessionID: 42, Seq: 17,
		Session: sb.SessionFact{SessionID: 42, Channel: sb.ChannelWeb, Entry: "plugin-3", GroupID: 5, At: at(0, "10h"),
			PickedUp: 1, Ended: 1, DurationMS: 1_200_000, Invited: 1, InviteSuccess: 1, HoldMS: 3000, HandleMS: 1_300_000},
		Agents: []sb.AgentFact{
			{SessionID: 42, AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h"), PickUps: 2,
				AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1, Ended: 1, DurationMS: 900_000, Valid: 1, FirstResponses: 1,
				FirstResponseMS: 4000, ResponseAvgs: 1, ResponseAvgMS: 9000, Invited: 1, InviteSuccess: 1, HoldMS: 3000,
				HandleMS: 1_000_000, WrapUpMS: 20_000, Messages: 6},
			{SessionID: 42, AgentID: 8, GroupID: 6, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h5m"), PickUps: 1,
				TransfersIn: 1, TransfersOut: 1, DurationMS: 300_000, Invalid: 1},
		},
		Groups: []sb.GroupFact{{SessionID: 42, GroupID: 5, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h"),
			PickUps: 1, AccessedFirst: 1, Ended: 1, DurationMS: 1_200_000, Valid: 1, FirstResponses: 1, FirstResponseMS: 4000,
			ResponseAvgs: 1, ResponseAvgMS: 9000, Invited: 1, InviteSuccess: 1, HoldMS: 3000, HandleMS: 1_000_000}},
		Waits: []sb.WaitFact{
			{SessionID: 42, GroupID: 5, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "9h58m"), WaitMS: 120_000,
				Outcome: sb.WaitOutcomePickedUp, AgentID: 7},
			{SessionID: 42, GroupID: 6, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h4m"), WaitMS: 60_000,
				Outcome: sb.WaitOutcomePickedUp, Transfer: true, Overflow: true, AgentID: 8},
		},
		Ratings: []sb.RatingFact{
			{SessionID: 42, GroupID: 5, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h21m"), Rating: 5, Solved: &yes},
			{SessionID: 42, AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h21m"), Rating: 5},
		},
		Transfers: []sb.TransferFact{
			{SessionID: 42, TransferID: 1, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h4m"), Visitor: "Dana",
				Kind: "group", FromAgentID: 7, FromAgentName: "Ann", ToGroupID: 6, ToGroupName: "Billing", ToAgentID: 8,
				ToAgentName: "Ben", Success: true, PickedUpAt: &pick, QueueMS: &q, DurationMS: &d},
			{SessionID: 42, TransferID: 2, Channel: sb.ChannelWeb, Entry: "plugin-3", At: at(0, "10h8m"), Visitor: "Dana",
				Kind: "agent", FromAgentID: 8, FromAgentName: "Ben", ToAgentID: 9, ToAgentName: "Cy", FailedAt: &fail,
				FailureMS: &d, FailReason: "timeout"},
		},
	}
	put(t, st, 99, f)
	got, err := st.Facts(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "facts read back", got, f)
	if _, err := st.Facts(ctx, 43); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("facts of an unknown session: %v", err)
	}
	// Fact session IDs left 0 are the session's.
	bare := simple(50, 7, 5, sb.ChannelWeb, "", at(1, "1h"))
	bare.Session.SessionID, bare.Agents[0].SessionID = 0, 0
	put(t, st, 100, bare)
	if got, err := st.Facts(ctx, 50); err != nil || got.Session.SessionID != 50 || got.Agents[0].SessionID != 50 {
		t.Errorf("facts with session IDs 0 read back as %+v, %v", got, err)
	}
	if bare.Agents[0].SessionID != 0 {
		t.Error("PutFacts changed the facts it was given")
	}
}

func testReportReplaceFacts(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	first := simple(1, 7, 5, sb.ChannelWeb, "a", at(0, "10h"))
	first.Transfers = []sb.TransferFact{{SessionID: 1, TransferID: 1, Channel: sb.ChannelWeb, At: at(0, "10h1m"), Kind: "agent",
		FromAgentID: 7, ToAgentID: 8}}
	other := simple(2, 7, 5, sb.ChannelWeb, "a", at(0, "11h"))
	put(t, st, 10, first, other)
	// The second derivation moves the session to another day, agent and
	// group and drops the transfer.
	second := simple(1, 9, 6, sb.ChannelSMS, "b", at(3, "8h"))
	second.Seq = 9
	second.Agents[0].PickUps = 3
	put(t, st, 20, second)

	got, err := st.Facts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "replaced facts", got, second)
	eq(t, "agents over everything", sessionsOf(agentWorkload(t, st, whole())), map[int64]int{7: 1, 9: 1})
	day := sb.ReportQuery{From: at(0, "0s"), To: at(1, "0s")}
	eq(t, "agents on the first day", sessionsOf(agentWorkload(t, st, day)), map[int64]int{7: 1})
	rows := agentWorkload(t, st, sb.ReportQuery{From: at(3, "0s"), To: at(4, "0s")})
	if len(rows) != 1 || rows[0].ID != 9 || rows[0].PickUps != 3 {
		t.Errorf("agents on the new day: %+v", rows)
	}
	groups, err := st.GroupWorkload(ctx, whole())
	if err != nil || len(groups) != 2 || groups[0].ID != 5 || groups[0].Sessions != 1 || groups[1].ID != 6 {
		t.Errorf("groups: %+v %v", groups, err)
	}
	tr, err := st.Transfers(ctx, whole())
	if err != nil || len(tr) != 0 {
		t.Errorf("transfers after the replace: %+v %v", tr, err)
	}
	// The same facts once more change nothing; the same session twice in
	// one batch keeps the later.
	put(t, st, 21, second)
	third := simple(1, 9, 6, sb.ChannelSMS, "b", at(4, "8h"))
	put(t, st, 22, second, third)
	eq(t, "agents after a batch with the session twice", sessionsOf(agentWorkload(t, st, whole())), map[int64]int{7: 1, 9: 1})
	eq(t, "agents on day 3", sessionsOf(agentWorkload(t, st, sb.ReportQuery{From: at(3, "0s"), To: at(4, "0s")})), map[int64]int{})
	if c, _ := st.ReportCheckpoint(ctx); c != 22 {
		t.Errorf("checkpoint %d, want 22", c)
	}
}

func testReportReset(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	if c, err := st.ReportCheckpoint(ctx); err != nil || c != 0 {
		t.Errorf("new store checkpoint %d %v", c, err)
	}
	put(t, st, 7, simple(1, 7, 5, sb.ChannelWeb, "", at(0, "10h")))
	if c, _ := st.ReportCheckpoint(ctx); c != 7 {
		t.Errorf("checkpoint %d, want 7", c)
	}
	if err := st.ResetFacts(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.ReportCheckpoint(ctx); c != 0 {
		t.Errorf("checkpoint after reset %d", c)
	}
	if _, err := st.Facts(ctx, 1); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("facts after reset: %v", err)
	}
	eq(t, "agents after reset", len(agentWorkload(t, st, whole())), 0)
	rows, err := st.QueueReport(ctx, whole())
	eq(t, "queues after reset", len(rows), 0)
	if err != nil {
		t.Fatal(err)
	}
	// The store fills again after a reset.
	put(t, st, 3, simple(1, 8, 5, sb.ChannelWeb, "", at(0, "10h")))
	eq(t, "agents after refill", sessionsOf(agentWorkload(t, st, whole())), map[int64]int{8: 1})
}

func testReportRejectsBadFacts(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	put(t, st, 5, simple(1, 7, 5, sb.ChannelWeb, "", at(0, "10h")))
	badOutcome := simple(2, 7, 5, sb.ChannelWeb, "", at(0, "11h"))
	badOutcome.Waits[0].Outcome = "lost"
	wrongSession := simple(3, 7, 5, sb.ChannelWeb, "", at(0, "11h"))
	wrongSession.Agents[0].SessionID = 4
	badKind := simple(4, 7, 5, sb.ChannelWeb, "", at(0, "11h"))
	badKind.Transfers = []sb.TransferFact{{SessionID: 4, TransferID: 1, At: at(0, "11h"), Kind: "bot"}}
	for name, f := range map[string]sb.SessionFacts{"outcome": badOutcome, "session": wrongSession, "kind": badKind,
		"no id": {}} {
		// A good session in the same batch is not stored either.
		err := st.PutFacts(ctx, []sb.SessionFacts{simple(9, 7, 5, sb.ChannelWeb, "", at(0, "12h")), f}, 6)
		if sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	if c, _ := st.ReportCheckpoint(ctx); c != 5 {
		t.Errorf("checkpoint moved to %d", c)
	}
	eq(t, "agents", sessionsOf(agentWorkload(t, st, whole())), map[int64]int{7: 1})
	if _, err := st.AgentWorkload(ctx, sb.ReportQuery{From: at(1, "0s"), To: at(0, "0s")}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a range ending before it starts: %v", err)
	}
	if _, err := st.QueueReport(ctx, sb.ReportQuery{From: at(0, "0s"), To: at(1, "0s"), QueueThreshold: -time.Second}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a negative threshold: %v", err)
	}
}

// SPEC §3.1: A picks up, transfers to B, B transfers back to A, A ends.
func testReportAgentTransferExample(t *testing.T, st sb.ReportStore) {
	a := sb.AgentFact{SessionID: 1, AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, At: at(0, "10h"), PickUps: 2,
		AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1, Ended: 1, DurationMS: 900_000, Valid: 1, FirstResponses: 1,
		FirstResponseMS: 5000, ResponseAvgs: 1, ResponseAvgMS: 8000, Invited: 1, InviteSuccess: 1, HoldMS: 2000, HandleMS: 950_000}
	b := sb.AgentFact{SessionID: 1, AgentID: 8, GroupID: 5, Channel: sb.ChannelWeb, At: at(0, "10h5m"), PickUps: 1,
		TransfersIn: 1, TransfersOut: 1, DurationMS: 300_000}
	put(t, st, 1, sb.SessionFacts{SessionID: 1, Session: sb.SessionFact{SessionID: 1, Channel: sb.ChannelWeb, At: at(0, "10h")},
		Agents: []sb.AgentFact{a, b}})
	want := []sb.WorkloadRow{
		{ID: 7, Workload: sb.Workload{Sessions: 1, PickUps: 2, AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1, Ended: 1,
			DurationMS: 900_000, Valid: 1, FirstResponses: 1, FirstResponseMS: 5000, ResponseAvgs: 1, ResponseAvgMS: 8000,
			Invited: 1, InviteSuccess: 1, HoldMS: 2000, HandleMS: 950_000}},
		{ID: 8, Workload: sb.Workload{Sessions: 1, PickUps: 1, TransfersIn: 1, TransfersOut: 1, DurationMS: 300_000}},
	}
	eq(t, "agent workload", agentWorkload(t, st, whole()), want)
	eq(t, "agent workload of the day", agentWorkload(t, st, sb.ReportQuery{From: at(0, "0s"), To: at(1, "0s")}), want)
	// B's part is counted at B's first serve: a range ending before it
	// holds only A.
	eq(t, "until 10:05", sessionsOf(agentWorkload(t, st, sb.ReportQuery{From: at(0, "0s"), To: at(0, "10h5m")})),
		map[int64]int{7: 1})
}

// SPEC §3.3: a session moved A → B → A between groups.
func testReportGroupExample(t *testing.T, st sb.ReportStore) {
	put(t, st, 1, sb.SessionFacts{SessionID: 1, Session: sb.SessionFact{Channel: sb.ChannelWeb, At: at(0, "10h")},
		Groups: []sb.GroupFact{
			{GroupID: 1, Channel: sb.ChannelWeb, At: at(0, "10h"), PickUps: 2, AccessedFirst: 1, TransfersIn: 1,
				TransfersOut: 1, Ended: 1, DurationMS: 1_200_000, Valid: 1},
			{GroupID: 2, Channel: sb.ChannelWeb, At: at(0, "10h5m"), PickUps: 1, TransfersIn: 1, TransfersOut: 1},
		}})
	rows, err := st.GroupWorkload(context.Background(), whole())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "group workload", rows, []sb.WorkloadRow{
		{ID: 1, Workload: sb.Workload{Sessions: 1, PickUps: 2, AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1, Ended: 1,
			DurationMS: 1_200_000, Valid: 1}},
		{ID: 2, Workload: sb.Workload{Sessions: 1, PickUps: 1, TransfersIn: 1, TransfersOut: 1}},
	})
}

// queueExample is SPEC §3.5's visitor in group 5: gives up after 90 s,
// queues again and times out after 120 s, queues again and is picked up
// after 70 s; and in group 6, by SMS, a 30 s wait picked up, an 80 s
// wait entered by a transfer and picked up, a 200 s wait moved on another
// way (counted, not inbound) and a wait still open after 90 s (neither).
func queueExample() []sb.SessionFacts {
	w := func(group int64, clock string, wait int64, outcome string, transfer bool) sb.WaitFact {
		ch, entry := sb.ChannelWeb, "site"
		if group == 6 {
			ch, entry = sb.ChannelSMS, ""
		}
		return sb.WaitFact{GroupID: group, Channel: ch, Entry: entry, At: at(0, clock), WaitMS: wait,
			Outcome: outcome, Transfer: transfer}
	}
	return []sb.SessionFacts{
		{SessionID: 1, Session: sb.SessionFact{Channel: sb.ChannelWeb, Entry: "site", GroupID: 5, At: at(0, "9h24m"),
			PickedUp: 1, Ended: 1, DurationMS: 600_000},
			Waits: []sb.WaitFact{w(5, "9h", 90_000, sb.WaitOutcomeAbandoned, false), w(5, "9h10m", 120_000, sb.WaitOutcomeDropped, false),
				w(5, "9h20m", 70_000, sb.WaitOutcomePickedUp, false)}},
		{SessionID: 2, Session: sb.SessionFact{Channel: sb.ChannelSMS, GroupID: 6, At: at(0, "11h"), PickedUp: 1},
			Waits: []sb.WaitFact{w(6, "11h", 30_000, sb.WaitOutcomePickedUp, false), w(6, "11h20m", 80_000, sb.WaitOutcomePickedUp, true),
				w(6, "11h40m", 200_000, sb.WaitOutcomeOther, false), w(6, "12h", 90_000, sb.WaitOutcomeWaiting, false)}},
	}
}

func queueReport(t *testing.T, st sb.ReportStore, q sb.ReportQuery) []sb.QueueRow {
	t.Helper()
	rows, err := st.QueueReport(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func testReportQueueExample(t *testing.T, st sb.ReportStore) {
	put(t, st, 1, queueExample()...)
	g5 := sb.QueueSums{Waits: 3, WaitMS: 280_000, Counted: 3, CountedMS: 280_000, Successes: 1, SuccessMS: 70_000,
		Abandons: 2, AbandonMS: 210_000, VisitorAbandons: 1, VisitorAbandonMS: 90_000, Inbound: 3, InboundPickedUp: 1,
		InboundAbandoned: 1, InboundDropped: 1}
	g6 := sb.QueueSums{Waits: 4, WaitMS: 400_000, Counted: 2, CountedMS: 280_000, Successes: 1, SuccessMS: 80_000,
		Inbound: 1, InboundPickedUp: 1}
	want := []sb.QueueRow{{GroupID: 5, QueueSums: g5}, {GroupID: 6, QueueSums: g6}}
	eq(t, "queues", queueReport(t, st, whole()), want)
	q := whole()
	q.QueueThreshold = 60 * time.Second
	eq(t, "queues with the configured threshold", queueReport(t, st, q), want)
	day := sb.ReportQuery{From: at(0, "0s"), To: at(1, "0s")}
	eq(t, "queues of the day", queueReport(t, st, day), want)
	q.GroupIDs = []int64{5}
	eq(t, "group 5", queueReport(t, st, q), want[:1])

	// Another threshold: only the 120 s wait counts.
	q = whole()
	q.QueueThreshold = 100 * time.Second
	g5x := sb.QueueSums{Waits: 3, WaitMS: 280_000, Counted: 1, CountedMS: 120_000, Abandons: 1, AbandonMS: 120_000,
		Inbound: 3, InboundPickedUp: 1, InboundAbandoned: 1, InboundDropped: 1}
	g6x := sb.QueueSums{Waits: 4, WaitMS: 400_000, Counted: 1, CountedMS: 200_000, Inbound: 1, InboundPickedUp: 1}
	eq(t, "queues over 100 s", queueReport(t, st, q), []sb.QueueRow{{GroupID: 5, QueueSums: g5x}, {GroupID: 6, QueueSums: g6x}})

	// A wait of exactly the threshold does not count.
	q.QueueThreshold = 90 * time.Second
	if rows := queueReport(t, st, q); rows[0].Counted != 1 || rows[0].VisitorAbandons != 0 {
		t.Errorf("over 90 s: %+v", rows[0])
	}
	if ts, ok := st.(thresholdSetter); ok {
		if err := ts.SetQueueThreshold(context.Background(), 100*time.Second); err != nil {
			t.Fatal(err)
		}
		eq(t, "queues after configuring 100 s", queueReport(t, st, whole()), []sb.QueueRow{{GroupID: 5, QueueSums: g5x}, {GroupID: 6, QueueSums: g6x}})
		q = whole()
		q.QueueThreshold = 60 * time.Second
		eq(t, "60 s after configuring 100 s", queueReport(t, st, q), want)
		if err := ts.SetQueueThreshold(context.Background(), -time.Second); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("a negative threshold: %v", err)
		}
	}
}

func testReportChannelExample(t *testing.T, st sb.ReportStore) {
	facts := queueExample()
	facts[0].Session.Invited, facts[0].Session.InviteSuccess = 1, 1
	facts[0].Ratings = []sb.RatingFact{{Channel: sb.ChannelWeb, Entry: "site", GroupID: 5, At: at(0, "9h35m"), Rating: 4},
		{AgentID: 7, Channel: sb.ChannelWeb, Entry: "site", GroupID: 5, At: at(0, "9h35m"), Rating: 4}}
	put(t, st, 1, facts...)
	rows, err := st.ChannelReport(context.Background(), whole())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "channels", rows, []sb.ChannelRow{
		{Channel: sb.ChannelSMS, QueueSums: sb.QueueSums{Waits: 4, WaitMS: 400_000, Counted: 2, CountedMS: 280_000,
			Successes: 1, SuccessMS: 80_000, Inbound: 1, InboundPickedUp: 1}},
		{Channel: sb.ChannelWeb, QueueSums: sb.QueueSums{Waits: 3, WaitMS: 280_000, Counted: 3, CountedMS: 280_000,
			Successes: 1, SuccessMS: 70_000, Abandons: 2, AbandonMS: 210_000, VisitorAbandons: 1, VisitorAbandonMS: 90_000,
			Inbound: 3, InboundPickedUp: 1, InboundAbandoned: 1, InboundDropped: 1},
			Ended: 1, DurationMS: 600_000, Invited: 1, InviteSuccess: 1, Ratings: 1, RatingSum: 4},
	})
}

func testReportRatings(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	// Picked up on day 0, rated on day 1: the rating counts on day 1.
	f := simple(1, 7, 5, sb.ChannelWeb, "", at(0, "23h"))
	f.Ratings = []sb.RatingFact{{GroupID: 5, Channel: sb.ChannelWeb, At: at(1, "0h10m"), Rating: 3},
		{AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, At: at(1, "0h10m"), Rating: 3},
		{AgentID: 8, GroupID: 6, Channel: sb.ChannelWeb, At: at(1, "0h10m"), Rating: 3}}
	g := simple(2, 7, 5, sb.ChannelWeb, "", at(1, "9h"))
	g.Ratings = []sb.RatingFact{{GroupID: 5, Channel: sb.ChannelWeb, At: at(1, "9h30m"), Rating: 5},
		{AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, At: at(1, "9h30m"), Rating: 5}}
	put(t, st, 1, f, g)
	day1 := sb.ReportQuery{From: at(1, "0s"), To: at(2, "0s")}
	eq(t, "agents on day 1", agentWorkload(t, st, day1), []sb.WorkloadRow{
		{ID: 7, Workload: sb.Workload{Sessions: 1, PickUps: 1, AccessedFirst: 1, Ended: 1, DurationMS: 60_000, Ratings: 2, RatingSum: 8}},
		{ID: 8, Workload: sb.Workload{Ratings: 1, RatingSum: 3}},
	})
	day0q := sb.ReportQuery{From: at(0, "0s"), To: at(1, "0s")}
	rows := agentWorkload(t, st, day0q)
	if len(rows) != 1 || rows[0].Ratings != 0 || rows[0].Sessions != 1 {
		t.Errorf("agents on day 0: %+v", rows)
	}
	groups, err := st.GroupWorkload(ctx, day1)
	if err != nil || len(groups) != 1 || groups[0].ID != 5 || groups[0].Ratings != 2 || groups[0].RatingSum != 8 || groups[0].Sessions != 1 {
		t.Errorf("groups on day 1: %+v %v", groups, err)
	}
}

func testReportFilters(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	put(t, st, 1,
		simple(1, 7, 5, sb.ChannelWeb, "a", at(0, "10h")),
		simple(2, 7, 6, sb.ChannelWeb, "b", at(1, "10h")),
		simple(3, 8, 5, sb.ChannelSMS, "a", at(2, "10h")),
		simple(4, 9, 6, sb.ChannelSMS, "c", at(3, "10h")))
	for name, c := range map[string]struct {
		q                 sb.ReportQuery
		agents, groups    map[int64]int
		queues            []int64
		channels, waiting int
	}{
		"all":             {whole(), map[int64]int{7: 2, 8: 1, 9: 1}, map[int64]int{5: 2, 6: 2}, []int64{5, 6}, 2, 4},
		"web":             {sb.ReportQuery{Channels: []sb.Channel{sb.ChannelWeb}}, map[int64]int{7: 2}, map[int64]int{5: 1, 6: 1}, []int64{5, 6}, 1, 2},
		"entry a":         {sb.ReportQuery{Entries: []string{"a"}}, map[int64]int{7: 1, 8: 1}, map[int64]int{5: 2}, []int64{5}, 2, 2},
		"entries b c":     {sb.ReportQuery{Entries: []string{"b", "c"}}, map[int64]int{7: 1, 9: 1}, map[int64]int{6: 2}, []int64{6}, 2, 2},
		"agent 7":         {sb.ReportQuery{AgentIDs: []int64{7}}, map[int64]int{7: 2}, map[int64]int{5: 2, 6: 2}, []int64{5, 6}, 2, 4},
		"group 5":         {sb.ReportQuery{GroupIDs: []int64{5}}, map[int64]int{7: 1, 8: 1}, map[int64]int{5: 2}, []int64{5}, 2, 2},
		"agent 7 group 6": {sb.ReportQuery{AgentIDs: []int64{7}, GroupIDs: []int64{6}}, map[int64]int{7: 1}, map[int64]int{6: 2}, []int64{6}, 2, 2},
		"sms entry a":     {sb.ReportQuery{Channels: []sb.Channel{sb.ChannelSMS}, Entries: []string{"a"}}, map[int64]int{8: 1}, map[int64]int{5: 1}, []int64{5}, 1, 1},
		"nothing":         {sb.ReportQuery{Channels: []sb.Channel{sb.ChannelPSTN}}, map[int64]int{}, map[int64]int{}, nil, 0, 0},
	} {
		q := c.q
		q.From, q.To = whole().From, whole().To
		eq(t, name+": agents", sessionsOf(agentWorkload(t, st, q)), c.agents)
		groups, err := st.GroupWorkload(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, name+": groups", sessionsOf(groups), c.groups)
		var queues []int64
		waits := 0
		for _, r := range queueReport(t, st, q) {
			queues = append(queues, r.GroupID)
			waits += r.Waits
		}
		eq(t, name+": queues", queues, c.queues)
		eq(t, name+": waits", waits, c.waiting)
		chans, err := st.ChannelReport(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, name+": channels", len(chans), c.channels)
	}
}

// String of a range, for messages.
func rangeName(q sb.ReportQuery) string {
	return fmt.Sprintf("[%s, %s)", q.From.Format("01-02 15:04:05.000"), q.To.Format("01-02 15:04:05.000"))
}
