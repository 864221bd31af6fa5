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
	// keyPuts counts the keys put in keys; written by the writer, read by
	// submit (see unkeyed).
	keyPuts atomic.Uint64
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
	// unkeyed says the store did not have idem's key when submit looked,
	// before the writer took the request, with keyPuts then at puts.
	unkeyed bool
	puts    uint64
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
	if idem != nil {
		e.lookUpKey(r)
	}
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
