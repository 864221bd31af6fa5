package dispatch

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard/routing"
)

// Positions serves queue positions from a snapshot of the router
// (routing.Snapshot), swapped through an atomic pointer, so that reading a
// position is a map lookup on the reader's goroutine. Only taking a new
// snapshot goes through the engine's writer, and only its copying
// (routing.Capture) runs there; sorting runs on the reader's goroutine.
// A new snapshot is taken only when the router changed since the last one:
// at once for a reader that needs a current answer (Current), at most once
// per interval for readers that follow positions as they change (Recent).
// It is safe for concurrent use.
type Positions struct {
	d *Dispatcher
	// run runs fn in the engine's writer goroutine, the router's owner.
	run func(ctx context.Context, fn func()) error
	cur atomic.Pointer[routing.Snapshot]
	mu  sync.Mutex // one snapshot taken at a time
	// pending is set while a snapshot for Recent is being taken or
	// the interval after it has not passed yet.
	pending atomic.Bool
}

// Positions returns the dispatcher's queue positions; run must run its
// function in the engine's writer goroutine (engine.Do).
func (d *Dispatcher) Positions(run func(ctx context.Context, fn func()) error) *Positions {
	return &Positions{d: d, run: run}
}

// Version counts the changes to the router's queues, agents and settings,
// across rebuilds. It is safe to call from any goroutine.
func (d *Dispatcher) Version() uint64 { return d.changes.Load() }

// Capture copies the router's queues for a snapshot. Call it from the
// writer goroutine only.
func (d *Dispatcher) Capture() *routing.Capture { return d.router.Capture() }

// Current returns a snapshot that has every change routing made before the
// call: the last one when the router has not changed since, else a new one.
func (p *Positions) Current(ctx context.Context) (*routing.Snapshot, error) {
	want := p.d.Version()
	if s := p.cur.Load(); s != nil && s.Version() >= want {
		return s, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.cur.Load(); s != nil && s.Version() >= want {
		return s, nil // taken by another reader meanwhile
	}
	var c *routing.Capture
	if err := p.run(ctx, func() { c = p.d.Capture() }); err != nil {
		return nil, err
	}
	s := c.Snapshot()
	p.cur.Store(s)
	return s, nil
}

// Recent returns the last snapshot at once, however old. When the router
// changed since, it starts taking a new one in the background, at most
// once per interval for all readers together: a follower that reads every
// interval sees a change within two.
func (p *Positions) Recent(ctx context.Context, interval time.Duration) (*routing.Snapshot, error) {
	s := p.cur.Load()
	if s == nil {
		return p.Current(ctx)
	}
	if s.Version() < p.d.Version() && p.pending.CompareAndSwap(false, true) {
		go func() {
			if _, err := p.Current(context.Background()); err != nil {
				p.d.log.Debug("routing: queue positions snapshot", "err", err)
			}
			time.AfterFunc(interval, func() { p.pending.Store(false) })
		}()
	}
	return s, nil
}
