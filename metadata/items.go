package metadata

import (
	"sort"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// firstSet returns the first non-nil time.
func firstSet(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// duration puts a segment's connected time under the key of the record's
// medium: call_duration in call records, chat_duration in chat records.
func (b *builder) duration(sec int64) (call, chat *int64) {
	if b.call {
		return &sec, nil
	}
	return nil, &sec
}

func (b *builder) deflectionDetails() []DeflectionDetail {
	s := b.s
	out := []DeflectionDetail{}
	for i, d := range s.Deflections {
		item := DeflectionDetail{ID: int64(i + 1), Deflection: d.Deflection,
			FromMenuPath: menuPathp(d.FromQueue), Channel: str(d.Channel), DeflectedAt: b.c.ts(d.At)}
		if b.call {
			item.CallID = ptr(s.ID)
		} else {
			item.ChatID = ptr(s.ID)
		}
		// The queue stay the deflection ended tells whether a transfer
		// had brought the session there.
		for _, w := range s.QueueWaits {
			if w.Outcome == sb.WaitDeflected && w.EndedAt != nil && w.EndedAt.Equal(d.At) {
				item.TransferID = id(w.TransferID)
			}
		}
		out = append(out, item)
	}
	return out
}

// participantHold sums the holds that started while p was connected: all of
// them for the end user, the agent's own for an agent. ok is false when
// none did and for other participant types.
func (b *builder) participantHold(p sb.Participant) (sec int64, ok bool) {
	if p.ConnectedAt == nil || (p.Type != sb.ParticipantAgent && p.Type != sb.ParticipantEndUser) {
		return 0, false
	}
	from, to := *p.ConnectedAt, b.c.until(p.EndedAt)
	var ms int64
	for _, h := range b.s.Holds {
		if h.StartedAt.Before(from) || !h.StartedAt.Before(to) {
			continue
		}
		if p.Type == sb.ParticipantAgent && h.AgentID != p.UserID {
			continue
		}
		ms += b.holdMS(h)
		ok = true
	}
	return seconds(ms), ok
}

// participantTime is the time p was connected, null when never.
func (b *builder) participantTime(p sb.Participant) *int64 {
	if p.ConnectedAt == nil {
		return nil
	}
	return ptr(secs(*p.ConnectedAt, b.c.until(p.EndedAt)))
}

func (b *builder) callParticipants() []CallParticipant {
	out := []CallParticipant{}
	for _, p := range b.s.Participants {
		item := CallParticipant{ID: p.ID, CallID: b.s.ID, Type: p.Type, Status: p.Status,
			UserID: id(p.UserID), EndUserID: id(p.EndUserID),
			ConnectedAt: b.c.tsp(p.ConnectedAt), EndedAt: b.c.tsp(p.EndedAt),
			CallDuration: b.participantTime(p), FailReason: str(p.FailReason), PhoneNumber: str(p.PhoneNumber)}
		if sec, ok := b.participantHold(p); ok {
			item.HoldDuration = &sec
		}
		out = append(out, item)
	}
	return out
}

func (b *builder) chatParticipants() []ChatParticipant {
	out := []ChatParticipant{}
	for _, p := range b.s.Participants {
		out = append(out, ChatParticipant{ID: p.ID, ChatID: b.s.ID, Type: p.Type, Status: p.Status,
			UserID: id(p.UserID), EndUserID: id(p.EndUserID),
			ConnectedAt: b.c.tsp(p.ConnectedAt), FinishedAt: b.c.tsp(p.EndedAt),
			ChatDuration: b.participantTime(p), FailReason: str(p.FailReason), PhoneNumber: str(p.PhoneNumber)})
	}
	return out
}

// receiver returns the handling segment a completed transfer started: the
// agent's or the virtual agent's.
func (b *builder) receiver(tr sb.Transfer) (agent *sb.AgentRef, connected, ended *time.Time, found bool) {
	if tr.Kind == sb.TransferToVirtualAgent {
		for _, h := range b.s.VAHandles {
			if h.TransferID == tr.ID {
				return nil, h.ConnectedAt, h.EndedAt, true
			}
		}
		return nil, nil, nil, false
	}
	for i := range b.s.Handles {
		if h := &b.s.Handles[i]; h.TransferIn == tr.ID {
			return &h.Agent, h.ConnectedAt, h.EndedAt, true
		}
	}
	return nil, nil, nil, false
}

func (b *builder) transfers() []TransferItem {
	c := b.c
	out := []TransferItem{}
	for _, tr := range b.s.Transfers {
		closed := firstSet(tr.CompletedAt, tr.FailedAt)
		updated := tr.StartedAt
		if closed != nil {
			updated = *closed
		}
		item := TransferItem{ID: tr.ID, Status: tr.Status, CreatedAt: c.ts(tr.StartedAt), UpdatedAt: c.ts(updated),
			AssignedAt: c.tsp(tr.CompletedAt), WaitDuration: secs(tr.StartedAt, c.until(closed)),
			FromAgent: humanAgentp(tr.FromAgent), ToAgent: humanAgentp(tr.ToAgent),
			FromVirtualAgent: virtualAgentp(tr.FromVirtualAgent), ToVirtualAgent: virtualAgentp(tr.ToVirtualAgent),
			FromMenuPath: menuPathp(tr.FromQueue), ToMenuPath: menuPathp(tr.ToQueue),
			FailReason: str(tr.FailReason), Kind: tr.Kind, Overflow: tr.Overflow}
		if agent, connected, ended, ok := b.receiver(tr); ok {
			if item.ToAgent == nil {
				item.ToAgent = humanAgentp(agent)
			}
			item.ConnectedAt = c.tsp(connected)
			if connected != nil {
				item.CallDuration = ptr(secs(*connected, c.until(ended)))
			}
		}
		out = append(out, item)
	}
	return out
}

// escalations lists the hand-offs from a virtual agent to people: a
// virtual agent's session put in a queue (its handle ended "escalated"),
// and transfers from a virtual agent to an agent or a queue.
func (b *builder) escalations() []Escalation {
	s, c := b.s, b.c
	type timed struct {
		at time.Time
		e  Escalation
	}
	var all []timed
	for _, h := range s.VAHandles {
		if h.FinishReason != "escalated" || h.EndedAt == nil {
			continue
		}
		e := Escalation{Status: "escalated", Reason: EscalationReasonAny, CreatedAt: c.ts(*h.EndedAt),
			FromVirtualAgent: virtualAgent(h.VirtualAgent)}
		for _, w := range s.QueueWaits {
			if !w.StartedAt.Equal(*h.EndedAt) {
				continue
			}
			e.ToMenuPath = ptr(menuPath(w.Queue))
			if w.Outcome == sb.WaitAssigned && w.EndedAt != nil {
				for _, hd := range s.Handles {
					if hd.Agent.ID == w.AgentID && hd.AssignedAt.Equal(*w.EndedAt) {
						e.ToAgent = ptr(humanAgent(hd.Agent))
						break
					}
				}
			}
			break
		}
		all = append(all, timed{*h.EndedAt, e})
	}
	for _, tr := range s.Transfers {
		if tr.FromVirtualAgent == nil || tr.Kind == sb.TransferToVirtualAgent {
			continue
		}
		status := map[string]string{sb.TransferStarted: "escalating", sb.TransferCompleted: "escalated",
			sb.TransferFailed: "canceled"}[tr.Status]
		e := Escalation{Status: status, Reason: EscalationReasonAny, CreatedAt: c.ts(tr.StartedAt),
			FromVirtualAgent: virtualAgent(*tr.FromVirtualAgent), ToAgent: humanAgentp(tr.ToAgent),
			ToMenuPath: menuPathp(tr.ToQueue), TransferID: ptr(tr.ID)}
		if agent, _, _, ok := b.receiver(tr); ok && e.ToAgent == nil {
			e.ToAgent = humanAgentp(agent)
		}
		all = append(all, timed{tr.StartedAt, e})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	out := []Escalation{}
	for i, t := range all {
		t.e.ID = int64(i + 1)
		out = append(out, t.e)
	}
	return out
}

func (b *builder) vaHandleDurations() []VAHandleDuration {
	c := b.c
	out := []VAHandleDuration{}
	for i, h := range b.s.VAHandles {
		var talk int64
		if h.ConnectedAt != nil {
			talk = secs(*h.ConnectedAt, c.until(h.EndedAt))
		}
		item := VAHandleDuration{ID: int64(i + 1), VirtualAgent: virtualAgent(h.VirtualAgent),
			StartedAt: c.ts(h.StartedAt), EndedAt: c.tsp(h.EndedAt),
			FinishReason: str(h.FinishReason), TransferID: id(h.TransferID)}
		item.CallDuration, item.ChatDuration = b.duration(talk)
		if h.FinishReason == "escalated" {
			item.EscalationReason = ptr(EscalationReasonAny)
		}
		out = append(out, item)
	}
	return out
}

func (b *builder) handleDurations() []HandleDuration {
	s, c := b.s, b.c
	preview := s.Campaign == "preview"
	out := []HandleDuration{}
	for i, h := range s.Handles {
		var talk, holdMS, acw, bcw int64
		if h.ConnectedAt != nil {
			talk = secs(*h.ConnectedAt, c.until(h.EndedAt))
		}
		for _, hd := range s.Holds {
			if hd.Interaction == i {
				holdMS += b.holdMS(hd)
			}
		}
		if h.WrapUpAt != nil && h.EndedAt != nil {
			acw = secs(*h.EndedAt, *h.WrapUpAt)
		}
		if preview && i == 0 {
			bcw = secs(h.AssignedAt, c.until(firstSet(h.ConnectedAt, h.EndedAt)))
		}
		end := c.until(h.EndedAt)
		if h.WrapUpAt != nil {
			end = *h.WrapUpAt
		}
		item := HandleDuration{ID: int64(i + 1), AgentID: h.Agent.ID, StartedAt: c.ts(h.AssignedAt),
			EndedAt: c.tsp(h.EndedAt), HoldDuration: seconds(holdMS), ACWDuration: acw, BCWDuration: bcw,
			HandleDuration: secs(h.AssignedAt, end)}
		item.CallDuration, item.ChatDuration = b.duration(talk)
		out = append(out, item)
	}
	return out
}

func (b *builder) queueDurations() []QueueDuration {
	c := b.c
	out := []QueueDuration{}
	for i, w := range b.s.QueueWaits {
		out = append(out, QueueDuration{
			ID:            int64(i + 1),
			MenuPath:      menuPath(w.Queue),
			StartedAt:     c.ts(w.StartedAt),
			EndedAt:       c.tsp(w.EndedAt),
			QueueDuration: secs(w.StartedAt, c.until(w.EndedAt)),
			TransferID:    id(w.TransferID),
			Transfer:      w.TransferID != 0,
			AgentID:       id(w.AgentID),
			Outcome:       str(w.Outcome),
			Requeue:       w.Requeue,
		})
	}
	return out
}
