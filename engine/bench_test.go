package engine_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
)

func benchEnv(b *testing.B) *env {
	e := open(b, filepath.Join(b.TempDir(), "sb.db"), clock.NewVirtual(t0))
	b.Cleanup(e.close)
	ctx := context.Background()
	if _, err := e.dir.SaveAgent(ctx, sb.Agent{Name: "Noam B", Email: "noam@example.com"}); err != nil {
		b.Fatal(err)
	}
	if _, err := e.dir.SaveQueue(ctx, sb.Queue{Name: "Support", Priority: 2}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkExecuteParallel measures commands through the engine (decide,
// fold, group commit, publish) from many goroutines at once, each command
// appending a data-stream event to one of 1024 live sessions.
func BenchmarkExecuteParallel(b *testing.B) {
	e := benchEnv(b)
	ctx := context.Background()
	ids := make([]int64, 1024)
	for i := range ids {
		res, err := e.eng.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, sb.SystemActor)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = res.Session.ID
	}
	var n atomic.Int64
	b.SetParallelism(32) // 64 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[n.Add(1)%int64(len(ids))]
			cmd := &lifecycle.RecordEvent{Type: "sentiment_score", Data: json.RawMessage(`{"score":52}`)}
			if err := cmd.Validate(); err != nil {
				b.Fatal(err)
			}
			if _, err := e.eng.Execute(ctx, id, cmd, sb.SystemActor, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}

// BenchmarkOpenSessionMemory reports the heap held per open session: a
// chat that is queued, assigned and connected, kept live in the engine.
func BenchmarkOpenSessionMemory(b *testing.B) {
	const n = 10000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := benchEnv(b)
		ctx := context.Background()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for j := 0; j < n; j++ {
			res, err := e.eng.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1,
				EndUser: sb.EndUser{Name: "Visitor", Email: "visitor@example.com"}}, sb.SystemActor)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.eng.Execute(ctx, res.Session.ID, &lifecycle.Assign{AgentID: 1}, sb.SystemActor, nil); err != nil {
				b.Fatal(err)
			}
			if _, err := e.eng.Execute(ctx, res.Session.ID, connectCmd(), sb.SystemActor, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/session")
		e.close()
	}
}
