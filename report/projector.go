package report

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
)

// Projector keeps the report facts up to date with the event log. It reads
// the log from the report store's checkpoint, derives again every session
// an event touched, from its whole log, and stores the new facts with the
// new checkpoint in one transaction. Catching up incrementally and
// rebuilding from scratch run the same derivation, so they agree.
type Projector struct {
	Events  sb.EventStore
	Reports sb.ReportStore
	Log     *slog.Logger
	// Page is how many events one catch-up step reads (default 5000).
	Page int

	mu sync.Mutex // one catch-up or rebuild at a time
}

// Sessions per PutFacts call while rebuilding.
const rebuildBatch = 500

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
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.catchUpLocked(ctx)
}

// Sync is CatchUp for callers that only need the facts current.
func (p *Projector) Sync(ctx context.Context) error {
	_, err := p.CatchUp(ctx)
	return err
}

func (p *Projector) catchUpLocked(ctx context.Context) (int, error) {
	from, err := p.Reports.ReportCheckpoint(ctx)
	if err != nil {
		return 0, fmt.Errorf("read report checkpoint: %w", err)
	}
	read := 0
	for {
		events, err := p.Events.Events(ctx, from, p.page())
		if err != nil {
			return read, fmt.Errorf("read events after %d: %w", from, err)
		}
		if len(events) == 0 {
			return read, nil
		}
		read += len(events)
		var ids []int64
		seen := map[int64]bool{}
		for _, e := range events {
			if ChangesFacts(e.Type) && !seen[e.SessionID] {
				seen[e.SessionID] = true
				ids = append(ids, e.SessionID)
			}
		}
		// A page of chat messages alone changes no facts: only the
		// checkpoint moves.
		facts, err := p.derive(ctx, ids)
		if err != nil {
			return read, err
		}
		from = events[len(events)-1].ID
		if err := p.Reports.PutFacts(ctx, facts, from); err != nil {
			return read, fmt.Errorf("store report facts: %w", err)
		}
		if len(events) < p.page() {
			return read, nil
		}
	}
}

// Rebuild forgets every fact and derives every session again from its
// log, then catches up with what was committed meanwhile. It returns the
// number of sessions derived.
func (p *Projector) Rebuild(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Events committed after this point are caught up below; a session
	// derived twice gets the same facts.
	last, err := p.Events.LastEventID(ctx)
	if err != nil {
		return 0, err
	}
	maxID, err := p.Events.MaxSessionID(ctx)
	if err != nil {
		return 0, err
	}
	if err := p.Reports.ResetFacts(ctx); err != nil {
		return 0, fmt.Errorf("reset report facts: %w", err)
	}
	n := 0
	for lo := int64(1); lo <= maxID; lo += rebuildBatch {
		ids := make([]int64, 0, rebuildBatch)
		for id := lo; id < lo+rebuildBatch && id <= maxID; id++ {
			ids = append(ids, id)
		}
		facts, err := p.derive(ctx, ids)
		if err != nil {
			return n, err
		}
		// The checkpoint stays at 0 until every session is derived, so a
		// rebuild cut short is caught up in full by the next CatchUp.
		cp := int64(0)
		if lo+rebuildBatch > maxID {
			cp = last
		}
		if err := p.Reports.PutFacts(ctx, facts, cp); err != nil {
			return n, fmt.Errorf("store report facts: %w", err)
		}
		n += len(facts)
	}
	if _, err := p.catchUpLocked(ctx); err != nil {
		return n, err
	}
	return n, nil
}

// derive reads the whole log of each session and derives its facts.
// Sessions with no events are skipped.
func (p *Projector) derive(ctx context.Context, ids []int64) ([]sb.SessionFacts, error) {
	out := make([]sb.SessionFacts, 0, len(ids))
	for _, id := range ids {
		events, err := p.sessionEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(events) == 0 {
			continue
		}
		f, err := Derive(events)
		if err != nil {
			// A log that cannot be folded is reported and left out rather
			// than stopping every report.
			p.logger().Error("report facts not derived", "session", id, "err", err)
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// sessionEvents reads a session's whole log, page by page.
func (p *Projector) sessionEvents(ctx context.Context, id int64) ([]sb.Event, error) {
	const page = 10000
	var all []sb.Event
	for {
		var after int64
		if n := len(all); n > 0 {
			after = all[n-1].Seq
		}
		events, err := p.Events.SessionEvents(ctx, id, after, page)
		if err != nil {
			return nil, fmt.Errorf("read events of session %d: %w", id, err)
		}
		all = append(all, events...)
		if len(events) < page {
			return all, nil
		}
	}
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
func (p *Projector) Run(ctx context.Context, b *broker.Broker) {
	// A store with no facts yet (a new install, or one upgraded from a
	// version without reports) is built session by session rather than
	// by reading the whole log in event order.
	if cp, err := p.Reports.ReportCheckpoint(ctx); err == nil && cp == 0 {
		if n, err := p.Rebuild(ctx); err != nil && ctx.Err() == nil {
			p.logger().Error("report rebuild failed", "err", err)
		} else if n > 0 {
			p.logger().Info("report facts built", "sessions", n)
		}
	}
	for ctx.Err() == nil {
		sub := b.Subscribe(0, 1024)
		if _, err := p.CatchUp(ctx); err != nil && ctx.Err() == nil {
			p.logger().Error("report catch-up failed", "err", err)
		}
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
				for len(sub.C()) > 0 {
					<-sub.C()
				}
				if _, err := p.CatchUp(ctx); err != nil && ctx.Err() == nil {
					p.logger().Error("report catch-up failed", "err", err)
				}
			}
		}
		sub.Close()
	}
}
