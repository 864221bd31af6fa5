package report

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	sb "github.com/switchboardhq/switchboard"
)

// Sessions one rebuild step reads, derives and stores together.
const rebuildBatch = 1000

// Rebuild forgets every fact and derives every session again from its
// log, then catches up with what was committed meanwhile. It returns the
// number of sessions derived. The work runs on every core: readers fetch
// batches of whole session logs (one range read each) and derive them
// while one writer stores the facts of the batch before.
//
// While it runs, reports answer from the facts built so far, and Sync says
// so (Freshness.Rebuilding).
func (p *Projector) Rebuild(ctx context.Context) (int, error) {
	p.rebuilding.Store(true) // before the lock: see Sync
	defer p.rebuilding.Store(false)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs.Reset()
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
	p.built.Store(0)
	p.toBuild.Store(maxID)
	p.lastSaw.Store(max(p.lastSaw.Load(), last))
	if err := p.Reports.ResetFacts(ctx); err != nil {
		return 0, fmt.Errorf("reset report facts: %w", err)
	}
	n, err := p.rebuildRange(ctx, maxID)
	if err != nil {
		return n, err
	}
	// The checkpoint stays at 0 until every session is derived, so a
	// rebuild cut short is done again in full at the next start.
	if err := p.Reports.PutFacts(ctx, nil, last); err != nil {
		return n, fmt.Errorf("store report checkpoint: %w", err)
	}
	for {
		_, more, err := p.stepLocked(ctx)
		if err != nil {
			return n, err
		}
		if !more {
			return n, nil
		}
	}
}

// rebuildRange derives sessions 1 to maxID in batches: workers read and
// derive batches in parallel, and this goroutine stores each batch's facts
// as it comes (in any order: each batch holds whole sessions).
func (p *Projector) rebuildRange(ctx context.Context, maxID int64) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan int64)
	results := make(chan []sb.SessionFacts, 2)
	errs := make(chan error, 1)
	fail := func(err error) {
		select {
		case errs <- err:
		default:
		}
		cancel()
	}
	go func() {
		defer close(batches)
		for lo := int64(1); lo <= maxID; lo += rebuildBatch {
			select {
			case batches <- lo:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range batches {
				facts, err := p.deriveRange(ctx, lo, min(lo+rebuildBatch-1, maxID))
				if err != nil {
					fail(err)
					return
				}
				select {
				case results <- facts:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	n := 0
	for facts := range results {
		if err := p.Reports.PutFacts(ctx, facts, 0); err != nil {
			fail(fmt.Errorf("store report facts: %w", err))
			break
		}
		n += len(facts)
		p.built.Add(rebuildBatch)
	}
	for range results {
		// drain, so the workers end
	}
	select {
	case err := <-errs:
		return n, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return n, err
	}
	return n, nil
}

// deriveRange reads the logs of sessions lo to hi and derives each.
// Sessions with no events are skipped; a log that cannot be folded is
// reported and left out rather than stopping every report.
func (p *Projector) deriveRange(ctx context.Context, lo, hi int64) ([]sb.SessionFacts, error) {
	events, err := p.Events.SessionsEvents(ctx, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read events of sessions %d to %d: %w", lo, hi, err)
	}
	out := make([]sb.SessionFacts, 0, hi-lo+1)
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && events[j].SessionID == events[i].SessionID {
			j++
		}
		f, err := Derive(events[i:j])
		if err != nil {
			p.logger().Error("report facts not derived", "session", events[i].SessionID, "err", err)
		} else {
			out = append(out, f)
		}
		i = j
	}
	return out, nil
}

// Freshness says how far the report facts a query reads are behind the
// event log. A report computed while the facts are not current counts
// only the events through FactsThrough (and, while rebuilding, only the
// sessions built so far).
type Freshness struct {
	// Current is true when the facts include every event committed
	// before the query.
	Current bool `json:"current"`
	// Rebuilding is true while the facts are being built from the log:
	// SessionsBuilt of about SessionsTotal sessions are in.
	Rebuilding    bool  `json:"rebuilding,omitempty"`
	SessionsBuilt int64 `json:"sessions_built,omitempty"`
	SessionsTotal int64 `json:"sessions_total,omitempty"`
	// FactsThrough is the global position of the newest event the facts
	// include; LastEvent the newest committed that the projector saw.
	FactsThrough int64 `json:"facts_through"`
	LastEvent    int64 `json:"last_event"`
}

// syncPages bounds the catch-up a query waits for: further behind than
// this many pages, a report answers at once from the facts as they are
// (saying so) while Run catches up.
const syncPages = 4

// Sync brings the facts up to date for a query and says how current they
// are. It waits for a short catch-up, never for a rebuild or a long one.
func (p *Projector) Sync(ctx context.Context) (Freshness, error) {
	if p.rebuilding.Load() {
		return p.rebuildFreshness(), nil
	}
	if !p.mu.TryLock() {
		if p.rebuilding.Load() {
			return p.rebuildFreshness(), nil
		}
		p.mu.Lock() // a catch-up step: short
	}
	defer p.mu.Unlock()
	for range syncPages {
		_, more, err := p.stepLocked(ctx)
		if err != nil {
			return Freshness{}, err
		}
		if !more {
			return Freshness{Current: true, FactsThrough: p.checkpoint.Load(), LastEvent: p.checkpoint.Load()}, nil
		}
	}
	last, err := p.Events.LastEventID(ctx)
	if err != nil {
		return Freshness{}, fmt.Errorf("read the newest event: %w", err)
	}
	return Freshness{FactsThrough: p.checkpoint.Load(), LastEvent: last}, nil
}

func (p *Projector) rebuildFreshness() Freshness {
	total := p.toBuild.Load()
	return Freshness{Rebuilding: true, SessionsBuilt: min(p.built.Load(), total), SessionsTotal: total,
		FactsThrough: 0, LastEvent: p.lastSaw.Load()}
}
