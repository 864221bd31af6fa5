package sessionview

import (
	"context"
	"fmt"
	"sync"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Reader judges, one after the other, the events a feed sends one viewer
// (an event stream, a WebSocket subscription, a page of events), whose
// sessions it does not have at hand. An event is judged by its session as
// it stands: the Reader reads the session the first time one of its
// events comes, and again after an event that may change its status or
// who handles it; what it read it keeps for the session's next events.
// It reads only for agents while agents may not view waiting sessions.
// A Reader is safe for concurrent use.
type Reader struct {
	viewer Viewer
	policy func() Policy
	load   func(ctx context.Context, id int64) (*sb.Session, error)

	mu    sync.Mutex
	known map[int64]known
}

// known is what a Reader last read of a session.
type known struct {
	seq        int64 // the session's version then
	restricted bool
}

// maxKnown bounds the sessions a Reader remembers; past it, it forgets
// them all and reads them again as their events come.
const maxKnown = 4096

// NewReader returns a Reader for v under the policy policy returns (read
// for every event, so that a change of the settings applies at once),
// reading sessions with load.
func NewReader(v Viewer, policy func() Policy, load func(ctx context.Context, id int64) (*sb.Session, error)) *Reader {
	return &Reader{viewer: v, policy: policy, load: load, known: map[int64]known{}}
}

// Event returns e as the viewer may see it, and false when it may not see
// it at all. An error is a failure to read e's session.
func (r *Reader) Event(ctx context.Context, e sb.Event) (sb.Event, bool, error) {
	p := r.policy()
	if !r.viewer.agent() || p.AgentsMayViewWaiting {
		e, ok := p.Event(r.viewer, e, false)
		return e, ok, nil
	}
	res, err := r.restricted(ctx, e)
	if err != nil {
		return e, false, err
	}
	e, ok := p.Event(r.viewer, e, res)
	return e, ok, nil
}

func (r *Reader) restricted(ctx context.Context, e sb.Event) (bool, error) {
	r.mu.Lock()
	k, ok := r.known[e.SessionID]
	r.mu.Unlock()
	if ok && (e.Seq <= k.seq || !mayChangeAccess(e.Type)) {
		return k.restricted, nil
	}
	s, err := r.load(ctx, e.SessionID)
	if err != nil {
		return false, fmt.Errorf("read session %d: %w", e.SessionID, err)
	}
	k = known{seq: s.Seq, restricted: restricted(r.viewer, s)}
	r.mu.Lock()
	if len(r.known) >= maxKnown {
		clear(r.known)
	}
	r.known[e.SessionID] = k
	r.mu.Unlock()
	return k.restricted, nil
}

// keepsAccess lists the event types that change neither a session's
// status nor who takes part in it: the chat's messages and notices, its
// tags, profile, ratings and metadata. Any other event may.
var keepsAccess = map[sb.EventType]bool{
	lifecycle.EventMessageSent: true, lifecycle.EventMessageRecalled: true, lifecycle.EventNoReply: true,
	lifecycle.EventVisitorReminder: true, lifecycle.EventQueueReminder: true, lifecycle.EventTagsChanged: true,
	lifecycle.EventRated: true, lifecycle.EventRatingInvited: true, lifecycle.EventProfileUpdated: true,
	lifecycle.EventMetadataScheduled: true, lifecycle.EventMetadataWritten: true, lifecycle.EventQueueAlert: true,
}

func mayChangeAccess(t sb.EventType) bool { return !keepsAccess[t] }
