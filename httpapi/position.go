package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// movesQueues lists the events after which a waiting session's place may
// have changed: someone joined, left or was taken from a queue.
var movesQueues = map[sb.EventType]bool{
	lifecycle.EventQueued: true, lifecycle.EventRequeued: true, lifecycle.EventAssigned: true,
	lifecycle.EventEnded: true, lifecycle.EventFailed: true, lifecycle.EventDeflected: true,
	lifecycle.EventTransferStarted: true, lifecycle.EventVAAssigned: true, lifecycle.EventVoicemailStarted: true,
}

// streamQueuePosition serves a waiting session's place in its queue and
// its estimated wait as Server-Sent Events ("position"), at once and then
// whenever it changes, read at most every PositionInterval. When the
// session stops waiting it sends "left" and ends. The widget shows this
// to the visitor.
//
// The stream follows only its own session's events, and reads positions
// from a snapshot of routing that is renewed at most once per interval for
// every stream together (FollowQueuePosition), so a waiting visitor costs
// a map lookup per interval. An event of its own session that may move it
// (assigned, ended …) makes the next read current, so "left" is exact.
func (s *Server) streamQueuePosition(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.listedSession(r)
	if err != nil {
		return err
	}
	if s.Routing == nil {
		return errNoRouting
	}
	if _, ok := w.(http.Flusher); !ok {
		return sb.Errorf(sb.EINTERNAL, "streaming unsupported")
	}
	current := func(ctx context.Context, id int64) (QueuePosition, error) { return s.Routing.QueuePosition(ctx, id, 0) }
	follow := s.Routing.QueuePosition
	// moved is signalled by the session's own events that may change its
	// place; the watcher runs under the broker's lock, so it never blocks.
	moved := make(chan struct{}, 1)
	gone := make(chan struct{})
	watch := s.Feed.Watch(sess.ID, func(e sb.Event) {
		if movesQueues[e.Type] {
			select {
			case moved <- struct{}{}:
			default:
			}
		}
	}, func() { close(gone) })
	defer watch.Close()
	pos, err := current(r.Context(), sess.ID)
	if err != nil {
		return err // not waiting: 409 before the stream starts
	}
	ctx, revoked := context.WithCancel(r.Context())
	defer s.live.hold(principalFrom(ctx), revoked)()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sw := s.streamWriter(w)
	send := func(event string, v any) bool {
		data, _ := json.Marshal(v)
		if _, err := sw.Write([]byte("event: " + event + "\ndata: " + string(data) + "\n\n")); err != nil {
			return false
		}
		return sw.Flush() == nil
	}
	if !send("position", pos) {
		return nil
	}
	tick := clock.NewTicker(s.Clock, s.PositionInterval)
	defer tick.Stop()
	keepAlive := time.NewTicker(s.KeepAlive)
	defer keepAlive.Stop()
	fresh := false // the next read must see every change made so far
	for {
		select {
		case <-moved:
			fresh = true
		case <-tick.C:
			var next QueuePosition
			var err error
			if fresh {
				next, err = current(ctx, sess.ID)
			} else if next, err = follow(ctx, sess.ID, s.PositionInterval); sb.ErrorCode(err) == sb.ECONFLICT {
				// Not waiting in a view that may be old: make sure.
				next, err = current(ctx, sess.ID)
			}
			fresh = false
			switch {
			case sb.ErrorCode(err) == sb.ECONFLICT:
				send("left", map[string]int64{"session_id": sess.ID})
				return nil
			case err != nil:
				return nil // shutting down, or the client left
			}
			if next.Position != pos.Position || next.Waiting != pos.Waiting || !sameEstimate(next, pos) {
				pos = next
				if !send("position", pos) {
					return nil
				}
			}
		case <-keepAlive.C:
			if _, err := sw.Write([]byte(": keep-alive\n\n")); err != nil || sw.Flush() != nil {
				return nil
			}
		case <-gone:
			return nil // shutting down
		case <-ctx.Done():
			return nil
		}
	}
}

func sameEstimate(a, b QueuePosition) bool {
	if a.NoEstimate != b.NoEstimate {
		return false
	}
	if a.EstimatedWaitSeconds == nil || b.EstimatedWaitSeconds == nil {
		return a.EstimatedWaitSeconds == b.EstimatedWaitSeconds
	}
	return *a.EstimatedWaitSeconds == *b.EstimatedWaitSeconds
}
