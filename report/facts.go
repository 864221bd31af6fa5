package report

import (
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// agentFacts gives each agent who served the session its fact, in the
// order of the agents' first serves.
func (d *deriver) agentFacts() []sb.AgentFact {
	s := d.s
	closer := d.closer()
	var out []sb.AgentFact
	index := map[int64]int{}
	for i, h := range s.Handles {
		k, ok := index[h.Agent.ID]
		if !ok {
			k = len(out)
			index[h.Agent.ID] = k
			out = append(out, sb.AgentFact{SessionID: s.ID, AgentID: h.Agent.ID, GroupID: d.group[i],
				Channel: s.Channel, Entry: s.Entry, At: h.AssignedAt.UTC()})
		}
		f := &out[k]
		f.PickUps++
		if i == 0 {
			f.AccessedFirst = 1
		}
		if h.TransferIn != 0 {
			f.TransfersIn++
		}
		if h.TransferOut != 0 {
			f.TransfersOut++
		}
		if i == closer {
			f.Ended = 1
		}
		f.DurationMS += serveMS(h)
		f.HandleMS += handleMS(h)
		if h.WrapUpAt != nil && h.EndedAt != nil {
			f.WrapUpMS += ms(h.WrapUpAt.Sub(*h.EndedAt))
		}
	}
	for _, hold := range s.Holds {
		if hold.Interaction >= 0 && hold.Interaction < len(s.Handles) {
			if k, ok := index[s.Handles[hold.Interaction].Agent.ID]; ok {
				out[k].HoldMS += holdMS(hold, d.last)
			}
		}
	}
	for k := range out {
		f := &out[k]
		if !d.ended() {
			continue
		}
		mine := func(serve int) bool { return s.Handles[serve].Agent.ID == f.AgentID }
		for _, m := range d.msgs {
			if m.from == sb.FromAgent && m.agentID == f.AgentID {
				f.Messages++
			}
		}
		first, avg, replies := d.responses(mine, f.At)
		if f.Messages > 0 {
			f.Valid = 1
		}
		if f.Messages == 0 || !d.hasEndUserMessage() {
			f.Invalid = 1
		}
		if first != nil {
			f.FirstResponses, f.FirstResponseMS = 1, ms(first.Sub(f.At))
		}
		if replies > 0 {
			f.ResponseAvgs, f.ResponseAvgMS = 1, avg
		}
		if d.invitedIn(mine) {
			f.Invited = 1
			if d.rating != nil {
				f.InviteSuccess = 1
			}
		}
	}
	return out
}

// groupFacts gives each group that served the session its fact, in the
// order of the groups' first serves. Serves with no group are left out.
func (d *deriver) groupFacts() []sb.GroupFact {
	s := d.s
	closer := d.closer()
	var out []sb.GroupFact
	index := map[int64]int{}
	for i, h := range s.Handles {
		g := d.group[i]
		if g == 0 {
			continue
		}
		k, ok := index[g]
		if !ok {
			k = len(out)
			index[g] = k
			out = append(out, sb.GroupFact{SessionID: s.ID, GroupID: g, Channel: s.Channel, Entry: s.Entry, At: h.AssignedAt.UTC()})
		}
		f := &out[k]
		if d.enters(i) {
			f.PickUps++
		}
		if i == 0 {
			f.AccessedFirst = 1
		}
		if w := d.waitOf[i]; (w >= 0 && d.groupTransfer(s.QueueWaits[w].TransferID)) || d.directIn(i) {
			f.TransfersIn++
		}
		if d.groupTransfer(h.TransferOut) || d.directOut(i) {
			f.TransfersOut++
		}
		if i == closer {
			f.Ended = 1
			f.DurationMS = ms(s.EndedAt.Sub(f.At))
		}
		f.HandleMS += handleMS(h)
	}
	for _, hold := range s.Holds {
		if hold.Interaction >= 0 && hold.Interaction < len(s.Handles) {
			if k, ok := index[d.group[hold.Interaction]]; ok {
				out[k].HoldMS += holdMS(hold, d.last)
			}
		}
	}
	for k := range out {
		f := &out[k]
		if !d.ended() {
			continue
		}
		mine := func(serve int) bool { return d.group[serve] == f.GroupID }
		sent := 0
		for _, m := range d.msgs {
			if m.from == sb.FromAgent && m.serve >= 0 && mine(m.serve) {
				sent++
			}
		}
		if sent > 0 {
			f.Valid = 1
		}
		if sent == 0 || !d.hasEndUserMessage() {
			f.Invalid = 1
		}
		first, avg, replies := d.responses(mine, f.At)
		if first != nil {
			f.FirstResponses, f.FirstResponseMS = 1, ms(first.Sub(f.At))
		}
		if replies > 0 {
			f.ResponseAvgs, f.ResponseAvgMS = 1, avg
		}
		if d.invitedIn(mine) {
			f.Invited = 1
			if d.rating != nil {
				f.InviteSuccess = 1
			}
		}
	}
	return out
}

// waitFacts gives every stay of the session in a queue.
func (d *deriver) waitFacts() []sb.WaitFact {
	s := d.s
	out := make([]sb.WaitFact, 0, len(s.QueueWaits))
	for _, w := range s.QueueWaits {
		f := sb.WaitFact{SessionID: s.ID, GroupID: w.Queue.ID, Channel: s.Channel, Entry: s.Entry, At: w.StartedAt.UTC(),
			Outcome: waitOutcome(w), AgentID: w.AgentID}
		end := d.last
		if w.EndedAt != nil {
			end = *w.EndedAt
		}
		f.WaitMS = ms(end.Sub(w.StartedAt))
		if t := d.transfer(w.TransferID); t != nil {
			f.Overflow = t.Overflow
			f.Transfer = !t.Overflow
		}
		out = append(out, f)
	}
	return out
}

// waitOutcome classifies a queue stay for the reports.
func waitOutcome(w sb.QueueWait) string {
	switch {
	case w.EndedAt == nil:
		return sb.WaitOutcomeWaiting
	case w.Outcome == sb.WaitAssigned:
		return sb.WaitOutcomePickedUp
	case w.Outcome == sb.WaitAbandoned:
		return sb.WaitOutcomeAbandoned
	case w.Outcome == sb.WaitTimeout:
		return sb.WaitOutcomeDropped
	}
	return sb.WaitOutcomeOther
}

// sessionFact is the session as the channel report counts it.
func (d *deriver) sessionFact() sb.SessionFact {
	s := d.s
	f := sb.SessionFact{SessionID: s.ID, Channel: s.Channel, Entry: s.Entry, At: s.CreatedAt.UTC()}
	if s.Queue != nil {
		f.GroupID = s.Queue.ID
	}
	if len(s.Handles) > 0 {
		first := s.Handles[0].AssignedAt
		f.At, f.PickedUp, f.GroupID = first.UTC(), 1, d.group[0]
		if d.ended() {
			f.Ended, f.DurationMS = 1, ms(s.EndedAt.Sub(first))
		}
		for _, h := range s.Handles {
			f.HandleMS += handleMS(h)
		}
	}
	for _, h := range s.Holds {
		f.HoldMS += holdMS(h, d.last)
	}
	if len(d.invites) > 0 {
		f.Invited = 1
		if d.rating != nil {
			f.InviteSuccess = 1
		}
	}
	return f
}

// ratingFacts gives the counted rating once for the session (agent 0, the
// group where it ended) and once for each agent it counts for.
func (d *deriver) ratingFacts() []sb.RatingFact {
	r := d.rating
	if r == nil {
		return nil
	}
	s := d.s
	base := sb.RatingFact{SessionID: s.ID, Channel: s.Channel, Entry: s.Entry, At: d.ratedAt.UTC(), Rating: r.Rating, Solved: r.Solved}
	if n := len(d.group); n > 0 {
		base.GroupID = d.group[n-1]
	}
	out := []sb.RatingFact{base}
	for _, id := range r.AgentIDs {
		f := base
		f.AgentID = id
		for i := len(s.Handles) - 1; i >= 0; i-- {
			if s.Handles[i].Agent.ID == id {
				f.GroupID = d.group[i]
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// transferFacts gives a row for every transfer to an agent or a group.
func (d *deriver) transferFacts() []sb.TransferFact {
	s := d.s
	var out []sb.TransferFact
	for _, t := range s.Transfers {
		if t.Kind != sb.TransferToAgent && t.Kind != sb.TransferToQueue {
			continue
		}
		f := sb.TransferFact{SessionID: s.ID, TransferID: t.ID, Channel: s.Channel, Entry: s.Entry, At: t.StartedAt.UTC(),
			Visitor: d.visitor, Overflow: t.Overflow}
		if t.FromAgent != nil {
			f.FromAgentID, f.FromAgentName = t.FromAgent.ID, t.FromAgent.Name
		}
		if t.Kind == sb.TransferToAgent {
			f.Kind = "agent"
			if t.ToAgent != nil {
				f.ToAgentID, f.ToAgentName = t.ToAgent.ID, t.ToAgent.Name
			}
			switch {
			case t.CompletedAt != nil:
				f.Success = true
				f.PickedUpAt = utc(*t.CompletedAt)
				f.DurationMS = ptr(ms(t.CompletedAt.Sub(t.StartedAt)))
			case t.FailedAt != nil:
				f.FailedAt = utc(*t.FailedAt)
				f.FailureMS = ptr(ms(t.FailedAt.Sub(t.StartedAt)))
				f.FailReason = t.FailReason
			}
			out = append(out, f)
			continue
		}
		f.Kind = "group"
		if t.ToQueue != nil {
			f.ToGroupID, f.ToGroupName = t.ToQueue.ID, t.ToQueue.Name
		}
		i := slices.IndexFunc(s.QueueWaits, func(w sb.QueueWait) bool { return w.TransferID == t.ID })
		if i >= 0 && s.QueueWaits[i].EndedAt != nil {
			w := s.QueueWaits[i]
			end := *w.EndedAt
			switch w.Outcome {
			case sb.WaitAssigned:
				f.Success = true
				f.ToAgentID = w.AgentID
				for _, h := range s.Handles {
					if h.Agent.ID == w.AgentID && h.AssignedAt.Equal(end) {
						f.ToAgentName = h.Agent.Name
					}
				}
				f.PickedUpAt = utc(end)
				f.QueueMS = ptr(ms(end.Sub(w.StartedAt)))
				f.DurationMS = ptr(ms(end.Sub(t.StartedAt)))
			default:
				f.FailedAt = utc(end)
				f.QueueMS = ptr(ms(end.Sub(w.StartedAt)))
				f.FailureMS = ptr(ms(end.Sub(t.StartedAt)))
				f.FailReason = waitOutcome(w)
			}
		}
		out = append(out, f)
	}
	return out
}

// handleMS is an agent's handle time in one serve: from connection (or
// assignment) to wrap-up (or the serve's end); 0 while it is open.
func handleMS(h sb.HandleSegment) int64 {
	start := h.AssignedAt
	if h.ConnectedAt != nil {
		start = *h.ConnectedAt
	}
	end := h.EndedAt
	if h.WrapUpAt != nil {
		end = h.WrapUpAt
	}
	if end == nil || end.Before(start) {
		return 0
	}
	return ms(end.Sub(start))
}

// holdMS is a hold's length; a hold still on counts up to now.
func holdMS(h sb.Hold, now time.Time) int64 {
	end := now
	if h.EndedAt != nil {
		end = *h.EndedAt
	}
	return ms(end.Sub(h.StartedAt))
}

func utc(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

func ptr[T any](v T) *T { return &v }
