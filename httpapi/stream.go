package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// streamSession serves one session's events as Server-Sent Events. The
// event id is the session sequence number; a client resumes after a
// reconnect with Last-Event-ID (or ?after_seq=) and misses nothing.
func (s *Server) streamSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	after, err := resumePoint(r, "after_seq")
	if err != nil {
		return err
	}
	return s.stream(w, r, sess.ID, after)
}

// streamAll serves the events of all sessions; the event id is the global
// position (?after= or Last-Event-ID to resume).
func (s *Server) streamAll(w http.ResponseWriter, r *http.Request) error {
	after, err := resumePoint(r, "after")
	if err != nil {
		return err
	}
	return s.stream(w, r, 0, after)
}

func resumePoint(r *http.Request, param string) (int64, error) {
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, sb.Errorf(sb.EINVALID, "Last-Event-ID must be a non-negative integer")
		}
		return n, nil
	}
	return queryInt(r, param, 0, 0)
}

// stream sends the stored events after the resume point, then live ones.
// It subscribes before reading the store, so an event committed meanwhile
// arrives from one or both sources and is sent once, in order. A
// subscriber that falls behind is caught up from the store again.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, sessionID, after int64) error {
	flusher, ok := w.(http.Flusher)
	if !ok {
		return sb.Errorf(sb.EINTERNAL, "streaming unsupported")
	}
	pos := func(e sb.Event) int64 { return e.ID }
	if sessionID != 0 {
		pos = func(e sb.Event) int64 { return e.Seq }
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()

	ctx := r.Context()
	last := after
	var buf bytes.Buffer
	send := func(e sb.Event) bool {
		if pos(e) <= last {
			return true
		}
		e, visible := s.eventFor(r, e)
		if !visible {
			last = pos(e)
			return true
		}
		buf.Reset()
		data, err := json.Marshal(e)
		if err != nil {
			return false
		}
		buf.WriteString("id: ")
		buf.WriteString(strconv.FormatInt(pos(e), 10))
		buf.WriteString("\nevent: ")
		buf.WriteString(string(e.Type))
		buf.WriteString("\ndata: ")
		buf.Write(data)
		buf.WriteString("\n\n")
		if _, err := w.Write(buf.Bytes()); err != nil {
			return false
		}
		last = pos(e)
		return true
	}
	catchUp := func() bool {
		for {
			var page []sb.Event
			var err error
			if sessionID != 0 {
				page, err = s.Engine.Store().SessionEvents(ctx, sessionID, last, 500)
			} else {
				page, err = s.Engine.Store().Events(ctx, last, 500)
			}
			if err != nil {
				return false
			}
			for _, e := range page {
				if !send(e) {
					return false
				}
			}
			flusher.Flush()
			if len(page) < 500 {
				return true
			}
		}
	}
	keepAlive := time.NewTicker(s.KeepAlive)
	defer keepAlive.Stop()
	for {
		sub := s.Engine.Broker().Subscribe(sessionID, 1024)
		if !catchUp() {
			sub.Close()
			return nil
		}
		resubscribe := false
		for !resubscribe {
			select {
			case e, ok := <-sub.C():
				if !ok {
					if !sub.Lagged() {
						return nil // the server is shutting down
					}
					resubscribe = true
					break
				}
				if sessionID != 0 && pos(e) > last+1 {
					// Should not happen; recover from the store rather than skip.
					resubscribe = true
					break
				}
				if !send(e) {
					sub.Close()
					return nil
				}
				if len(sub.C()) == 0 {
					flusher.Flush()
				}
			case <-keepAlive.C:
				if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
					sub.Close()
					return nil
				}
				flusher.Flush()
			case <-ctx.Done():
				sub.Close()
				return nil
			}
		}
		sub.Close()
	}
}
