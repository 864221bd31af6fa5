package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// stream sends the stored events after the resume point, then live ones,
// as Server-Sent Events with comment lines to keep idle connections open.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, sessionID, after int64) error {
	if _, ok := w.(http.Flusher); !ok {
		return sb.Errorf(sb.EINTERNAL, "streaming unsupported")
	}
	// Held from before the answer starts: a revocation the client may
	// learn of after it saw the stream open ends it.
	p := principalFrom(r.Context())
	ctx, revoked := context.WithCancel(r.Context())
	defer s.live.hold(p, revoked)()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sw := s.streamWriter(w)
	if sw.Flush() != nil {
		return nil
	}

	keepAlive := time.NewTicker(s.KeepAlive)
	defer keepAlive.Stop()
	var buf bytes.Buffer
	view := s.newEventReader(p)
	err := s.follow(ctx, feed{SessionID: sessionID, After: after, Buffer: 1024,
		Send: func(e sb.Event, pos int64) error {
			e, visible, err := view.event(ctx, e)
			if err != nil {
				return err
			}
			if !visible {
				return nil // passed over: the stream resumes after it
			}
			buf.Reset()
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			buf.WriteString("id: ")
			buf.WriteString(strconv.FormatInt(pos, 10))
			buf.WriteString("\nevent: ")
			buf.WriteString(string(e.Type))
			buf.WriteString("\ndata: ")
			buf.Write(data)
			buf.WriteString("\n\n")
			_, err = sw.Write(buf.Bytes())
			return err
		},
		Flush: sw.Flush,
		Tick:  keepAlive.C,
		OnTick: func() error {
			if _, err := sw.Write([]byte(": keep-alive\n\n")); err != nil {
				return err
			}
			return sw.Flush()
		},
	})
	// follow ends only with an error: the caller leaving, the broker closing, or a failure.
	if ctx.Err() == nil && !errors.Is(err, errBrokerClosed) {
		s.log.Error("event stream failed", "session", sessionID, "err", err)
	}
	return nil
}
