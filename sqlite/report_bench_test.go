package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// The report benchmarks read a store holding the facts of N sessions
// spread over 90 days: 200 agents in 20 groups, 5 channels, 5 entries,
// a third of the sessions transferred, about 15% abandoned in the queue,
// ratings for 40% of the ended sessions. N is SB_REPORT_BENCH_SESSIONS
// (default 20,000, quick). The figures for a large site:
//
//	SB_REPORT_BENCH_SESSIONS=1000000 SB_REPORT_BENCH_DB=/tmp/reports-1m.db \
//	    go test ./sqlite/ -run '^$' -bench 'Reports' -count 5 -timeout 60m
//
// SB_REPORT_BENCH_DB keeps the filled store in that file and reuses it
// when it holds N sessions already (the first run fills it and logs the
// rebuild rate in sessions per second).

var benchReportStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const benchReportDays = 90

func benchReportSessions() int {
	if v, err := strconv.Atoi(os.Getenv("SB_REPORT_BENCH_SESSIONS")); err == nil && v > 0 {
		return v
	}
	return 20_000
}

var benchChannels = []sb.Channel{sb.ChannelWeb, sb.ChannelMobile, sb.ChannelWhatsApp, sb.ChannelSMS, sb.ChannelMiniProgram}

// benchFacts builds session i of n: created at an even spread over the
// days, with the facts a real session of its kind would have.
func benchFacts(r *rand.Rand, i, n int) sb.SessionFacts {
	id := int64(i + 1)
	span := int64(benchReportDays) * dayMS
	created := benchReportStart.Add(time.Duration(int64(i)*span/int64(n)+r.Int64N(60_000)) * time.Millisecond)
	ch := benchChannels[r.IntN(len(benchChannels))]
	entry := fmt.Sprintf("entry-%d", r.IntN(5))
	group := int64(1 + r.IntN(20))
	agentIn := func(g int64) int64 { return (g-1)*10 + 1 + r.Int64N(10) } // 10 agents a group
	wait := func() int64 { return int64(r.ExpFloat64() * 45_000) }
	f := sb.SessionFacts{SessionID: id, Seq: 12, Session: sb.SessionFact{SessionID: id, Channel: ch, Entry: entry,
		GroupID: group, At: created}}
	at := created
	// About 15% give up or time out; some of them queue again.
	for r.IntN(100) < 15 {
		w := wait()
		outcome := sb.WaitOutcomeAbandoned
		if r.IntN(3) == 0 {
			outcome, w = sb.WaitOutcomeDropped, 300_000
		}
		f.Waits = append(f.Waits, sb.WaitFact{SessionID: id, GroupID: group, Channel: ch, Entry: entry, At: at, WaitMS: w,
			Outcome: outcome})
		at = at.Add(time.Duration(w+120_000) * time.Millisecond)
		if r.IntN(3) != 0 {
			return f // gone for good
		}
	}
	w := wait()
	agent := agentIn(group)
	f.Waits = append(f.Waits, sb.WaitFact{SessionID: id, GroupID: group, Channel: ch, Entry: entry, At: at, WaitMS: w,
		Outcome: sb.WaitOutcomePickedUp, AgentID: agent})
	pick := at.Add(time.Duration(w) * time.Millisecond)
	f.Session.At, f.Session.PickedUp = pick, 1
	talk := 60_000 + r.Int64N(900_000)
	a := sb.AgentFact{SessionID: id, AgentID: agent, GroupID: group, Channel: ch, Entry: entry, At: pick, PickUps: 1,
		AccessedFirst: 1, DurationMS: talk, Valid: 1, FirstResponses: 1, FirstResponseMS: r.Int64N(30_000), ResponseAvgs: 1,
		ResponseAvgMS: r.Int64N(40_000), HandleMS: talk, Messages: 3 + r.IntN(20)}
	g := sb.GroupFact{SessionID: id, GroupID: group, Channel: ch, Entry: entry, At: pick, PickUps: 1, AccessedFirst: 1,
		Valid: 1, FirstResponses: 1, FirstResponseMS: a.FirstResponseMS, ResponseAvgs: 1, ResponseAvgMS: a.ResponseAvgMS}
	last := &a
	agents := []*sb.AgentFact{&a}
	groups := []*sb.GroupFact{&g}
	if r.IntN(100) < 30 {
		out := pick.Add(time.Duration(talk) * time.Millisecond)
		a.TransfersOut = 1
		to := group
		kind := "agent"
		if r.IntN(2) == 0 {
			kind, to = "group", int64(1+r.IntN(20))
		}
		tw := wait()
		b := sb.AgentFact{SessionID: id, AgentID: agentIn(to), GroupID: to, Channel: ch, Entry: entry,
			At: out.Add(time.Duration(tw) * time.Millisecond), PickUps: 1, TransfersIn: 1, DurationMS: 60_000 + r.Int64N(600_000),
			Valid: 1, HandleMS: 300_000}
		tr := sb.TransferFact{SessionID: id, TransferID: 1, Channel: ch, Entry: entry, At: out, Visitor: fmt.Sprintf("Visitor %d", id),
			Kind: kind, FromAgentID: agent, FromAgentName: fmt.Sprintf("Agent %d", agent), ToAgentID: b.AgentID,
			ToAgentName: fmt.Sprintf("Agent %d", b.AgentID), Success: true, PickedUpAt: &b.At, DurationMS: &tw}
		if kind == "group" {
			tr.ToGroupID, tr.ToGroupName, tr.QueueMS = to, fmt.Sprintf("Group %d", to), &tw
			f.Waits = append(f.Waits, sb.WaitFact{SessionID: id, GroupID: to, Channel: ch, Entry: entry, At: out, WaitMS: tw,
				Outcome: sb.WaitOutcomePickedUp, Transfer: true, AgentID: b.AgentID})
			if to != group {
				g.TransfersOut = 1
				groups = append(groups, &sb.GroupFact{SessionID: id, GroupID: to, Channel: ch, Entry: entry, At: b.At,
					PickUps: 1, TransfersIn: 1, Valid: 1})
			}
		}
		f.Transfers = append(f.Transfers, tr)
		agents = append(agents, &b)
		last = &b
	}
	if r.IntN(100) < 95 { // ended; the rest are still open
		end := last.At.Add(time.Duration(last.DurationMS) * time.Millisecond)
		last.Ended = 1
		gl := groups[len(groups)-1]
		gl.Ended, gl.DurationMS = 1, end.Sub(gl.At).Milliseconds()
		f.Session.Ended, f.Session.DurationMS = 1, end.Sub(pick).Milliseconds()
		if r.IntN(100) < 60 {
			last.Invited, gl.Invited, f.Session.Invited = 1, 1, 1
		}
		if r.IntN(100) < 40 {
			rating := 1 + r.IntN(5)
			last.InviteSuccess, gl.InviteSuccess, f.Session.InviteSuccess = last.Invited, gl.Invited, f.Session.Invited
			ra := end.Add(time.Minute)
			f.Ratings = append(f.Ratings, sb.RatingFact{SessionID: id, GroupID: gl.GroupID, Channel: ch, Entry: entry, At: ra, Rating: rating})
			for _, x := range agents {
				f.Ratings = append(f.Ratings, sb.RatingFact{SessionID: id, AgentID: x.AgentID, GroupID: x.GroupID, Channel: ch,
					Entry: entry, At: ra, Rating: rating})
			}
		}
	}
	for _, x := range agents {
		f.Agents = append(f.Agents, *x)
	}
	for _, x := range groups {
		f.Groups = append(f.Groups, *x)
	}
	return f
}

// fillReports rebuilds the facts of n sessions, 500 per PutFacts as a
// rebuild does, and returns the rate.
func fillReports(ctx context.Context, db *DB, n int) (float64, error) {
	if err := db.ResetFacts(ctx); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	batch := make([]sb.SessionFacts, 0, 500)
	for i := range n {
		batch = append(batch, benchFacts(r, i, n))
		if len(batch) == cap(batch) || i == n-1 {
			if err := db.PutFacts(ctx, batch, int64(i+1)); err != nil {
				return 0, err
			}
			batch = batch[:0]
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

var benchReportDB struct {
	once sync.Once
	db   *DB
	err  error
}

// openReportBench opens the benchmark store once per process, filled.
func openReportBench(b *testing.B) *DB {
	s := &benchReportDB
	s.once.Do(func() {
		ctx := context.Background()
		n := benchReportSessions()
		path := os.Getenv("SB_REPORT_BENCH_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "sb-report-bench")
			if err != nil {
				s.err = err
				return
			}
			benchReportCleanup = func() { os.RemoveAll(dir) }
			path = filepath.Join(dir, "bench.db")
		}
		if s.db, s.err = Open(ctx, path, Options{}); s.err != nil {
			return
		}
		var have int
		if s.err = s.db.read.QueryRow(`SELECT COUNT(*) FROM report_sessions`).Scan(&have); s.err != nil || have == n {
			return
		}
		rate, err := fillReports(ctx, s.db, n)
		if s.err = err; err == nil {
			fmt.Fprintf(os.Stderr, "report bench: rebuilt the facts of %d sessions at %.0f sessions/s\n", n, rate)
		}
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.db
}

var benchReportCleanup = func() {}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchReportDB.db != nil {
		benchReportDB.db.Close()
	}
	benchReportCleanup()
	os.Exit(code)
}

func BenchmarkReports(b *testing.B) {
	db := openReportBench(b)
	ctx := context.Background()
	ranges := map[string]sb.ReportQuery{
		// 90 days from 09:00 to 17:00: 88 whole days and two partial ones.
		"90days": {From: benchReportStart.Add(9 * time.Hour), To: benchReportStart.AddDate(0, 0, benchReportDays-1).Add(17 * time.Hour)},
		"day":    {From: benchReportStart.AddDate(0, 0, 45), To: benchReportStart.AddDate(0, 0, 46)},
		"hours":  {From: benchReportStart.AddDate(0, 0, 45).Add(8 * time.Hour), To: benchReportStart.AddDate(0, 0, 45).Add(20 * time.Hour)},
	}
	reports := []struct {
		name string
		run  func(q sb.ReportQuery) (int, error)
	}{
		{"agent_workload", func(q sb.ReportQuery) (int, error) { r, err := db.AgentWorkload(ctx, q); return len(r), err }},
		{"group_workload", func(q sb.ReportQuery) (int, error) { r, err := db.GroupWorkload(ctx, q); return len(r), err }},
		{"queues", func(q sb.ReportQuery) (int, error) { r, err := db.QueueReport(ctx, q); return len(r), err }},
		{"channels", func(q sb.ReportQuery) (int, error) { r, err := db.ChannelReport(ctx, q); return len(r), err }},
		{"agent_workload_filtered", func(q sb.ReportQuery) (int, error) {
			q.Channels, q.GroupIDs = []sb.Channel{sb.ChannelWeb, sb.ChannelSMS}, []int64{3, 4}
			r, err := db.AgentWorkload(ctx, q)
			return len(r), err
		}},
		{"queues_threshold_30s", func(q sb.ReportQuery) (int, error) {
			q.QueueThreshold = 30 * time.Second
			r, err := db.QueueReport(ctx, q)
			return len(r), err
		}},
		{"transfers_page", func(q sb.ReportQuery) (int, error) {
			q.Limit = 100
			r, err := db.Transfers(ctx, q)
			return len(r), err
		}},
		{"queue_sessions_page", func(q sb.ReportQuery) (int, error) {
			q.GroupIDs, q.Limit = []int64{7}, 100
			r, err := db.QueueSessions(ctx, q)
			return len(r), err
		}},
		{"service_level", func(q sb.ReportQuery) (int, error) {
			r, err := db.ServiceLevel(ctx, q, sb.ServiceLevelOptions{Interval: 30 * time.Minute, Within: 20 * time.Second,
				ShortAbandon: 5 * time.Second})
			return len(r), err
		}},
	}
	for _, rep := range reports {
		for _, rg := range []string{"90days", "day", "hours"} {
			b.Run(rep.name+"/"+rg, func(b *testing.B) {
				for b.Loop() {
					if n, err := rep.run(ranges[rg]); err != nil || (n == 0 && rep.name != "queue_sessions_page") {
						b.Fatal(n, err)
					}
				}
			})
		}
	}
}

// BenchmarkPutFacts rebuilds facts, 500 sessions per call (ns/op is per
// call), into a fresh store, and re-puts sessions already stored (a
// catch-up re-deriving open sessions); sessions/s is the rate.
func BenchmarkPutFacts(b *testing.B) {
	ctx := context.Background()
	for _, replace := range []bool{false, true} {
		name := "rebuild"
		if replace {
			name = "replace"
		}
		b.Run(name, func(b *testing.B) {
			db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			const n = 10_000
			r := rand.New(rand.NewPCG(3, 4))
			facts := make([]sb.SessionFacts, n)
			for i := range facts {
				facts[i] = benchFacts(r, i, n)
			}
			if replace {
				for i := 0; i < n; i += 500 {
					if err := db.PutFacts(ctx, facts[i:i+500], 1); err != nil {
						b.Fatal(err)
					}
				}
			}
			i := 0
			for b.Loop() {
				if i%n == 0 && !replace {
					b.StopTimer()
					if err := db.ResetFacts(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				j := i % n
				if err := db.PutFacts(ctx, facts[j:j+500], int64(i)); err != nil {
					b.Fatal(err)
				}
				i += 500
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}
