package dispatch_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/dispatch"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// countingPositions reads positions through the engine's writer and
// counts the trips; each trip is also announced on took.
func countingPositions(e *env) (*dispatch.Positions, *atomic.Int64, chan struct{}) {
	var trips atomic.Int64
	took := make(chan struct{}, 100)
	p := e.a.Dispatcher.Positions(func(ctx context.Context, fn func()) error {
		return e.a.Engine.Do(ctx, func(time.Time) ([]engine.Followup, error) {
			fn()
			trips.Add(1)
			took <- struct{}{}
			return nil, nil
		})
	})
	return p, &trips, took
}

// A current read goes through the writer only when routing changed since
// the last snapshot, and then sees the change.
func TestPositionsCurrentTakesASnapshotOnlyAfterAChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, trips, _ := countingPositions(e)
	first, second := e.chat(1), e.chat(1)
	for range 3 {
		s, err := p.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pos, n, _, ok := s.Position(second); !ok || pos != 2 || n != 2 {
			t.Fatalf("second: %d of %d (%v)", pos, n, ok)
		}
	}
	if trips.Load() != 1 {
		t.Fatalf("%d trips through the writer for three reads of one state", trips.Load())
	}
	e.status(1, sb.AgentOnline) // takes both
	s, _ := p.Current(ctx)
	if _, _, _, ok := s.Position(first); ok || trips.Load() != 2 {
		t.Fatalf("after both were taken: first still waiting %v, %d trips", ok, trips.Load())
	}
	third := e.chat(1) // Noam has room for two and Alex is offline: it waits
	s, _ = p.Current(ctx)
	if pos, _, _, ok := s.Position(third); !ok || pos != 1 || trips.Load() != 3 {
		t.Fatalf("third: %d (%v), %d trips", pos, ok, trips.Load())
	}
	// A message changes nothing routing holds: the snapshot stays current.
	e.do(third, &lifecycle.Message{From: sb.FromEndUser, Text: "anyone?"})
	if _, err := p.Current(ctx); err != nil || trips.Load() != 3 {
		t.Fatalf("after a message: %v, %d trips", err, trips.Load())
	}
}

// Followers read the last snapshot without waiting; a change makes one
// of them start taking a new snapshot, once per interval for all.
func TestPositionsRecentRenewsOncePerInterval(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p, trips, took := countingPositions(e)
	a, b := e.chat(1), e.chat(1)
	if _, err := p.Recent(ctx, time.Hour); err != nil { // no snapshot yet: takes one
		t.Fatal(err)
	}
	<-took
	e.do(a, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	for range 100 {
		s, err := p.Recent(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if pos, _, _, ok := s.Position(b); trips.Load() == 1 && (!ok || pos != 2) {
			t.Fatalf("the old snapshot: %d (%v)", pos, ok) // unchanged until the new one is in
		}
	}
	<-took // the one renewal the change called for
	e.do(b, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	for range 100 {
		p.Recent(ctx, time.Hour)
	}
	if trips.Load() != 2 {
		t.Fatalf("%d trips through the writer: the interval has not passed", trips.Load())
	}
	// A current read still sees the change at once.
	s, _ := p.Current(ctx)
	if _, _, _, ok := s.Position(b); ok {
		t.Fatal("an ended session still waits")
	}
}

// Readers of positions on many goroutines run beside commands that join,
// leave and assign (run with -race); every answer is a consistent place.
func TestPositionsReadersConcurrentWithCommands(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.a.Dispatcher.Positions(func(ctx context.Context, fn func()) error {
		return e.a.Engine.Do(ctx, func(time.Time) ([]engine.Followup, error) { fn(); return nil, nil })
	})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				read := p.Current
				if i%2 == 0 {
					read = func(ctx context.Context) (*routing.Snapshot, error) { return p.Recent(ctx, time.Millisecond) }
				}
				s, err := read(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				for id := int64(1); id <= 40; id++ {
					if pos, n, q, ok := s.Position(id); ok && (pos < 1 || pos > n || q != 1) {
						t.Errorf("session %d: %d of %d in queue %d", id, pos, n, q)
						return
					}
				}
			}
		}()
	}
	var ids []int64
	for i := range 30 {
		ids = append(ids, e.chat(1))
		switch i % 10 {
		case 3:
			e.status(1, sb.AgentOnline)
		case 6:
			e.status(1, sb.AgentAway)
		case 8:
			e.do(ids[i-1], &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
		}
	}
	close(stop)
	wg.Wait()
	s, err := p.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, id := range ids {
		if e.session(id).Status == sb.StatusQueued {
			want++
		}
	}
	if s.Waiting(1) != want {
		t.Errorf("snapshot has %d waiting, the store %d", s.Waiting(1), want)
	}
}
