package report

import (
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Log is what deriving a session's facts needs of its log so far, kept
// event by event: the session folded up to its newest event, and what the
// projection does not keep (every human message not recalled, the agents'
// rating invitations, the counted rating, the receivers' groups of direct
// transfers). Adding an event costs that event alone, so the projector
// keeps the facts of a busy session current without reading its log again;
// Derive runs the same code over a whole log, so both give the same facts.
type Log struct {
	s       *sb.Session
	last    time.Time // the newest time an event other than a message came
	visitor string    // the end user's first name as created
	msgs    []message
	invites []invite
	rating  *lifecycle.RatedData // the counted rating
	ratedAt time.Time
	// toGroups[id] are the groups the receiver of transfer id to an agent
	// belonged to, as the transfer recorded them (version 2 and later);
	// a transfer absent from it is of version 1: the groups are unknown.
	toGroups map[int64][]int64
}

// Seq is the sequence number of the newest event added, 0 for none.
func (l *Log) Seq() int64 {
	if l.s == nil {
		return 0
	}
	return l.s.Seq
}

// SessionID is the session the log is of, 0 before the first event.
func (l *Log) SessionID() int64 {
	if l.s == nil {
		return 0
	}
	return l.s.ID
}

// Add folds the session's next event into the log. Events must come in
// sequence order, from the first; an event out of order or that cannot be
// decoded is refused and leaves the log unusable (start a new one).
func (l *Log) Add(e sb.Event) error {
	if l.s == nil {
		l.s, l.last = &sb.Session{ID: e.SessionID}, e.Time
	}
	if e.SessionID != l.s.ID || e.Seq != l.s.Seq+1 {
		return fmt.Errorf("derive report facts: session %d: event %d/%d follows %d", l.s.ID, e.SessionID, e.Seq, l.s.Seq)
	}
	if err := lifecycle.Apply(l.s, e); err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	if ChangesFacts(e.Type) {
		l.last = e.Time
	}
	if err := l.scan(e); err != nil {
		return fmt.Errorf("derive report facts of session %d: %w", l.s.ID, err)
	}
	return nil
}

// Facts derives the facts the session contributes to the reports as of
// the newest event added. The log must hold at least one event.
func (l *Log) Facts() sb.SessionFacts {
	d := deriver{Log: l}
	d.serves()
	s := l.s
	f := sb.SessionFacts{SessionID: s.ID, Seq: s.Seq}
	f.Agents = d.agentFacts()
	f.Groups = d.groupFacts()
	f.Waits = d.waitFacts()
	f.Session = d.sessionFact()
	f.Ratings = d.ratingFacts()
	f.Transfers = d.transferFacts()
	return f
}

// scan keeps what the projection does not: every human message, the
// rating invitations and the counted rating.
func (l *Log) scan(e sb.Event) error {
	switch e.Type {
	case lifecycle.EventCreated:
		var c lifecycle.Created
		if err := json.Unmarshal(e.Data, &c); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		l.visitor = c.EndUser.Name
	case lifecycle.EventMessageSent:
		var m lifecycle.MessageData
		if err := json.Unmarshal(e.Data, &m); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		if m.From == sb.FromEndUser || m.From == sb.FromAgent {
			l.msgs = append(l.msgs, message{id: m.ID, from: m.From, agentID: m.AgentID, at: e.Time, serve: -1})
		}
	case lifecycle.EventMessageRecalled:
		var r lifecycle.RecallData
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		// A recalled message no longer counts; recalls are rare and
		// usually of a recent message, so look from the newest.
		for i := len(l.msgs) - 1; i >= 0; i-- {
			if l.msgs[i].id == r.MessageID {
				l.msgs = append(l.msgs[:i], l.msgs[i+1:]...)
			}
		}
	case lifecycle.EventTransferStarted:
		if e.Version < 2 {
			return nil
		}
		var t lifecycle.TransferStartedData
		if err := json.Unmarshal(e.Data, &t); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		if t.Transfer.Kind == sb.TransferToAgent {
			if l.toGroups == nil {
				l.toGroups = map[int64][]int64{}
			}
			l.toGroups[t.Transfer.ID] = t.ToAgentGroups
		}
	case lifecycle.EventRatingInvited:
		var r lifecycle.RatingInvitedData
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		if r.By == sb.FromAgent && r.AgentID != 0 && !r.Auto {
			l.invites = append(l.invites, invite{agentID: r.AgentID, at: e.Time, serve: -1})
		}
	case lifecycle.EventRated:
		var r lifecycle.RatedData
		if err := json.Unmarshal(e.Data, &r); err != nil {
			return fmt.Errorf("decode %s: %w", e.Type, err)
		}
		if r.Counted && l.rating == nil {
			l.rating, l.ratedAt = &r, e.Time
		}
	}
	return nil
}
