package engine

import (
	"context"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Followup is a command the dispatcher wants run, as the system, in the
// same transaction as the change that caused it (a routing decision).
type Followup struct {
	SessionID int64
	Command   lifecycle.Command
}

// Reaction is what a dispatcher answers a change with: follow-up commands,
// and durable timers to set or cancel on the changed session; the timers
// commit with the change.
type Reaction struct {
	Followups []Followup
	SetTimers []sb.Timer
	// EnsureTimers are set unless one of their kind is pending.
	EnsureTimers []sb.Timer
	CancelTimers []string
}

// Dispatcher takes part in every batch the writer commits. The writer
// goroutine is its only caller, so it may keep state (the routing queues)
// without locks (DESIGN §3: one owner for routing decisions).
type Dispatcher interface {
	// Observe is told of each change about to be committed — before is nil
	// for a new session — and reacts to it.
	Observe(before, after *sb.Session, events []sb.Event) Reaction
	// Reset rebuilds the dispatcher's state from the store: at start, and
	// whenever a batch failed to commit after the dispatcher observed it.
	// It returns the follow-ups the rebuilt state calls for.
	Reset(ctx context.Context) ([]Followup, error)
}

// Admitter is implemented by dispatchers that may refuse a change a
// caller's command makes, before it is staged: routing refuses an
// assignment the agent may not take (DESIGN §3: never an agent above
// capacity, whichever way the assignment comes). The writer asks it about
// every submitted command's change, right before the dispatcher observes
// it, so the check and the change are one step of the single writer: no
// concurrent command can slip between them. Follow-ups (the dispatcher's
// own decisions) are not asked.
type Admitter interface {
	// Admit returns nil to let the change through, or the error the
	// command is refused with (before is nil for a new session).
	Admit(before, after *sb.Session, events []sb.Event) error
}

// Do runs fn in the writer goroutine, where it may change state the writer
// owns (the dispatcher's), and commits the follow-ups it returns. Do returns
// once they are committed, or fn's error.
func (e *Engine) Do(ctx context.Context, fn func(now time.Time) ([]Followup, error)) error {
	r := &request{ctx: ctx, do: fn, res: make(chan result, 1)}
	select {
	case e.reqs <- r:
	case <-e.quit:
		return sb.Errorf(sb.EUNAVAILABLE, "the server is shutting down")
	case <-ctx.Done():
		return ctx.Err()
	}
	return (<-r.res).err
}

// startDispatcher builds the dispatcher's state when the engine starts and
// runs what it calls for (sessions that waited while the server was down).
func (e *Engine) startDispatcher(ctx context.Context) error {
	if e.opt.Dispatcher == nil {
		return nil
	}
	return e.Do(ctx, func(time.Time) ([]Followup, error) { return e.opt.Dispatcher.Reset(ctx) })
}
