package routing

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type answer struct {
	pos, length int
	group       int64
	ok          bool
	wait        time.Duration
	why         string
}

// answers reads every session's position and estimate from the router.
func answers(r *Router, sessions int64, now time.Time) map[int64]answer {
	out := map[int64]answer{}
	for id := int64(1); id <= sessions; id++ {
		var a answer
		a.pos, a.length, a.group, a.ok = r.Position(id)
		a.wait, a.why = r.EstimatedWait(a.group, a.pos, now)
		out[id] = a
	}
	return out
}

func checkSnapshot(t *testing.T, step int, s *Snapshot, want map[int64]answer, now time.Time) {
	t.Helper()
	for id, w := range want {
		var got answer
		got.pos, got.length, got.group, got.ok = s.Position(id)
		got.wait, got.why = s.EstimatedWait(got.group, got.pos, now)
		if got != w {
			t.Fatalf("step %d: session %d: snapshot %+v, router %+v", step, id, got, w)
		}
	}
}

// A snapshot answers every position and estimate as the router does, after
// any mix of joins at every level, leaves, assignments and status changes;
// and it keeps answering as the router did when it was taken.
func TestSnapshotAnswersAsTheRouter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := New(Settings{OnlyWorkHours: true})
	r.Changes = new(atomic.Uint64)
	r.InWorkHours = func(g int64, t time.Time) bool { return g != 3 || t.Minute()%2 == 0 }
	const agents, groups = 6, 4
	for id := int64(1); id <= agents; id++ {
		mustAgent(t, r, id, 1+rng.IntN(2), id%groups+1)
	}
	holder := map[int64]int64{}
	next := int64(1)
	now := t0
	statuses := []Status{Online, Busy, Away, Offline}
	var prev *Snapshot
	var prevWant map[int64]answer
	var prevAt time.Time
	for step := 0; step < 2000; step++ {
		now = now.Add(time.Duration(rng.IntN(20000)) * time.Millisecond)
		var ds []Decision
		switch op := rng.IntN(10); {
		case op < 5:
			// Many sessions share a start time: arrival breaks the tie.
			since := now.Add(-time.Duration(rng.IntN(3)) * time.Second)
			ds, _ = r.Enqueue(Waiting{SessionID: next, GroupID: rng.Int64N(groups+1) + 1, Since: since, Level: rng.IntN(3)}, now)
			next++
		case op < 7:
			ds, _ = r.SetStatus(rng.Int64N(agents)+1, statuses[rng.IntN(len(statuses))], now)
		case op < 9:
			for s, a := range holder {
				ds = r.Release(a, s, now)
				delete(holder, s)
				break
			}
		default:
			r.Remove(rng.Int64N(next) + 1)
		}
		for _, d := range ds {
			holder[d.SessionID] = d.AgentID
		}
		if prev != nil {
			checkSnapshot(t, step, prev, prevWant, prevAt) // unchanged by what the router did since
		}
		s := r.Snapshot()
		later := now.Add(time.Duration(rng.IntN(2)) * 90 * time.Minute)
		want := answers(r, next, later)
		checkSnapshot(t, step, s, want, later)
		if s.Version() != r.Version() {
			t.Fatalf("step %d: snapshot version %d, router %d", step, s.Version(), r.Version())
		}
		prev, prevWant, prevAt = s, want, later
	}
}

// Positions after joins, a higher level jumping the queue, and leaves.
func TestSnapshotPositions(t *testing.T) {
	r := New(Settings{})
	r.Changes = new(atomic.Uint64)
	mustAgent(t, r, 1, 1, 10)
	for i := int64(1); i <= 4; i++ {
		enqueue(t, r, Waiting{SessionID: i, GroupID: 10, Since: at(int(i))})
	}
	enqueue(t, r, Waiting{SessionID: 9, GroupID: 20, Since: at(0)})
	pos := func(s *Snapshot, id int64) [3]int64 {
		p, n, g, ok := s.Position(id)
		if !ok {
			return [3]int64{}
		}
		return [3]int64{int64(p), int64(n), g}
	}
	s := r.Snapshot()
	eq(t, "after four joins", []([3]int64){pos(s, 1), pos(s, 4), pos(s, 9)}, [][3]int64{{1, 4, 10}, {4, 4, 10}, {1, 1, 20}})

	enqueue(t, r, Waiting{SessionID: 5, GroupID: 10, Since: at(5), Level: 3}) // jumps the queue
	s2 := r.Snapshot()
	eq(t, "after a level 3 joined", []([3]int64){pos(s2, 5), pos(s2, 1), pos(s2, 4)}, [][3]int64{{1, 5, 10}, {2, 5, 10}, {5, 5, 10}})
	if pos(s, 5) != ([3]int64{}) || pos(s, 4) != ([3]int64{4, 4, 10}) {
		t.Errorf("the earlier snapshot changed: %v %v", pos(s, 5), pos(s, 4))
	}

	r.Remove(2)
	online(t, r, 1, at(6)) // takes the level 3 session
	s3 := r.Snapshot()
	eq(t, "after a leave and an assignment", []([3]int64){pos(s3, 1), pos(s3, 3), pos(s3, 4), pos(s3, 2), pos(s3, 5)},
		[][3]int64{{1, 3, 10}, {2, 3, 10}, {3, 3, 10}, {}, {}})
	if s3.Waiting(10) != 3 || s3.Waiting(20) != 1 || s3.Waiting(30) != 0 {
		t.Errorf("waiting %d %d %d", s3.Waiting(10), s3.Waiting(20), s3.Waiting(30))
	}
	if _, why := s3.EstimatedWait(30, 1, at(7)); why != NoEstimateNoAgent {
		t.Errorf("estimate for a group routing does not know: %q", why)
	}
}

// Every change the router makes counts in Changes, and reads do not.
func TestVersionCountsChanges(t *testing.T) {
	r := New(Settings{})
	if r.Version() != 0 {
		t.Fatal("a router without a counter has version 0")
	}
	r.Changes = new(atomic.Uint64)
	v := func() uint64 { return r.Version() }
	last := v()
	step := func(what string, changes bool) {
		t.Helper()
		got := v()
		if (got != last) != changes {
			t.Errorf("%s: version %d → %d", what, last, got)
		}
		last = got
	}
	mustAgent(t, r, 1, 1, 10)
	step("agent saved", true)
	enqueue(t, r, Waiting{SessionID: 1, GroupID: 10, Since: at(0)})
	step("join", true)
	r.Position(1)
	r.EstimatedWait(10, 1, at(1))
	r.Snapshot()
	step("reads", false)
	online(t, r, 1, at(1))
	step("online (and an assignment)", true)
	r.Release(1, 1, at(2))
	step("release with nobody waiting", false)
	r.SetSettings(Settings{IncludeOffline: true})
	step("settings", true)
	r.Remove(7)
	step("removing a session that does not wait", false)
}

// Readers on other goroutines read a published snapshot while the owner
// changes the router and publishes new ones (run with -race).
func TestSnapshotReadersConcurrentWithOwner(t *testing.T) {
	r := New(Settings{})
	r.Changes = new(atomic.Uint64)
	r.InWorkHours = func(int64, time.Time) bool { return true }
	mustAgent(t, r, 1, 2, 10)
	var cur atomic.Pointer[Snapshot]
	cur.Store(r.Snapshot())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := cur.Load()
				for id := int64(1); id < 50; id++ {
					if p, n, g, ok := s.Position(id); ok {
						if p < 1 || p > n || g != 10 {
							t.Errorf("session %d: position %d of %d in %d", id, p, n, g)
							return
						}
						s.EstimatedWait(g, p, at(1000))
					}
				}
				_ = r.Version() // safe beside the owner
			}
		}()
	}
	rng := rand.New(rand.NewPCG(5, 6))
	next := int64(1)
	for i := 0; i < 3000; i++ {
		now := at(i)
		switch rng.IntN(4) {
		case 0, 1:
			r.Enqueue(Waiting{SessionID: next, GroupID: 10, Since: now, Level: rng.IntN(3)}, now)
			next++
		case 2:
			r.SetStatus(1, []Status{Online, Away}[rng.IntN(2)], now)
		default:
			r.Release(1, rng.Int64N(next)+1, now)
		}
		if i%10 == 0 {
			c := r.Capture()
			cur.Store(c.Snapshot())
		}
	}
	close(stop)
	wg.Wait()
}

// BenchmarkSnapshot10000 captures and indexes a queue of 10,000.
func BenchmarkSnapshot10000(b *testing.B) {
	r := New(Settings{})
	rng := rand.New(rand.NewPCG(7, 8))
	for i := int64(1); i <= 10000; i++ {
		r.Enqueue(Waiting{SessionID: i, GroupID: 1, Since: at(rng.IntN(3600)), Level: rng.IntN(3)}, at(0))
	}
	b.Run("capture", func(b *testing.B) {
		for b.Loop() {
			r.Capture()
		}
	})
	b.Run("capture+sort", func(b *testing.B) {
		for b.Loop() {
			r.Capture().Snapshot()
		}
	})
}
