package storetest

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// compareAll holds every report of q to the oracle.
func compareAll(t *testing.T, st sb.ReportStore, o *oracle, name string, q sb.ReportQuery) {
	t.Helper()
	ctx := context.Background()
	agents, err := st.AgentWorkload(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if agents == nil {
		agents = []sb.WorkloadRow{}
	}
	eq(t, name+": agent workload", agents, o.agentWorkload(q))
	groups, err := st.GroupWorkload(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if groups == nil {
		groups = []sb.WorkloadRow{}
	}
	eq(t, name+": group workload", groups, o.groupWorkload(q))
	queues, err := st.QueueReport(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if queues == nil {
		queues = []sb.QueueRow{}
	}
	eq(t, name+": queues", queues, o.queueReport(q))
	chans, err := st.ChannelReport(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if chans == nil {
		chans = []sb.ChannelRow{}
	}
	eq(t, name+": channels", chans, o.channelReport(q))
	waits, err := st.QueueSessions(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	eq(t, name+": queue sessions", waits, o.queueSessions(q))
	tr, err := st.Transfers(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	eq(t, name+": transfers", tr, o.transfers(q))
}

func testReportPartialDays(t *testing.T, st sb.ReportStore) {
	o := &oracle{facts: map[int64]sb.SessionFacts{}, threshold: time.Minute}
	var facts []sb.SessionFacts
	for i, when := range []time.Time{at(0, "0s"), at(0, "12h"), at(0, "23h59m59.999s"), at(1, "0s"), at(1, "6h"),
		at(2, "18h"), at(5, "1ms"), at(9, "23h59m59.999s")} {
		f := simple(int64(i+1), 7, 5, sb.ChannelWeb, "", when)
		f.Ratings = []sb.RatingFact{{AgentID: 7, GroupID: 5, Channel: sb.ChannelWeb, At: when, Rating: i}}
		facts = append(facts, f)
		o.put(f)
	}
	put(t, st, 1, facts...)
	for _, c := range []struct {
		from, to time.Time
		want     int
	}{
		{at(0, "0s"), at(10, "0s"), 8},
		{at(0, "12h"), at(10, "0s"), 7},
		{at(0, "12h1ms"), at(10, "0s"), 6},
		{at(0, "0s"), at(1, "0s"), 3},
		{at(0, "12h"), at(1, "6h"), 3},
		{at(0, "12h"), at(1, "6h1ms"), 4},
		{at(1, "0s"), at(1, "1ms"), 1},
		{at(0, "23h59m59.999s"), at(1, "1ms"), 2},
		{at(0, "0s"), at(1, "1ms"), 4},
		{at(0, "23h59m59.999s"), at(2, "0s"), 3},
		{at(1, "6h"), at(9, "23h59m59.999s"), 3},
		{at(1, "6h"), at(10, "0s"), 4},
		{at(-3, "5h"), at(2, "18h"), 5},
		{at(2, "0s"), at(5, "0s"), 1},
		{at(2, "17h"), at(2, "19h"), 1},
		{at(5, "0s"), at(5, "1ms"), 0},
		{at(5, "0s"), at(5, "2ms"), 1},
		{at(-40, "0s"), at(40, "0s"), 8},
	} {
		q := sb.ReportQuery{From: c.from, To: c.to}
		rows := agentWorkload(t, st, q)
		got, ratings := 0, 0
		if len(rows) == 1 {
			got, ratings = rows[0].Sessions, rows[0].Ratings
		}
		if got != c.want || ratings != c.want {
			t.Errorf("%s: %d sessions and %d ratings, want %d", rangeName(q), got, ratings, c.want)
		}
		compareAll(t, st, o, rangeName(q), q)
	}
}

func testReportTransfers(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	tr := func(sid, id int64, when time.Time, kind string, from, toAgent, toGroup int64, ok bool, ch sb.Channel) sb.TransferFact {
		return sb.TransferFact{SessionID: sid, TransferID: id, Channel: ch, At: when, Kind: kind, FromAgentID: from,
			ToAgentID: toAgent, ToGroupID: toGroup, Success: ok}
	}
	s := func(id int64, ts ...sb.TransferFact) sb.SessionFacts {
		return sb.SessionFacts{SessionID: id, Session: sb.SessionFact{Channel: sb.ChannelWeb, At: at(0, "8h")}, Transfers: ts}
	}
	put(t, st, 1,
		s(2, tr(2, 1, at(0, "10h"), "agent", 7, 8, 0, true, sb.ChannelWeb), tr(2, 2, at(0, "10h"), "group", 8, 9, 5, false, sb.ChannelWeb)),
		s(1, tr(1, 3, at(0, "10h"), "group", 7, 0, 6, false, sb.ChannelSMS)),
		s(3, tr(3, 1, at(1, "9h"), "agent", 9, 7, 0, true, sb.ChannelWeb)),
		s(4, tr(4, 1, at(0, "9h"), "group", 8, 7, 5, true, sb.ChannelWeb)))
	key := func(list []sb.TransferFact) [][2]int64 {
		out := [][2]int64{}
		for _, x := range list {
			out = append(out, [2]int64{x.SessionID, x.TransferID})
		}
		return out
	}
	no, yes := false, true
	for name, c := range map[string]struct {
		q    sb.ReportQuery
		want [][2]int64
	}{
		"all":          {sb.ReportQuery{}, [][2]int64{{4, 1}, {1, 3}, {2, 1}, {2, 2}, {3, 1}}},
		"to agent":     {sb.ReportQuery{Kind: "agent"}, [][2]int64{{2, 1}, {3, 1}}},
		"from 7":       {sb.ReportQuery{FromAgentIDs: []int64{7}}, [][2]int64{{1, 3}, {2, 1}}},
		"failed":       {sb.ReportQuery{Success: &no}, [][2]int64{{1, 3}, {2, 2}}},
		"succeeded":    {sb.ReportQuery{Success: &yes, Kind: "group"}, [][2]int64{{4, 1}}},
		"sms":          {sb.ReportQuery{Channels: []sb.Channel{sb.ChannelSMS}}, [][2]int64{{1, 3}}},
		"agent 7":      {sb.ReportQuery{AgentIDs: []int64{7}}, [][2]int64{{4, 1}, {1, 3}, {2, 1}, {3, 1}}},
		"to group 5":   {sb.ReportQuery{GroupIDs: []int64{5}}, [][2]int64{{4, 1}, {2, 2}}},
		"day 1":        {sb.ReportQuery{From: at(1, "0s"), To: at(2, "0s")}, [][2]int64{{3, 1}}},
		"after cursor": {sb.ReportQuery{AfterAt: at(0, "10h"), AfterID: 2, AfterTrans: 1}, [][2]int64{{2, 2}, {3, 1}}},
	} {
		q := c.q
		if q.From.IsZero() {
			q.From, q.To = whole().From, whole().To
		}
		got, err := st.Transfers(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		eq(t, name, key(got), c.want)
	}
	// Paging two at a time walks the same rows.
	var pages [][2]int64
	q := whole()
	q.Limit = 2
	for i := 0; i < 5; i++ {
		page, err := st.Transfers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, key(page)...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.AfterAt, q.AfterID, q.AfterTrans = last.At, last.SessionID, last.TransferID
	}
	eq(t, "pages", pages, [][2]int64{{4, 1}, {1, 3}, {2, 1}, {2, 2}, {3, 1}})
	if _, err := st.Transfers(ctx, sb.ReportQuery{From: day0, To: at(1, "0s"), Kind: "bot"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a bad kind: %v", err)
	}
}

func testReportQueueSessions(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	put(t, st, 1, queueExample()...)
	list := func(q sb.ReportQuery) []string {
		t.Helper()
		if q.From.IsZero() {
			q.From, q.To = whole().From, whole().To
		}
		waits, err := st.QueueSessions(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, w := range waits {
			out = append(out, w.At.Format("15:04")+" "+w.Outcome)
		}
		return out
	}
	eq(t, "group 5", list(sb.ReportQuery{GroupIDs: []int64{5}}), []string{"09:00 abandoned", "09:10 dropped", "09:20 picked_up"})
	eq(t, "group 5 over 100 s", list(sb.ReportQuery{GroupIDs: []int64{5}, QueueThreshold: 100 * time.Second}), []string{"09:10 dropped"})
	eq(t, "group 6", list(sb.ReportQuery{GroupIDs: []int64{6}}), []string{"11:20 picked_up", "11:40 other"})
	eq(t, "sms", list(sb.ReportQuery{Channels: []sb.Channel{sb.ChannelSMS}}), []string{"11:20 picked_up", "11:40 other"})
	eq(t, "first two", list(sb.ReportQuery{GroupIDs: []int64{5}, Limit: 2}), []string{"09:00 abandoned", "09:10 dropped"})
	eq(t, "after the cursor", list(sb.ReportQuery{GroupIDs: []int64{5}, AfterAt: at(0, "9h10m"), AfterID: 1}), []string{"09:20 picked_up"})
}

func testReportServiceLevel(t *testing.T, st sb.ReportStore) {
	ctx := context.Background()
	facts := queueExample()
	w := func(clock string, wait int64, outcome string) sb.WaitFact {
		return sb.WaitFact{GroupID: 5, Channel: sb.ChannelWeb, At: at(0, clock), WaitMS: wait, Outcome: outcome}
	}
	facts = append(facts, sb.SessionFacts{SessionID: 3, Session: sb.SessionFact{Channel: sb.ChannelWeb, At: at(0, "9h5m")},
		Waits: []sb.WaitFact{w("9h5m", 10_000, sb.WaitOutcomePickedUp), w("9h16m", 5000, sb.WaitOutcomeAbandoned),
			w("9h17m", 400_000, sb.WaitOutcomeWaiting), w("9h40m", 3000, sb.WaitOutcomeDropped)}})
	put(t, st, 1, facts...)
	o := sb.ServiceLevelOptions{Interval: 15 * time.Minute, Within: 20 * time.Second, ShortAbandon: 10 * time.Second}
	rows, err := st.ServiceLevel(ctx, sb.ReportQuery{From: at(0, "9h"), To: at(0, "10h"), GroupIDs: []int64{5}}, o)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "service level", rows, []sb.IntervalRow{
		{Start: at(0, "9h"), Offered: 3, Answered: 1, AnsweredWithin: 1, AnswerMS: 10_000, Abandoned: 2, LongestMS: 120_000},
		{Start: at(0, "9h15m"), Offered: 2, Answered: 1, AnswerMS: 70_000, Abandoned: 1, ShortAbandons: 1, LongestMS: 400_000},
		{Start: at(0, "9h30m"), Offered: 1, Abandoned: 1, ShortAbandons: 1, LongestMS: 3000}, {Start: at(0, "9h45m")},
	})
	o.Interval = 30 * time.Minute
	rows, err = st.ServiceLevel(ctx, sb.ReportQuery{From: at(0, "10h50m"), To: at(0, "11h30m")}, o)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "service level of every group", rows, []sb.IntervalRow{
		{Start: at(0, "10h50m"), Offered: 1, Answered: 1, AnswerMS: 30_000, LongestMS: 30_000},
		{Start: at(0, "11h20m"), Offered: 1, Answered: 1, AnswerMS: 80_000, LongestMS: 80_000},
	})
	if _, err := st.ServiceLevel(ctx, sb.ReportQuery{From: at(0, "9h"), To: at(0, "10h")}, sb.ServiceLevelOptions{}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("no interval: %v", err)
	}
}

// RandomFacts makes the facts of one session with every kind of fact,
// spread over days -1 to 6 from 2026-03-02, with 5 agents, 3 groups, 3
// channels and 3 entries.
func RandomFacts(r *rand.Rand, id int64) sb.SessionFacts {
	chans := []sb.Channel{sb.ChannelWeb, sb.ChannelSMS, sb.ChannelWhatsApp}
	entries := []string{"", "a", "b"}
	when := func() time.Time { return day0.Add(time.Duration(r.Int64N(8*dayLen)-dayLen) * time.Millisecond) }
	ch, entry := chans[r.IntN(len(chans))], entries[r.IntN(len(entries))]
	n := func(k int) int { return r.IntN(k) }
	f := sb.SessionFacts{SessionID: id, Seq: r.Int64N(100),
		Session: sb.SessionFact{Channel: ch, Entry: entry, GroupID: int64(n(4)), At: when(), PickedUp: n(2), Ended: n(2),
			DurationMS: int64(n(100_000)), Invited: n(2), InviteSuccess: n(2), HoldMS: int64(n(1000)), HandleMS: int64(n(5000))}}
	for range n(3) {
		f.Agents = append(f.Agents, sb.AgentFact{AgentID: int64(1 + n(5)), GroupID: int64(n(4)), Channel: ch, Entry: entry,
			At: when(), PickUps: 1 + n(2), AccessedFirst: n(2), TransfersIn: n(2), TransfersOut: n(2), Ended: n(2),
			DurationMS: int64(n(900_000)), Valid: n(2), Invalid: n(2), FirstResponses: n(2), FirstResponseMS: int64(n(9000)),
			ResponseAvgs: n(2), ResponseAvgMS: int64(n(20_000)), Invited: n(2), InviteSuccess: n(2), HoldMS: int64(n(3000)),
			HandleMS: int64(n(100_000)), WrapUpMS: int64(n(1000)), Messages: n(9)})
	}
	for range n(3) {
		f.Groups = append(f.Groups, sb.GroupFact{GroupID: int64(1 + n(3)), Channel: ch, Entry: entry, At: when(),
			PickUps: 1 + n(2), AccessedFirst: n(2), TransfersIn: n(2), TransfersOut: n(2), Ended: n(2),
			DurationMS: int64(n(900_000)), Valid: n(2), Invalid: n(2), FirstResponses: n(2), FirstResponseMS: int64(n(9000)),
			ResponseAvgs: n(2), ResponseAvgMS: int64(n(20_000)), Invited: n(2), InviteSuccess: n(2), HoldMS: int64(n(3000)),
			HandleMS: int64(n(100_000))})
	}
	outcomes := []string{sb.WaitOutcomePickedUp, sb.WaitOutcomeAbandoned, sb.WaitOutcomeDropped, sb.WaitOutcomeOther, sb.WaitOutcomeWaiting}
	for range n(4) {
		f.Waits = append(f.Waits, sb.WaitFact{GroupID: int64(1 + n(3)), Channel: ch, Entry: entry, At: when(),
			WaitMS: int64(n(4)) * 30_000 / 2 * int64(1+n(2)), Outcome: outcomes[n(len(outcomes))], Transfer: n(3) == 0,
			Overflow: n(5) == 0, AgentID: int64(n(6))})
	}
	if n(2) == 0 {
		rt := when()
		rating := 1 + n(5)
		f.Ratings = append(f.Ratings, sb.RatingFact{GroupID: int64(n(4)), Channel: ch, Entry: entry, At: rt, Rating: rating})
		for _, a := range f.Agents {
			f.Ratings = append(f.Ratings, sb.RatingFact{AgentID: a.AgentID, GroupID: a.GroupID, Channel: ch, Entry: entry,
				At: rt, Rating: rating})
		}
	}
	for i := range n(3) {
		f.Transfers = append(f.Transfers, sb.TransferFact{TransferID: int64(i + 1), Channel: ch, Entry: entry, At: when(),
			Kind: []string{"agent", "group"}[n(2)], FromAgentID: int64(1 + n(5)), ToAgentID: int64(n(6)),
			ToGroupID: int64(n(4)), Success: n(2) == 0})
	}
	// Fill in the session IDs the way the store reads them back.
	f.Session.SessionID = id
	for i := range f.Agents {
		f.Agents[i].SessionID = id
	}
	for i := range f.Groups {
		f.Groups[i].SessionID = id
	}
	for i := range f.Waits {
		f.Waits[i].SessionID = id
	}
	for i := range f.Ratings {
		f.Ratings[i].SessionID = id
	}
	for i := range f.Transfers {
		f.Transfers[i].SessionID = id
	}
	return f
}

const dayLen = int64(24 * time.Hour / time.Millisecond)

// RandomQuery picks a range (often starting or ending on a midnight or an
// hour) and some filters.
func RandomQuery(r *rand.Rand) sb.ReportQuery {
	point := func() time.Time {
		t := day0.Add(time.Duration(r.Int64N(10*dayLen)-2*dayLen) * time.Millisecond)
		switch r.IntN(3) {
		case 0:
			return t.Truncate(24 * time.Hour)
		case 1:
			return t.Truncate(time.Hour)
		}
		return t
	}
	q := sb.ReportQuery{From: point()}
	switch r.IntN(3) {
	case 0: // inside one day or a little more
		q.To = q.From.Add(time.Duration(1+r.Int64N(30*3600_000)) * time.Millisecond)
	default:
		q.To = point()
	}
	if !q.To.After(q.From) {
		q.From, q.To = q.To, q.From.Add(time.Millisecond)
	}
	if r.IntN(4) == 0 {
		q.Channels = []sb.Channel{[]sb.Channel{sb.ChannelWeb, sb.ChannelSMS, sb.ChannelPSTN}[r.IntN(3)]}
	}
	if r.IntN(4) == 0 {
		q.Entries = []string{"", "a"}[:1+r.IntN(2)]
	}
	if r.IntN(4) == 0 {
		q.AgentIDs = []int64{int64(1 + r.IntN(5)), int64(1 + r.IntN(5))}
	}
	if r.IntN(4) == 0 {
		q.GroupIDs = []int64{int64(r.IntN(4))}
	}
	switch r.IntN(4) {
	case 0:
		q.QueueThreshold = time.Minute
	case 1:
		q.QueueThreshold = time.Duration(r.IntN(4)) * 15 * time.Second
	}
	return q
}

// testReportRandom holds the store's answers to an obvious scan of the
// same facts, over random ranges and filters, after puts, replacements
// and (where the store has one) a change of the queue threshold.
func testReportRandom(t *testing.T, st sb.ReportStore) {
	r := rand.New(rand.NewPCG(5, 8))
	o := &oracle{facts: map[int64]sb.SessionFacts{}, threshold: time.Minute}
	var batch []sb.SessionFacts
	for id := int64(1); id <= 400; id++ {
		f := RandomFacts(r, id)
		batch = append(batch, f)
		o.put(f)
	}
	put(t, st, 1, batch...)
	check := func(stage string) {
		t.Helper()
		for range 60 {
			q := RandomQuery(r)
			compareAll(t, st, o, stage+" "+rangeName(q), q)
			if t.Failed() {
				t.FailNow()
			}
		}
	}
	check("after the first put")
	for round := range 3 {
		batch = batch[:0]
		for range 50 {
			f := RandomFacts(r, 1+r.Int64N(450))
			batch = append(batch, f)
			o.put(f)
		}
		put(t, st, int64(2+round), batch...)
		check("after replacing")
	}
	if ts, ok := st.(thresholdSetter); ok {
		if err := ts.SetQueueThreshold(context.Background(), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		o.threshold = 30 * time.Second
		check("after a threshold change")
		batch = batch[:0]
		for range 50 {
			f := RandomFacts(r, 1+r.Int64N(450))
			batch = append(batch, f)
			o.put(f)
		}
		put(t, st, 9, batch...)
		check("after replacing with the new threshold")
	}
}
