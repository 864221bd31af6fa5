package httpapi

import (
	"context"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/sessionview"
)

// What a caller sees of sessions and their events is decided in one place
// for every transport: visitors by visitorview.go, staff by the chat and
// CSAT settings through package sessionview. The routes and the WebSocket
// call mayRead before any detail of a session, sessionAs for the session,
// eventsOf for a session's events at hand and an eventReader for a feed.

// viewer is the sessionview viewer of p.
func viewer(p Principal) sessionview.Viewer {
	return sessionview.Viewer{Role: p.Role, AgentID: p.AgentID}
}

// policy is what the settings let staff see now.
func (s *Server) policy() sessionview.Policy {
	return sessionview.New(s.Directory.ChatSettings(), s.Directory.CSATSettings())
}

// mayRead decides whether p may read the details of sess: visitors only
// their own chats, agents not the waiting sessions the settings hide.
func (s *Server) mayRead(p Principal, sess *sb.Session) error {
	if p.Role == sb.RoleVisitor {
		return visitorOwns(p, sess)
	}
	return s.policy().MayRead(viewer(p), sess)
}

// eventsOf returns events of sess as p may see them, judged by sess as it
// stands.
func (s *Server) eventsOf(p Principal, sess *sb.Session, events []sb.Event) []sb.Event {
	if p.Role == sb.RoleVisitor {
		return s.eventsAs(p, events)
	}
	return s.policy().Events(viewer(p), sess, events)
}

// eventReader judges the events of one feed for its subscriber.
type eventReader struct {
	s  *Server
	p  Principal
	rd *sessionview.Reader
}

// newEventReader returns the reader of a feed for p.
func (s *Server) newEventReader(p Principal) *eventReader {
	return &eventReader{s: s, p: p, rd: sessionview.NewReader(viewer(p), s.policy, s.Events.Session)}
}

// event returns e as the subscriber may see it, and whether it may see it
// at all; an error is a failure to read e's session.
func (r *eventReader) event(ctx context.Context, e sb.Event) (sb.Event, bool, error) {
	if r.p.Role == sb.RoleVisitor {
		e, ok := r.s.eventAs(r.p, e)
		return e, ok, nil
	}
	return r.rd.Event(ctx, e)
}

// filter returns a filter of pages of events, of any sessions, for the
// subscriber.
func (r *eventReader) filter(ctx context.Context) func([]sb.Event) ([]sb.Event, error) {
	return func(events []sb.Event) ([]sb.Event, error) {
		out := make([]sb.Event, 0, len(events))
		for _, e := range events {
			v, ok, err := r.event(ctx, e)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, v)
			}
		}
		return out, nil
	}
}
