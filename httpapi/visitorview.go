package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// visitorSession is what a visitor sees of its own chat: its state, who
// serves it and its rating, without the routing, the agents' e-mails, the
// tags or the notes that staff see.
type visitorSession struct {
	ID             int64          `json:"id"`
	Status         sb.Status      `json:"status"`
	StatusCode     int            `json:"status_code"`
	Seq            int64          `json:"seq"`
	CreatedAt      time.Time      `json:"created_at"`
	QueuedAt       *time.Time     `json:"queued_at,omitempty"`
	ConnectedAt    *time.Time     `json:"connected_at,omitempty"`
	EndedAt        *time.Time     `json:"ended_at,omitempty"`
	DisconnectedBy string         `json:"disconnected_by,omitempty"`
	Agent          *visitorAgent  `json:"agent,omitempty"`
	Rating         *int           `json:"rating,omitempty"`
	RatingInvites  int            `json:"rating_invites,omitempty"`
	Messages       visitorMsgInfo `json:"messages"`
}

// visitorAgent is the agent as the visitor sees it.
type visitorAgent struct {
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url,omitempty"`
}

// visitorMsgInfo counts the chat's messages.
type visitorMsgInfo struct {
	Count int `json:"count"`
}

// sessionFor returns the session as the caller may see it.
func (s *Server) sessionFor(r *http.Request, sess *sb.Session) any {
	return s.sessionAs(principalFrom(r.Context()), sess)
}

// sessionAs returns the session as p may see it: staff as the settings
// let them (views.go).
func (s *Server) sessionAs(p Principal, sess *sb.Session) any {
	if p.Role != sb.RoleVisitor {
		return s.policy().Session(viewer(p), sess)
	}
	v := visitorSession{ID: sess.ID, Status: sess.Status, StatusCode: int(sess.Status), Seq: sess.Seq,
		CreatedAt: sess.CreatedAt, QueuedAt: sess.QueuedAt, ConnectedAt: sess.ConnectedAt, EndedAt: sess.EndedAt,
		DisconnectedBy: sess.DisconnectedBy, Rating: sess.Rating, RatingInvites: sess.RatingInvites,
		Messages: visitorMsgInfo{Count: sess.Messages.Count}}
	if sess.Agent != nil {
		v.Agent = &visitorAgent{Name: s.agentDisplayName(sess.Agent), AvatarURL: sess.Agent.AvatarURL}
	}
	return v
}

// agentDisplayName is the name visitors see for an agent: its nickname
// when the chat settings say so, else its name.
func (s *Server) agentDisplayName(a *sb.AgentRef) string {
	if s.Directory.ChatSettings().ShowAgentNickname {
		if full, err := s.Directory.GetAgent(a.ID); err == nil && full.Nickname != "" {
			return full.Nickname
		}
	}
	return a.Name
}

// visitorEvents are the event types a visitor receives of its own chat;
// the values say whether the data is kept (true) or emptied.
var visitorEvents = map[sb.EventType]bool{
	lifecycle.EventMessageSent:       true,
	lifecycle.EventMessageRecalled:   true,
	lifecycle.EventRatingInvited:     false,
	lifecycle.EventRated:             false,
	lifecycle.EventQueued:            false,
	lifecycle.EventRequeued:          false,
	lifecycle.EventAssigned:          false,
	lifecycle.EventConnected:         false,
	lifecycle.EventTransferCompleted: false,
	lifecycle.EventEnded:             true,
}

// eventAs returns an event as visitor p may see it, and false when p may
// not see it at all. Visitors see the messages and the turns of their
// chat; an assignment names the agent as visitors see it.
func (s *Server) eventAs(p Principal, e sb.Event) (sb.Event, bool) {
	keep, ok := visitorEvents[e.Type]
	if !ok {
		return e, false
	}
	e.Actor = sb.Actor{Kind: e.Actor.Kind}
	if e.Type == lifecycle.EventMessageSent {
		return s.namedMessage(e)
	}
	if keep {
		return e, true
	}
	data := map[string]any{}
	switch e.Type {
	case lifecycle.EventAssigned:
		var d lifecycle.AgentData
		if json.Unmarshal(e.Data, &d) == nil {
			data["agent"] = visitorAgent{Name: s.agentDisplayName(&d.Agent), AvatarURL: d.Agent.AvatarURL}
		}
	case lifecycle.EventTransferCompleted:
		var d lifecycle.TransferEndData
		if json.Unmarshal(e.Data, &d) == nil && d.Agent != nil {
			data["agent"] = visitorAgent{Name: s.agentDisplayName(d.Agent), AvatarURL: d.Agent.AvatarURL}
		}
	case lifecycle.EventRated:
		var d lifecycle.RatedData
		if json.Unmarshal(e.Data, &d) == nil {
			data["rating"], data["counted"] = d.Rating, d.Counted
		}
	}
	e.Data, _ = json.Marshal(data)
	return e, true
}

// namedMessage gives an agent's message the name visitors see for its
// sender, so that a chat passed between agents shows who wrote what, and
// leaves out the name staff see. A message it cannot read is not shown.
func (s *Server) namedMessage(e sb.Event) (sb.Event, bool) {
	var d lifecycle.MessageData
	if json.Unmarshal(e.Data, &d) != nil {
		return e, false
	}
	if d.From != sb.FromAgent {
		return e, true
	}
	d.AgentName = ""
	if d.Nickname == "" {
		if a, err := s.Directory.GetAgent(d.AgentID); err == nil {
			ref := a.Ref()
			d.Nickname = s.agentDisplayName(&ref)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return e, false
	}
	e.Data = b
	return e, true
}

// eventsAs filters a page of events for visitor p.
func (s *Server) eventsAs(p Principal, events []sb.Event) []sb.Event {
	out := make([]sb.Event, 0, len(events))
	for _, e := range events {
		if v, ok := s.eventAs(p, e); ok {
			out = append(out, v)
		}
	}
	return out
}
