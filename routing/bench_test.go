package routing

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// fill builds the size: 50 groups, 2,000 online agents (each in two
// groups, capacity 3, all busy) and 10,000 sessions waiting.
func fill(tb testing.TB) (*Router, map[int64][]int64, int64) {
	const groups, agents, waiting = 50, 2000, 10000
	r := New(Settings{Familiar: FamiliarLast})
	held := map[int64][]int64{}
	now := t0
	for id := int64(1); id <= agents; id++ {
		if _, err := r.SetAgent(AgentConfig{ID: id, Capacity: 3, Groups: []int64{id % groups, (id * 7) % groups}}, now); err != nil {
			tb.Fatal(err)
		}
		if _, err := r.SetStatus(id, Online, now); err != nil {
			tb.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	next := int64(1)
	for r.totalWaiting() < waiting {
		now = now.Add(time.Millisecond)
		ds, err := r.Enqueue(Waiting{SessionID: next, GroupID: rng.Int64N(groups), Since: now, Level: rng.IntN(10),
			LastAgentID: rng.Int64N(agents + 1)}, now)
		if err != nil {
			tb.Fatal(err)
		}
		for _, d := range ds {
			held[d.AgentID] = append(held[d.AgentID], d.SessionID)
		}
		next++
	}
	return r, held, next
}

func (r *Router) totalWaiting() int { return len(r.waiting) }

// BenchmarkDecision measures one routing decision at full size: an agent
// frees a slot and the router picks the best waiting session of its groups
// and explains why; a new arrival then keeps 10,000 waiting. It reports
// the p50 and p99 of the decision alone.
func BenchmarkDecision(b *testing.B) {
	r, held, next := fill(b)
	rng := rand.New(rand.NewPCG(3, 4))
	now := t0.Add(time.Hour)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := rng.Int64N(2000) + 1
		for len(held[a]) == 0 {
			a = rng.Int64N(2000) + 1
		}
		s := held[a][0]
		held[a] = held[a][1:]
		now = now.Add(time.Millisecond)
		start := time.Now()
		ds := r.Release(a, s, now)
		d := time.Since(start)
		if len(ds) == 1 { // the agent's groups may have run dry for a while
			lat = append(lat, d)
		}
		for _, d := range ds {
			held[d.AgentID] = append(held[d.AgentID], d.SessionID)
		}
		ds, err := r.Enqueue(Waiting{SessionID: next, GroupID: rng.Int64N(50), Since: now, Level: rng.IntN(10)}, now)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range ds {
			held[d.AgentID] = append(held[d.AgentID], d.SessionID)
		}
		next++
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkEnqueueAssign measures an arrival that an agent takes at once:
// the choice among a group's members with the reasons for all of them.
func BenchmarkEnqueueAssign(b *testing.B) {
	r, held, next := fill(b)
	now := t0.Add(time.Hour)
	lat := make([]time.Duration, 0, b.N)
	// Drain the queues so arrivals are assigned at once: raise capacity.
	for id := int64(1); id <= 2000; id++ {
		ds, _ := r.SetAgent(AgentConfig{ID: id, Capacity: 99, Groups: []int64{id % 50, (id * 7) % 50}}, now)
		for _, d := range ds {
			held[d.AgentID] = append(held[d.AgentID], d.SessionID)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(time.Millisecond)
		start := time.Now()
		ds, _ := r.Enqueue(Waiting{SessionID: next, GroupID: int64(i % 50), Since: now}, now)
		lat = append(lat, time.Since(start))
		if len(ds) != 1 {
			b.Fatalf("arrival decided %d, want 1", len(ds))
		}
		r.Release(ds[0].AgentID, ds[0].SessionID, now)
		next++
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkQueueOps shows that joining and leaving a queue grows with the
// logarithm of its length.
func BenchmarkQueueOps(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("waiting=%d", n), func(b *testing.B) {
			r := New(Settings{})
			rng := rand.New(rand.NewPCG(1, 1))
			for i := 1; i <= n; i++ {
				r.Enqueue(Waiting{SessionID: int64(i), GroupID: 1, Since: t0.Add(time.Duration(i)), Level: rng.IntN(10)}, t0)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := int64(n + 1 + i)
				r.Enqueue(Waiting{SessionID: id, GroupID: 1, Since: t0.Add(time.Duration(id)), Level: rng.IntN(10)}, t0)
				r.Remove(rng.Int64N(id) + 1) // abandon someone, anywhere in the queue
			}
		})
	}
}

// BenchmarkRoutingMemory reports the heap held by the routing state at the
// issue's size.
func BenchmarkRoutingMemory(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, held, _ := fill(b)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc), "B")
		runtime.KeepAlive(r)
		runtime.KeepAlive(held)
	}
}
