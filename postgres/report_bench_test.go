package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// The report facts of realistic sessions, as the SQLite store's
// benchmarks make them (sqlite/report_bench_test.go): sessions spread over
// 90 days, 200 agents in 20 groups, 5 channels, 5 entries, a third
// transferred, about 15% abandoned in the queue.

var benchReportStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const benchReportDays = 90

var benchChannels = []sb.Channel{sb.ChannelWeb, sb.ChannelMobile, sb.ChannelWhatsApp, sb.ChannelSMS, sb.ChannelMiniProgram}

// benchFacts builds session i of n: created at an even spread over the
// days, with the facts a real session of its kind would have.
func benchFacts(r *rand.Rand, i, n int) sb.SessionFacts {
	id := int64(i + 1)
	span := int64(benchReportDays) * reportDayMS
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

// BenchmarkPutFacts stores facts 1000 sessions per call, as a rebuild
// does (ns/op is per call), into emptied tables, and puts sessions already
// stored again with a change (a catch-up re-deriving open sessions);
// sessions/s is the rate. The figures for a large site come from
//
//	go test ./postgres/ -run '^$' -bench PutFacts -benchtime 200x
func BenchmarkPutFacts(b *testing.B) {
	ctx := context.Background()
	for _, replace := range []bool{false, true} {
		name := "rebuild"
		if replace {
			name = "replace"
		}
		b.Run(name, func(b *testing.B) {
			db, _ := openReportTest(b)
			const n, per = 20_000, 1000
			r := rand.New(rand.NewPCG(3, 4))
			facts := make([]sb.SessionFacts, n)
			for i := range facts {
				facts[i] = benchFacts(r, i, n)
			}
			if replace {
				for i := 0; i < n; i += per {
					if err := db.PutFacts(ctx, facts[i:i+per], 1); err != nil {
						b.Fatal(err)
					}
				}
			}
			i := 0
			for b.Loop() {
				j := i % n
				if j == 0 && !replace {
					b.StopTimer()
					if err := db.ResetFacts(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				batch := facts[j : j+per]
				if replace {
					for k := range batch {
						batch[k].Seq++
						batch[k].Session.HoldMS += 1000
					}
				}
				if err := db.PutFacts(ctx, batch, int64(i)); err != nil {
					b.Fatal(err)
				}
				i += per
			}
			b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}
