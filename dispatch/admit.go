package dispatch

import (
	"errors"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// Admit implements engine.Admitter: it refuses a command that gives a
// session to an agent routing says may not take it. An agent picking a
// waiting session up for itself (assign by its own token) must be a member
// of the queue the session waits in, online or invisible, and under its
// max_concurrent. Anyone else's assignment — a supervisor's, an
// administrator's, an integration's — and a transfer to an agent only need
// the agent under its max_concurrent: they may direct work outside the
// agent's groups and whatever its status. Sessions an agent starts itself
// (outbound and campaign calls) are counted in its load but not refused.
//
// The engine's writer calls it right before Observe counts the change, so
// concurrent commands cannot both pass the check for one free place.
func (d *Dispatcher) Admit(before, after *sb.Session, events []sb.Event) error {
	if before == nil {
		return nil
	}
	h := after.CurrentHandle()
	if h == nil {
		return nil
	}
	if hb := before.CurrentHandle(); hb != nil && hb.Agent.ID == h.Agent.ID {
		return nil
	}
	w := before.CurrentWait()
	var err error
	if pickedUp(events) {
		var group int64
		if w != nil {
			group = w.Queue.ID
		}
		err = d.router.CanPickUp(h.Agent.ID, group)
	} else {
		err = d.router.CanTake(h.Agent.ID)
	}
	return refusal(err, after.ID, h.Agent, w)
}

// pickedUp reports whether an agent assigned the session to itself: the
// API lets an agent's token assign only its own agent.
func pickedUp(events []sb.Event) bool {
	for _, e := range events {
		if e.Type == lifecycle.EventAssigned && e.Actor.Kind == sb.ActorAgent {
			return true
		}
	}
	return false
}

// refusal turns routing's refusal into the error the caller gets: a
// code naming the reason, a message for people and the figures behind it.
func refusal(err error, sessionID int64, a sb.AgentRef, w *sb.QueueWait) error {
	var ref *routing.Refusal
	if err == nil || !errors.As(err, &ref) {
		return err
	}
	who := fmt.Sprintf("agent %d (%s)", a.ID, a.Name)
	switch ref.Reason {
	case routing.RefusedNotMember:
		where, queue := "no queue", int64(0)
		if w != nil {
			where, queue = fmt.Sprintf("queue %d (%s)", w.Queue.ID, w.Queue.Name), w.Queue.ID
		}
		return &sb.Error{Code: sb.ENOTMEMBER,
			Message: fmt.Sprintf("%s is not a member of %s, where session %d waits: an agent picks up sessions only from the queues of its groups", who, where, sessionID),
			Detail:  map[string]any{"agent_id": a.ID, "queue_id": queue}}
	case routing.RefusedNotWorking:
		if ref.Status == "" {
			return &sb.Error{Code: sb.ENOTWORKING, Message: fmt.Sprintf("%s is not known to routing", who),
				Detail: map[string]any{"agent_id": a.ID}}
		}
		return &sb.Error{Code: sb.ENOTWORKING,
			Message: fmt.Sprintf("%s is %s: an agent picks up sessions only while online or invisible", who, ref.Status),
			Detail:  map[string]any{"agent_id": a.ID, "agent_status": string(ref.Status)}}
	case routing.RefusedAtCapacity:
		return &sb.Error{Code: sb.EATCAPACITY,
			Message: fmt.Sprintf("%s already handles %d sessions, its maximum (max_concurrent %d)", who, ref.Load, ref.Capacity),
			Detail:  map[string]any{"agent_id": a.ID, "load": ref.Load, "capacity": ref.Capacity}}
	}
	return err
}
