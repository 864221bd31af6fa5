package dispatch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// benchApp opens an app on a SQLite file with one queue and 50 online
// agents in it, each able to take 99 sessions.
func benchApp(b *testing.B) *app.App {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	a, err := app.Open(ctx, app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		Clock: clock.NewVirtual(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MetadataDelay: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	if _, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support"}); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 50; i++ {
		ag, err := a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: fmt.Sprintf("Agent %d", i),
			Email: fmt.Sprintf("a%d@example.com", i), Groups: []int64{1}, MaxConcurrent: 99})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.API.Config.Routing.SetAgentStatus(ctx, ag.ID, sb.AgentOnline); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkAssignmentsEndToEnd measures routing through the store: 64
// goroutines each create a queued web chat — which the router assigns in
// the same transaction — and end it, freeing the capacity again.
func BenchmarkAssignmentsEndToEnd(b *testing.B) {
	a := benchApp(b)
	ctx := context.Background()
	var assigned atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, sb.Actor{Kind: sb.ActorIntegration})
			if err != nil {
				b.Fatal(err)
			}
			if res.Session.Status != sb.StatusAssigned {
				b.Fatalf("created %s, want assigned at once", res.Session.Status)
			}
			assigned.Add(1)
			if _, err := a.Engine.Execute(ctx, res.Session.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent}, sb.Actor{Kind: sb.ActorAgent}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(assigned.Load())/b.Elapsed().Seconds(), "assignments/s")
}

// BenchmarkQueuedToOffer measures the time from a session being queued
// while an agent is free until its assignment reaches a live subscriber
// (the agent desk's subscription), with the commit in between.
func BenchmarkQueuedToOffer(b *testing.B) {
	a := benchApp(b)
	ctx := context.Background()
	sub := a.Broker.Subscribe(0, 4096)
	defer sub.Close()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, sb.Actor{Kind: sb.ActorIntegration})
		if err != nil {
			b.Fatal(err)
		}
		for e := range sub.C() {
			if e.SessionID == res.Session.ID && e.Type == lifecycle.EventAssigned {
				lat = append(lat, time.Since(start))
				break
			}
		}
		b.StopTimer()
		if _, err := a.Engine.Execute(ctx, res.Session.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent}, sb.Actor{Kind: sb.ActorAgent}, nil); err != nil {
			b.Fatal(err)
		}
		for len(sub.C()) > 0 {
			<-sub.C()
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
