package dispatch

import (
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Chat timer kinds (SPEC §4.3).
const (
	TimerAgentNoReply   = "agent_no_reply"
	TimerVisitorNoReply = "visitor_no_reply"
	TimerInactive       = "inactive"
)

// Finish reasons of chats the system ends.
const (
	VisitorNoReplyReason = "visitor_no_reply"
	InactiveReason       = "inactive"
)

type noReplyData struct {
	Since   time.Time `json:"since"`
	Seconds int       `json:"seconds"`
}

type reminderData struct {
	// Sent is how many reminders the visitor has had so far.
	Sent int `json:"sent"`
}

// chatTimers arms, re-arms and cancels the chat timers as messages flow:
// the agent's no-reply clock starts at the first unanswered visitor
// message; the visitor's at the agent's last message; the inactivity clock
// at the last message of either side. System messages move none of them.
func (d *Dispatcher) chatTimers(before, after *sb.Session, events []sb.Event, now time.Time, r *engine.Reaction) {
	if after.Medium != sb.MediumChat {
		return
	}
	all := []string{TimerAgentNoReply, TimerVisitorNoReply, TimerInactive}
	if after.Status.Terminal() {
		if before != nil && !before.Status.Terminal() {
			r.CancelTimers = append(r.CancelTimers, all...)
		}
		return
	}
	set := d.dir.RoutingSettings()
	var mb sb.MessageStats
	if before != nil {
		mb = before.Messages
	}
	ma := after.Messages
	visitorWrote := ma.LastEndUser != nil && (mb.LastEndUser == nil || !ma.LastEndUser.Equal(*mb.LastEndUser))
	agentWrote := ma.LastAgent != nil && (mb.LastAgent == nil || !ma.LastAgent.Equal(*mb.LastAgent))
	handled := after.CurrentHandle() != nil
	at := func(secs int) time.Time {
		return now.UTC().Truncate(time.Millisecond).Add(time.Duration(secs) * time.Second)
	}
	timer := func(kind string, secs int, data any) sb.Timer {
		b, _ := json.Marshal(data)
		return sb.Timer{SessionID: after.ID, Kind: kind, DueAt: at(secs), Data: b}
	}
	if (visitorWrote || agentWrote) && set.InactiveSeconds > 0 {
		r.SetTimers = append(r.SetTimers, timer(TimerInactive, set.InactiveSeconds, struct{}{}))
	}
	if agentWrote {
		r.CancelTimers = append(r.CancelTimers, TimerAgentNoReply)
		if set.VisitorNoReplySeconds > 0 && handled {
			r.SetTimers = append(r.SetTimers, timer(TimerVisitorNoReply, set.VisitorNoReplySeconds, reminderData{}))
		}
	}
	if visitorWrote {
		r.CancelTimers = append(r.CancelTimers, TimerVisitorNoReply)
		if set.AgentNoReplySeconds > 0 && handled {
			r.EnsureTimers = append(r.EnsureTimers, timer(TimerAgentNoReply, set.AgentNoReplySeconds,
				noReplyData{Since: *ma.LastEndUser, Seconds: set.AgentNoReplySeconds}))
		}
	}
	// A reminder was sent: the next one, or the end, after another interval.
	for _, e := range events {
		if e.Type != lifecycle.EventVisitorReminder {
			continue
		}
		var rd lifecycle.ReminderData
		if json.Unmarshal(e.Data, &rd) == nil && set.VisitorNoReplySeconds > 0 {
			r.SetTimers = append(r.SetTimers, timer(TimerVisitorNoReply, set.VisitorNoReplySeconds, reminderData{Sent: rd.Number}))
		}
	}
}

// agentNoReply records that the agent has not answered, and prompts the
// visitor, if the agent still has not written since the visitor did.
func (d *Dispatcher) agentNoReply(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data noReplyData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("agent no-reply timer: %w", err)
	}
	h := s.CurrentHandle()
	m := s.Messages
	if h == nil || m.LastEndUser == nil || m.LastAgent != nil && !m.LastAgent.Before(*m.LastEndUser) {
		return nil, nil, nil
	}
	return &lifecycle.NoReply{Data: lifecycle.NoReplyData{AgentID: h.Agent.ID, Since: data.Since, Seconds: data.Seconds},
		Prompt: d.dir.RoutingSettings().AgentNoReplyPrompt}, nil, nil
}

// visitorNoReply reminds a visitor who has not answered the agent, and
// ends the chat once the reminders are spent.
func (d *Dispatcher) visitorNoReply(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data reminderData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("visitor no-reply timer: %w", err)
	}
	m := s.Messages
	if m.LastAgent == nil || m.LastEndUser != nil && m.LastEndUser.After(*m.LastAgent) {
		return nil, nil, nil // the visitor answered meanwhile
	}
	set := d.dir.RoutingSettings()
	if data.Sent < set.VisitorReminders {
		return &lifecycle.VisitorReminder{Data: lifecycle.ReminderData{Number: data.Sent + 1, Of: set.VisitorReminders},
			Text: set.VisitorReminderText}, nil, nil
	}
	return &lifecycle.End{DisconnectedBy: lifecycle.BySystem, Reason: VisitorNoReplyReason}, nil, nil
}

// inactive ends a chat in which neither side has written for the set time.
func inactive(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	return &lifecycle.End{DisconnectedBy: lifecycle.BySystem, Reason: InactiveReason}, nil, nil
}

// endTags tags a session a timer has just ended, as the settings say: the
// queue timeout, the visitor no-reply countdown, inactivity.
func (d *Dispatcher) endTags(after *sb.Session, events []sb.Event) []engine.Followup {
	set := d.dir.RoutingSettings()
	tagFor := map[string]int64{QueueTimeoutReason: set.QueueTimeoutTagID, VisitorNoReplyReason: set.VisitorNoReplyTagID,
		InactiveReason: set.InactiveTagID}
	for _, e := range events {
		if e.Type != lifecycle.EventEnded {
			continue
		}
		var ended lifecycle.EndedData
		if json.Unmarshal(e.Data, &ended) != nil || ended.DisconnectedBy != lifecycle.BySystem {
			continue
		}
		id := tagFor[ended.Reason]
		if id == 0 {
			continue
		}
		refs, err := d.dir.SessionTagRefs([]int64{id})
		if err != nil {
			continue // the tag was deleted since
		}
		return []engine.Followup{{SessionID: after.ID, Command: &lifecycle.Tag{Add: []int64{id}, AddRefs: refs}}}
	}
	return nil
}
