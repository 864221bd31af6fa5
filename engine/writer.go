package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// writer is the single goroutine that owns the cache and all commits.
func (e *Engine) writer() {
	defer close(e.done)
	batch := make([]*request, 0, e.opt.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-e.reqs:
			batch = append(batch, r)
		case <-e.quit:
			// Drain what was submitted before the quit.
			for {
				select {
				case r := <-e.reqs:
					e.process([]*request{r})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < e.opt.MaxBatch {
			select {
			case r := <-e.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		e.process(batch)
	}
}

// reserve asks the store for n more session IDs. The store hands out each
// ID once, to whichever writer asks, so IDs never collide between
// processes on one store or repeat after a restart.
func (e *Engine) reserve(n int) error {
	first, err := e.store.ReserveSessionIDs(context.Background(), n)
	if err != nil {
		return fmt.Errorf("reserve session ids: %w", err)
	}
	for id := first; id < first+int64(n); id++ {
		e.free = append(e.free, id)
	}
	return nil
}

// process runs a batch of requests against the cache and commits their
// changes, and the follow-ups the dispatcher answers them with, in one
// transaction. If the transaction fails, each request is retried alone so
// that one bad change does not fail its neighbours.
func (e *Engine) process(batch []*request) {
	type staged struct {
		r      *request // nil for a follow-up
		change *sb.Change
		prev   *sb.Session
		had    bool
	}
	var all []staged
	var changes []*sb.Change
	var answered []*request // requests that staged no change but await the commit (Do)
	followupFailed := false
	kb := &keyedBatch{}
	stage := func(r *request, ch *sb.Change) {
		id := ch.Session.ID
		prev, had := e.cache[id]
		e.cache[id] = ch.Session
		// In one of the two at most; a failed commit then leaves it in
		// neither, and the next command reads the store.
		e.ended.Delete(id)
		all = append(all, staged{r, ch, prev, had})
		changes = append(changes, ch)
	}
	// follow runs follow-ups (routing decisions) as system commands and
	// offers their changes to the dispatcher in turn.
	follow := func(fus []Followup) {
		for n := 0; len(fus) > 0 && n < 10000; n++ {
			f := fus[0]
			fus = fus[1:]
			s, err := e.load(context.Background(), f.SessionID)
			var res lifecycle.Result
			if err == nil {
				res, err = lifecycle.Execute(s, f.Command, e.env(sb.SystemActor))
			}
			if err != nil {
				e.log.Warn("follow-up refused", "session", f.SessionID, "command", f.Command.Name(), "err", err)
				followupFailed = true
				continue
			}
			ch := e.change(s, res)
			stage(nil, ch)
			fus = append(fus, e.react(s, ch)...)
		}
	}
	creates := 0 // create requests in the batch not yet given an ID
	for _, r := range batch {
		if r.do == nil && r.sessionID == 0 {
			creates++
		}
	}
	var used []int64 // IDs taken from e.free by this batch
	for _, r := range batch {
		if r.do == nil && r.sessionID == 0 {
			creates--
		}
		if r.idem != nil && e.repeat(r, kb) {
			continue
		}
		if r.do != nil {
			fus, err := r.do(e.opt.Clock.Now())
			if err != nil {
				r.res <- result{err: err}
				continue
			}
			answered = append(answered, r)
			follow(fus)
			continue
		}
		var s *sb.Session
		newID := int64(0)
		if r.sessionID == 0 {
			if len(e.free) == 0 {
				if err := e.reserve(creates + 1); err != nil {
					r.res <- result{err: err}
					continue
				}
			}
			newID = e.free[0]
		} else {
			var err error
			if s, err = e.load(r.ctx, r.sessionID); err != nil {
				r.res <- result{err: err}
				continue
			}
		}
		ch, err := r.run(s, newID)
		if err == nil {
			err = e.admit(s, ch)
		}
		if err != nil {
			r.res <- result{err: err}
			continue
		}
		if r.sessionID == 0 {
			used = append(used, newID)
			e.free = e.free[1:]
		}
		if r.idem != nil {
			ch.Idempotency = &sb.IdempotencyRecord{Key: r.idem.Key, Fingerprint: r.idem.Fingerprint, SessionID: ch.Session.ID,
				FromSeq: ch.ExpectedSeq, CreatedAt: e.opt.Clock.Now().UTC()}
			if kb.staged == nil {
				kb.staged = map[string]bool{}
			}
			kb.staged[r.idem.Key] = true
		}
		stage(r, ch)
		if e.opt.Dispatcher != nil {
			follow(e.react(s, ch))
		}
	}
	// A keyed request's record says where its answer ends (see answers
	// below): at its session's version after the follow-ups the batch
	// applied to that session after it.
	if kb.staged != nil {
		lastOf := map[int64]*sb.IdempotencyRecord{}
		for _, p := range all {
			id := p.change.Session.ID
			if p.r != nil {
				lastOf[id] = p.change.Idempotency // nil for a request without a key
			}
			if rec := lastOf[id]; rec != nil {
				rec.ToSeq = p.change.Session.Seq
			}
		}
	}
	var err error
	if len(changes) > 0 {
		err = e.store.Commit(context.Background(), changes)
	}
	if err != nil {
		// Roll the cache back in reverse order, and the dispatcher with it.
		for i := len(all) - 1; i >= 0; i-- {
			p := all[i]
			if p.had {
				e.cache[p.change.Session.ID] = p.prev
			} else {
				delete(e.cache, p.change.Session.ID)
			}
		}
		e.resetDispatcher()
		e.free = append(used, e.free...) // no committed session has them
		var requests []*request
		for _, p := range all {
			if p.r != nil {
				requests = append(requests, p.r)
			}
		}
		requests = append(requests, answered...)
		requests = append(requests, kb.again...)
		if len(requests) > 1 {
			for _, r := range requests {
				e.process([]*request{r})
			}
			return
		}
		switch sb.ErrorCode(err) {
		case sb.EINTERNAL:
			e.log.Error("commit failed", "err", err)
		case sb.EUNAVAILABLE:
			e.log.Warn("commit failed: the store cannot write", "err", err)
		}
		for _, r := range requests {
			r.res <- result{err: err}
		}
		return
	}
	// A request's answer shows its session as committed: with the
	// follow-ups the batch applied to that same session after it (a routing
	// assignment, an overflow).
	answers := make(map[int]*sb.Change, len(all))
	owner := map[int64]int{}
	for i, p := range all {
		id := p.change.Session.ID
		if p.r != nil {
			answers[i] = &sb.Change{Session: p.change.Session, Events: slices.Clone(p.change.Events)}
			owner[id] = i
		} else if j, ok := owner[id]; ok {
			answers[j].Session = p.change.Session
			answers[j].Events = append(answers[j].Events, p.change.Events...)
		}
	}
	var events []sb.Event
	earliest, deliveries := int64(noTimer), false
	for _, p := range all {
		events = append(events, p.change.Events...)
		for _, t := range p.change.SetTimers {
			earliest = min(earliest, t.DueAt.UnixMilli())
		}
		for _, t := range p.change.EnsureTimers {
			earliest = min(earliest, t.DueAt.UnixMilli())
		}
		deliveries = deliveries || len(p.change.Outbox) > 0
		if p.change.Session.Status.Terminal() {
			// Ended sessions leave the cache for the recently ended.
			delete(e.cache, p.change.Session.ID)
			e.ended.Put(p.change.Session.ID, p.change.Session)
		}
	}
	// Subscribers get the batch's events before any caller gets its
	// answer: whoever relays an answer to a subscriber (a WebSocket
	// connection) has every event committed before it already in hand.
	if len(events) > 0 {
		e.opt.Publisher.Publish(events)
	}
	for i, p := range all {
		if p.r != nil {
			p.r.res <- result{change: answers[i]}
		}
	}
	for _, r := range answered {
		r.res <- result{}
	}
	e.remember(changes, kb)
	if earliest != noTimer {
		if a := e.awaiting.Load(); a == 0 || earliest < a {
			notify(e.wake)
		}
	}
	if deliveries {
		notify(e.poke)
	}
	if followupFailed {
		// A decision the lifecycle refused leaves the dispatcher's view
		// ahead of the store: rebuild it.
		e.resetDispatcher()
	}
}

// admit asks the dispatcher, if it is an Admitter, whether a command's
// change may be staged.
func (e *Engine) admit(before *sb.Session, ch *sb.Change) error {
	if a, ok := e.opt.Dispatcher.(Admitter); ok {
		return a.Admit(before, ch.Session, ch.Events)
	}
	return nil
}

// react offers a staged change to the dispatcher, adds the timers it sets
// or cancels to the change, and returns its follow-ups.
func (e *Engine) react(before *sb.Session, ch *sb.Change) []Followup {
	r := e.opt.Dispatcher.Observe(before, ch.Session, ch.Events)
	ch.SetTimers = append(ch.SetTimers, r.SetTimers...)
	ch.EnsureTimers = append(ch.EnsureTimers, r.EnsureTimers...)
	ch.CancelTimers = append(ch.CancelTimers, r.CancelTimers...)
	return r.Followups
}

// resetDispatcher rebuilds the dispatcher's state from the store and runs
// the follow-ups that follow from it (waiting sessions that can be
// assigned now).
func (e *Engine) resetDispatcher() {
	if e.opt.Dispatcher == nil {
		return
	}
	fus, err := e.opt.Dispatcher.Reset(context.Background())
	if err != nil {
		e.log.Error("rebuild routing state", "err", err)
		return
	}
	if len(fus) > 0 {
		go func() {
			// Through the queue, like any other request: never recursively.
			_ = e.Do(context.Background(), func(time.Time) ([]Followup, error) { return fus, nil })
		}()
	}
}

func (e *Engine) load(ctx context.Context, id int64) (*sb.Session, error) {
	if s, ok := e.cache[id]; ok {
		return s, nil
	}
	if s, ok := e.ended.Get(id); ok {
		return s, nil
	}
	s, err := e.store.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Status.Terminal() {
		e.ended.Put(id, s)
	} else {
		e.cache[id] = s
	}
	return s, nil
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
