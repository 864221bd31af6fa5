package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
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
// whenever it may have changed, at most every PositionInterval (and at
// least every refreshTicks of them, for the agents' status). When the
// session stops waiting it sends "left" and ends. The widget shows this
// to the visitor.
func (s *Server) streamQueuePosition(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.listedSession(r)
	if err != nil {
		return err
	}
	if s.QueuePosition == nil {
		return sb.Errorf(sb.EUNAVAILABLE, "routing is not running")
	}
	if _, ok := w.(http.Flusher); !ok {
		return sb.Errorf(sb.EINTERNAL, "streaming unsupported")
	}
	sub := s.Engine.Broker().Subscribe(0, 4096)
	defer sub.Close()
	pos, err := s.QueuePosition(r.Context(), sess.ID)
	if err != nil {
		return err // not waiting: 409 before the stream starts
	}
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
	tick := time.NewTicker(s.PositionInterval)
	defer tick.Stop()
	// The estimate also turns on the agents' status, which is no session
	// event: it is read again every refreshTicks intervals regardless.
	ticks := 0
	keepAlive := time.NewTicker(s.KeepAlive)
	defer keepAlive.Stop()
	dirty := false
	for {
		select {
		case e, ok := <-sub.C():
			if !ok {
				if !sub.Lagged() {
					return nil // shutting down
				}
				sub = s.Engine.Broker().Subscribe(0, 4096)
				dirty = true
				continue
			}
			if movesQueues[e.Type] {
				dirty = true
			}
		case <-tick.C:
			if ticks++; !dirty && ticks%refreshTicks != 0 {
				continue
			}
			dirty = false
			next, err := s.QueuePosition(r.Context(), sess.ID)
			if err != nil {
				send("left", map[string]int64{"session_id": sess.ID})
				return nil
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
		case <-r.Context().Done():
			return nil
		}
	}
}

// refreshTicks is how many PositionIntervals pass at most between two
// reads of a waiting session's position.
const refreshTicks = 5

func sameEstimate(a, b QueuePosition) bool {
	if a.NoEstimate != b.NoEstimate {
		return false
	}
	if a.EstimatedWaitSeconds == nil || b.EstimatedWaitSeconds == nil {
		return a.EstimatedWaitSeconds == b.EstimatedWaitSeconds
	}
	return *a.EstimatedWaitSeconds == *b.EstimatedWaitSeconds
}
