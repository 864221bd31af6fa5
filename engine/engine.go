// Package engine runs session commands: it checks each against the current
// projection (lifecycle), commits the resulting events, projection, timers
// and deliveries in one transaction, and publishes the events after the
// commit. One goroutine owns all writes and commits them in groups, so many
// concurrent commands share one transaction and one fsync.
package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/internal/recent"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Timer kinds owned by the engine.
const (
	TimerMetadata  = "metadata"
	OutboxMetadata = "metadata"
)

const noTimer = math.MaxInt64

// DefaultMetadataDelay is how long after a session ends its metadata file
// is written, unless configured otherwise (SPEC §1.3).
const DefaultMetadataDelay = 15 * time.Minute

// MetadataFunc renders the metadata file of a session.
type MetadataFunc func(s *sb.Session) ([]byte, error)

// Options configure an Engine.
type Options struct {
	Clock     sb.Clock
	Directory lifecycle.Directory
	// Publisher is told of every commit's events; a new in-process
	// broker when nil.
	Publisher sb.Publisher
	Logger    *slog.Logger
	// NewUUID returns session UUIDs; random v4 UUIDs when nil.
	NewUUID func() string
	// Metadata renders metadata files; no files are written when nil.
	Metadata MetadataFunc
	// MetadataDelay is how long after the end the metadata file is
	// written (zero: at once; DefaultMetadataDelay is the product default);
	// a later change writes it again.
	MetadataDelay time.Duration
	// MaxBatch caps the commands committed in one transaction (default 256).
	MaxBatch int
	// Timers handle timer kinds beyond the engine's own (metadata and
	// scheduled start).
	Timers map[string]TimerHandler
	// Dispatcher, when set, observes every change and answers with
	// follow-up commands (routing).
	Dispatcher Dispatcher
}

// Engine executes commands. It must be the only writer of its store.
type Engine struct {
	store sb.EventStore
	opt   Options
	log   *slog.Logger

	reqs chan *request
	wake chan struct{} // a timer was set: the timer loop re-reads the next due time
	poke chan struct{} // a delivery was added: the outbox worker looks again
	// awaiting is the due time (unix ms) the timer loop sleeps until:
	// noTimer when none is pending, 0 while it is busy. Commits wake it only
	// for a timer due earlier than that.
	awaiting atomic.Int64
	quit     chan struct{}
	done     chan struct{}
	closed   sync.Once

	// Owned by the writer goroutine. cache holds the live sessions; ended
	// the ones that ended lately, so the commands that usually follow an
	// end (wrap-up, a rating, tags) do not read and decode the session in
	// the writer. A session in either is the committed version.
	cache map[int64]*sb.Session
	ended recent.Cache[int64, *sb.Session]
	// keys are the idempotency keys committed lately (idempotency.go).
	keys keyCache
	// free holds session IDs the store reserved for this engine and no
	// committed session uses yet, in ascending order.
	free []int64
}

type request struct {
	ctx       context.Context
	sessionID int64 // 0: create
	run       func(s *sb.Session, newID int64) (*sb.Change, error)
	// idem, when set, runs the command once per key.
	idem *Idempotency
	// do, when set, is run instead of a session command (see Do).
	do  func(now time.Time) ([]Followup, error)
	res chan result
}

type result struct {
	change *sb.Change
	err    error
	// replayed says the answer is a repeated key's first answer.
	replayed bool
}

// New starts an engine over store.
func New(ctx context.Context, store sb.EventStore, opt Options) (*Engine, error) {
	if opt.Clock == nil || opt.Directory == nil {
		return nil, errors.New("engine: clock and directory are required")
	}
	if opt.Publisher == nil {
		opt.Publisher = broker.New()
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.NewUUID == nil {
		opt.NewUUID = RandomUUID
	}
	if opt.MetadataDelay < 0 {
		return nil, errors.New("engine: the metadata delay cannot be negative")
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 256
	}
	e := &Engine{store: store, opt: opt, log: opt.Logger,
		reqs: make(chan *request, 4096), wake: make(chan struct{}, 1), poke: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{}),
		cache: make(map[int64]*sb.Session), ended: recent.Cache[int64, *sb.Session]{Keep: 1024},
		keys: keyCache{Keep: recentKeys}}
	go e.writer()
	if err := e.startDispatcher(ctx); err != nil {
		e.Close()
		return nil, fmt.Errorf("engine: start routing: %w", err)
	}
	return e, nil
}

// Close stops the writer after the commands already submitted are done.
func (e *Engine) Close() {
	e.closed.Do(func() { close(e.quit) })
	<-e.done
}

// Store returns the engine's store.
func (e *Engine) Store() sb.EventStore { return e.store }

// Clock returns the engine's clock.
func (e *Engine) Clock() sb.Clock { return e.opt.Clock }

// Result is what a command produced.
type Result struct {
	Session *sb.Session
	Events  []sb.Event
	// Replayed says the command had run before under its idempotency
	// key: this is that first answer, and nothing ran now.
	Replayed bool
}

// Create executes a create command and returns the new session.
func (e *Engine) Create(ctx context.Context, cmd *lifecycle.Create, actor sb.Actor) (Result, error) {
	return e.CreateWith(ctx, cmd, actor, nil)
}

// CreateWith is Create with an idempotency key (idem may be nil).
func (e *Engine) CreateWith(ctx context.Context, cmd *lifecycle.Create, actor sb.Actor, idem *Idempotency) (Result, error) {
	return e.submit(ctx, 0, idem, func(_ *sb.Session, newID int64) (*sb.Change, error) {
		env := e.env(actor)
		env.SessionID = newID
		res, err := lifecycle.Execute(nil, cmd, env)
		if err != nil {
			return nil, err
		}
		ch := e.change(nil, res)
		ch.SetTimers = append(ch.SetTimers, cmd.Timers(res.Session)...)
		return ch, nil
	})
}

// Cond holds conditions checked against the session inside the writer,
// atomically with the command.
type Cond struct {
	// IfMatch is the version (Seq) the session must be at (EPRECONDITION).
	IfMatch *int64
	// Check may refuse the command, for example because the caller may not
	// act on this session.
	Check func(s *sb.Session) error
	// Idempotency, when set, runs the command once per key.
	Idempotency *Idempotency
}

// Execute runs cmd on session id if the conditions hold (cond may be nil).
func (e *Engine) Execute(ctx context.Context, id int64, cmd lifecycle.Command, actor sb.Actor, cond *Cond) (Result, error) {
	var idem *Idempotency
	if cond != nil {
		idem = cond.Idempotency
	}
	return e.submit(ctx, id, idem, func(s *sb.Session, _ int64) (*sb.Change, error) {
		if cond != nil && cond.IfMatch != nil && s.Seq != *cond.IfMatch {
			return nil, &sb.Error{Code: sb.EPRECONDITION, Message: fmt.Sprintf("session %d is at version %d, not %d", id, s.Seq, *cond.IfMatch),
				Detail: map[string]any{"seq": s.Seq}}
		}
		if cond != nil && cond.Check != nil {
			if err := cond.Check(s); err != nil {
				return nil, err
			}
		}
		res, err := lifecycle.Execute(s, cmd, e.env(actor))
		if err != nil {
			return nil, err
		}
		ch := e.change(s, res)
		if cmd.Name() == "start" {
			ch.CancelTimers = append(ch.CancelTimers, lifecycle.TimerScheduledStart)
		}
		return ch, nil
	})
}

func (e *Engine) env(actor sb.Actor) lifecycle.Env {
	return lifecycle.Env{Now: e.opt.Clock.Now(), Actor: actor, Dir: e.opt.Directory, NewUUID: e.opt.NewUUID}
}

// change turns a lifecycle result into a store change with the metadata
// timer: the file is written MetadataDelay after the session ends (a new
// end, such as a recovery after a failure, moves the write); a later change
// to an ended session writes it again unless a write is pending; a session
// that comes back to life (a failed call queued again) cancels the write.
func (e *Engine) change(before *sb.Session, res lifecycle.Result) *sb.Change {
	ch := &sb.Change{Session: res.Session, Events: res.Events}
	if before != nil {
		ch.ExpectedSeq = before.Seq
	}
	s := res.Session
	if e.opt.Metadata == nil || len(res.Events) == 0 {
		return ch
	}
	switch {
	case s.Status.Terminal():
		due := e.opt.Clock.Now().UTC().Truncate(time.Millisecond).Add(e.opt.MetadataDelay)
		t := sb.Timer{SessionID: s.ID, Kind: TimerMetadata, DueAt: due}
		if before == nil || before.EndedAt == nil || s.EndedAt == nil || !before.EndedAt.Equal(*s.EndedAt) {
			ch.SetTimers = append(ch.SetTimers, t)
		} else {
			ch.EnsureTimers = append(ch.EnsureTimers, t)
		}
	case before != nil && before.Status.Terminal():
		ch.CancelTimers = append(ch.CancelTimers, TimerMetadata)
	}
	return ch
}

func (e *Engine) submit(ctx context.Context, id int64, idem *Idempotency, run func(*sb.Session, int64) (*sb.Change, error)) (Result, error) {
	r := &request{ctx: ctx, sessionID: id, run: run, idem: idem, res: make(chan result, 1)}
	select {
	case e.reqs <- r:
	case <-e.quit:
		return Result{}, sb.Errorf(sb.EUNAVAILABLE, "the server is shutting down")
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	// Once submitted, the command is committed or refused: wait for the
	// outcome even if the caller gives up, so the answer is never a lie.
	out := <-r.res
	if out.err != nil {
		return Result{}, out.err
	}
	return Result{Session: out.change.Session, Events: out.change.Events, Replayed: out.replayed}, nil
}

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
	var lastOf map[int64]*sb.IdempotencyRecord
	if kb.staged != nil {
		lastOf = map[int64]*sb.IdempotencyRecord{}
	}
	for _, p := range all {
		if lastOf == nil {
			break
		}
		id := p.change.Session.ID
		if p.r != nil {
			lastOf[id] = p.change.Idempotency // nil for a request without a key
		}
		if rec := lastOf[id]; rec != nil {
			rec.ToSeq = p.change.Session.Seq
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

// PokeDeliveries wakes the outbox worker, for example after a delivery
// was set to be retried.
func (e *Engine) PokeDeliveries() { notify(e.poke) }

// Deliveries receives when a commit added outbox items.
func (e *Engine) Deliveries() <-chan struct{} { return e.poke }

// RandomUUID returns a random (version 4) UUID.
func RandomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
