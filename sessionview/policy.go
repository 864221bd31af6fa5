// Package sessionview decides what the staff who read a session see of it
// under the chat and CSAT settings: whether an agent may read a waiting
// session before accepting it (agents_may_view_waiting), whether agents
// see the visitors' ratings (agents_see_ratings), the name the desk gives
// the visitor (show_visitor_name, visitor_nickname) and the time the
// desk's session duration counts from (count_from_last_message). Every
// transport — REST, the event streams, the WebSocket, the history search
// and the reports — asks it; visitors have a view of their own (httpapi).
// It does no I/O: the settings, the session and its events come in.
package sessionview

import (
	"encoding/json"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Viewer is who reads: a role and, for an agent, its agent ID.
type Viewer struct {
	Role    string
	AgentID int64
}

// agent reports whether the viewer is an agent, the only role the
// settings restrict: supervisors, integrations and admins see everything.
func (v Viewer) agent() bool { return v.Role == sb.RoleAgent }

// Policy holds the settings that shape what staff see of sessions.
type Policy struct {
	// AgentsMayViewWaiting lets agents read a waiting session before
	// accepting it.
	AgentsMayViewWaiting bool
	// AgentsSeeRatings shows agents the ratings visitors give.
	AgentsSeeRatings bool
	// ShowVisitorName names a visitor whose name is known by it in the
	// chats agents handle; VisitorNickname formats the nickname otherwise
	// (region, network, date or all).
	ShowVisitorName bool
	VisitorNickname string
	// CountFromLastMessage counts the desk's session duration from the
	// last message of either side rather than from the pick-up.
	CountFromLastMessage bool
}

// New returns the policy of the chat and CSAT settings.
func New(chat sb.ChatSettings, csat sb.CSATSettings) Policy {
	return Policy{AgentsMayViewWaiting: chat.AgentsMayViewWaiting, AgentsSeeRatings: csat.AgentsSeeRatings,
		ShowVisitorName: chat.ShowVisitorName, VisitorNickname: chat.VisitorNickname,
		CountFromLastMessage: chat.CountFromLastMessage}
}

// Waiting reports whether s waits in a queue for an agent to accept it.
func Waiting(s *sb.Session) bool {
	return s.Status == sb.StatusQueued || s.Status == sb.StatusRequeued
}

// Handles reports whether agent id takes part in s now: it handles it,
// receives its pending transfer, or joined it as a participant.
func Handles(id int64, s *sb.Session) bool {
	if h := s.CurrentHandle(); h != nil && h.Agent.ID == id {
		return true
	}
	if t := s.PendingTransfer(); t != nil && t.ToAgent != nil && t.ToAgent.ID == id {
		return true
	}
	for _, p := range s.Participants {
		if p.Type == sb.ParticipantAgent && p.UserID == id && (p.Status == "connected" || p.Status == "connecting") {
			return true
		}
	}
	return false
}

// restricted reports whether s is a session agents_may_view_waiting
// governs for v: v is an agent, s waits, and v takes no part in it.
func restricted(v Viewer, s *sb.Session) bool {
	return v.agent() && Waiting(s) && !Handles(v.AgentID, s)
}

// Hidden reports whether v may know only that s waits: v is an agent, s
// waits and is not v's, and agents may not view waiting sessions.
func (p Policy) Hidden(v Viewer, s *sb.Session) bool {
	return !p.AgentsMayViewWaiting && restricted(v, s)
}

// MayRead refuses v the details of s — the session, its messages, events,
// attachments, metadata and report facts — when they are hidden.
func (p Policy) MayRead(v Viewer, s *sb.Session) error {
	if p.Hidden(v, s) {
		return sb.Errorf(sb.EFORBIDDEN, "session %d waits to be accepted; agents may read waiting sessions only once they accept them (chat setting agents_may_view_waiting)", s.ID)
	}
	return nil
}

// SeesRatings reports whether v sees ratings: the score, the comment, the
// tags and the problem-solved answer. Only agents may be kept from them.
func (p Policy) SeesRatings(v Viewer) bool { return p.AgentsSeeRatings || !v.agent() }

// Staff is a session as staff read it: the projection, its numeric status
// code, the name the desk gives the visitor and the time the desk's
// session duration counts from.
type Staff struct {
	*sb.Session
	StatusCode    int        `json:"status_code"`
	DisplayName   string     `json:"display_name"`
	DurationSince *time.Time `json:"duration_since,omitempty"`
}

// Summary is what an agent sees of a waiting session it may not read:
// that it waits, where and since when, and the visitor's nickname.
type Summary struct {
	ID          int64          `json:"id"`
	Type        sb.SessionType `json:"type"`
	Medium      sb.Medium      `json:"medium"`
	Channel     sb.Channel     `json:"channel"`
	Status      sb.Status      `json:"status"`
	StatusCode  int            `json:"status_code"`
	Seq         int64          `json:"seq"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	QueuedAt    *time.Time     `json:"queued_at,omitempty"`
	Queue       *sb.QueueRef   `json:"queue,omitempty"`
	DisplayName string         `json:"display_name"`
	// DetailsHidden is always true: the session's details wait until the
	// agent accepts it.
	DetailsHidden bool `json:"details_hidden"`
}

// Session returns s as v may see it: a Summary when its details are hidden
// from v, else Staff — without the rating when v may not see ratings.
func (p Policy) Session(v Viewer, s *sb.Session) any {
	if p.Hidden(v, s) {
		return Summary{ID: s.ID, Type: s.Type, Medium: s.Medium, Channel: s.Channel, Status: s.Status,
			StatusCode: int(s.Status), Seq: s.Seq, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, QueuedAt: s.QueuedAt,
			Queue: s.Queue, DisplayName: p.Nickname(s), DetailsHidden: true}
	}
	if !p.SeesRatings(v) {
		s = WithoutRating(s)
	}
	return Staff{Session: s, StatusCode: int(s.Status), DisplayName: p.DisplayName(s), DurationSince: p.DurationSince(s)}
}

// WithoutRating returns a copy of s without what visitors said in their
// rating: the score, the comment, the tags and the problem-solved answer.
// That a rating came (rated_at, ratings) stays, and s is left as it was.
func WithoutRating(s *sb.Session) *sb.Session {
	c := *s
	c.Rating, c.Feedback, c.RatingTags, c.Solved = nil, "", nil, nil
	return &c
}

// Event returns e as v may see it, and false when v may not see it at all.
// restricted is Restricted for e's session: an event of a session whose
// details are hidden from v comes only when it changes the session's
// status, with the status as its only data; a rated event comes without
// the rating to an agent who may not see ratings.
func (p Policy) Event(v Viewer, e sb.Event, restricted bool) (sb.Event, bool) {
	if !v.agent() {
		return e, true
	}
	if restricted && !p.AgentsMayViewWaiting {
		var d struct {
			Status *sb.Status `json:"status"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.Status == nil {
			return e, false
		}
		e.Actor = sb.Actor{Kind: e.Actor.Kind}
		e.Data, _ = json.Marshal(d)
		return e, true
	}
	if e.Type == lifecycle.EventRated && !p.SeesRatings(v) {
		var d lifecycle.RatedData
		if json.Unmarshal(e.Data, &d) != nil {
			return e, false
		}
		e.Data, _ = json.Marshal(map[string]any{"counted": d.Counted})
	}
	return e, true
}

// Restricted reports whether s is a waiting session v takes no part in,
// which agents_may_view_waiting governs; Event takes it for s's events.
func Restricted(v Viewer, s *sb.Session) bool { return restricted(v, s) }

// Events returns the events of session s as v may see them, judged by s as
// it stands (a command's events, by the session after the command).
func (p Policy) Events(v Viewer, s *sb.Session, events []sb.Event) []sb.Event {
	if !v.agent() {
		return events
	}
	r := restricted(v, s)
	out := make([]sb.Event, 0, len(events))
	for _, e := range events {
		if e, ok := p.Event(v, e, r); ok {
			out = append(out, e)
		}
	}
	return out
}
