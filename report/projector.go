package report

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/recent"
)

// Projector keeps the report facts up to date with the event log. It reads
// the log from the report store's checkpoint and folds each event into
// the Log of its session, which it keeps in memory for the sessions it
// has seen lately; for every session an event changed it stores the new
// facts, with the new checkpoint, in one transaction. So an event costs
// the projector that event, not a read of its session's log: a session's
// log is read once, when the projector first meets the session after a
// start (or after forgetting it). Catching up and rebuilding from scratch
// run the same derivation (Log), so they agree.
type Projector struct {
	Events  sb.EventStore
	Reports sb.ReportStore
	Log     *slog.Logger
	// Page is how many events one catch-up step reads (default 5000).
	Page int
	// Keep is how many sessions' logs the projector keeps in memory at
	// least (default 8192); it keeps at most twice as many, the most
	// recently touched.
	Keep int
	// Clock and Settle pace Run: after the events that woke it, Run lets
	// Settle go by on Clock before it catches up (default 100 ms; without a
	// Clock, or with Settle negative, it catches up at once). Under load a
	// step then stores each busy session's facts, and each rollup row they
	// share, once for many events. Reports do not wait for it: Sync brings
	// the facts up to date before every query.
	Clock  sb.Clock
	Settle time.Duration
	// Index, if set, runs after each catch-up in Run: another read model
	// of the log built off the writer's path, in batches paced the same
	// way (the app gives the store's history-search index of message
	// text, which its searches also bring up to date themselves).
	Index func(context.Context) error

	mu   sync.Mutex                // one catch-up step or rebuild at a time
	logs recent.Cache[int64, *Log] // under mu; Keep set at first use

	rebuilding          atomic.Bool
	built, toBuild      atomic.Int64 // sessions, while rebuilding
	checkpoint, lastSaw atomic.Int64 // events, as of the latest step
}

func (p *Projector) page() int {
	if p.Page > 0 {
		return p.Page
	}
	return 5000
}

// CatchUp derives the facts of every session with events after the
// checkpoint and stores them, until the checkpoint reaches the newest
// event. It returns how many events it read.
func (p *Projector) CatchUp(ctx context.Context) (int, error) {
	read := 0
	for {
		n, more, err := p.step(ctx)
		read += n
		if err != nil || !more {
			return read, err
		}
	}
}

// step catches up by one page of events, under the lock. more says that a
// full page was read: more may follow.
func (p *Projector) step(ctx context.Context) (read int, more bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stepLocked(ctx)
}

func (p *Projector) stepLocked(ctx context.Context) (int, bool, error) {
	from, err := p.Reports.ReportCheckpoint(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("read report checkpoint: %w", err)
	}
	p.checkpoint.Store(from)
	events, err := p.Events.Events(ctx, from, p.page())
	if err != nil {
		return 0, false, fmt.Errorf("read events after %d: %w", from, err)
	}
	if len(events) == 0 {
		p.lastSaw.Store(max(p.lastSaw.Load(), from))
		return 0, false, nil
	}
	var changed []*Log
	seen, bad := map[*Log]bool{}, map[int64]bool{}
	for _, e := range events {
		l, err := p.logFor(ctx, e)
		if err != nil {
			p.logs.Reset()
			return 0, false, err
		}
		if l == nil {
			bad[e.SessionID] = true // a log that cannot be folded: reported, left out
			continue
		}
		if err := l.Add(e); err != nil {
			p.logger().Error("report facts not derived", "session", e.SessionID, "err", err)
			p.logs.Delete(e.SessionID)
			bad[e.SessionID] = true
			continue
		}
		if ChangesFacts(e.Type) && !seen[l] {
			seen[l] = true
			changed = append(changed, l)
		}
	}
	// A page of chat messages alone changes no facts: only the checkpoint
	// moves.
	facts := make([]sb.SessionFacts, 0, len(changed))
	for _, l := range changed {
		if !bad[l.SessionID()] {
			facts = append(facts, l.Facts())
		}
	}
	last := events[len(events)-1].ID
	if err := p.Reports.PutFacts(ctx, facts, last); err != nil {
		// The logs in memory are ahead of the stored checkpoint now.
		p.logs.Reset()
		return len(events), false, fmt.Errorf("store report facts: %w", err)
	}
	p.checkpoint.Store(last)
	p.lastSaw.Store(max(p.lastSaw.Load(), last))
	return len(events), len(events) == p.page(), nil
}

// logFor returns the log of e's session as of the event before e: the one
// kept in memory, or else one read from the store. It returns nil, having
// reported why, for a log that cannot be folded.
func (p *Projector) logFor(ctx context.Context, e sb.Event) (*Log, error) {
	p.logs.Keep = p.keep()
	if l, ok := p.logs.Get(e.SessionID); ok && l.Seq() == e.Seq-1 {
		p.logs.Put(e.SessionID, l) // touched: kept longer
		return l, nil
	}
	l := &Log{}
	for l.Seq() < e.Seq-1 {
		events, err := p.Events.SessionEvents(ctx, e.SessionID, l.Seq(), int(min(e.Seq-1-l.Seq(), 10000)))
		if err != nil {
			return nil, fmt.Errorf("read events of session %d: %w", e.SessionID, err)
		}
		if len(events) == 0 {
			p.logger().Error("report facts not derived", "session", e.SessionID,
				"err", fmt.Sprintf("event %d follows a log that ends at %d", e.Seq, l.Seq()))
			p.logs.Delete(e.SessionID)
			return nil, nil
		}
		for _, x := range events {
			if err := l.Add(x); err != nil {
				p.logger().Error("report facts not derived", "session", e.SessionID, "err", err)
				p.logs.Delete(e.SessionID)
				return nil, nil
			}
		}
	}
	p.logs.Put(e.SessionID, l)
	return l, nil
}

// settle waits for Settle to pass on Clock, or for ctx to end.
func (p *Projector) settle(ctx context.Context) {
	d := p.Settle
	if d == 0 {
		d = 100 * time.Millisecond
	}
	if p.Clock == nil || d < 0 {
		return
	}
	done := make(chan struct{})
	t := clock.AfterFunc(p.Clock, d, func() { close(done) })
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-done:
	}
}

// index runs Index, if set, and logs its failure.
func (p *Projector) index(ctx context.Context) {
	if p.Index == nil {
		return
	}
	if err := p.Index(ctx); err != nil && ctx.Err() == nil {
		p.logger().Error("index after catch-up failed", "err", err)
	}
}

func (p *Projector) keep() int {
	if p.Keep > 0 {
		return p.Keep
	}
	return 8192
}

func (p *Projector) logger() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Run catches up whenever events are published, until ctx ends. Reads are
// also brought up to date by Sync before every report query, so Run only
// keeps the work off the readers' path.
func (p *Projector) Run(ctx context.Context, b sb.EventFeed) {
	// A store with no facts yet (a new install, one upgraded from a
	// version without reports, or one made by generate) is built session
	// by session rather than by reading the whole log in event order.
	if cp, err := p.Reports.ReportCheckpoint(ctx); err == nil && cp == 0 {
		if last, err := p.Events.LastEventID(ctx); err == nil && last > 0 {
			switch n, err := p.Rebuild(ctx); {
			case err != nil && ctx.Err() == nil:
				p.logger().Error("report rebuild failed", "err", err)
			case err == nil && ctx.Err() == nil && n > 0:
				p.logger().Info("report facts built", "sessions", n)
			}
		}
	}
	for ctx.Err() == nil {
		sub := b.Subscribe(0, 1024)
		if _, err := p.CatchUp(ctx); err != nil && ctx.Err() == nil {
			p.logger().Error("report catch-up failed", "err", err)
		}
		p.index(ctx)
		closed := false
		for !closed {
			select {
			case <-ctx.Done():
				sub.Close()
				return
			case _, ok := <-sub.C():
				if !ok {
					closed = true
					if !sub.Lagged() {
						return // the broker is closed
					}
					continue
				}
				p.settle(ctx)
				for len(sub.C()) > 0 {
					<-sub.C()
				}
				if _, err := p.CatchUp(ctx); err != nil && ctx.Err() == nil {
					p.logger().Error("report catch-up failed", "err", err)
				}
				p.index(ctx)
			}
		}
		sub.Close()
	}
}
