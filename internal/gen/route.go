package gen

import (
	"encoding/json"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// observe keeps the agents' loads in step with the sessions, as the
// dispatcher does: an agent who stops handling a session is released, a
// new handler is counted.
func (w *world) observe(before, after *sb.Session, now time.Time) {
	var hb, ha int64
	if before != nil {
		if h := before.CurrentHandle(); h != nil {
			hb = h.Agent.ID
		}
	}
	if h := after.CurrentHandle(); h != nil {
		ha = h.Agent.ID
	}
	if hb == ha {
		return
	}
	if a := w.agents[hb]; a != nil {
		a.load--
		a.freedAt = now
	}
	if a := w.agents[ha]; a != nil {
		a.load++
	}
}

// assign picks the member of queue who gets a waiting session, by the
// router's rules (least loaded under capacity, then the longest idle, then
// the lowest ID), and returns the assign command with the router's reasons.
// All members count as online. ok is false when every member is at capacity.
func (w *world) assign(queue int64, waitedSince, now time.Time) (cmd *lifecycle.Assign, ok bool) {
	members := w.members[queue]
	cands := make([]routing.Candidate, len(members))
	var chosen *agent
	rule, eligible := "", 0
	for i, m := range members {
		cands[i] = routing.Candidate{AgentID: m.ref.ID, Status: routing.Online, Load: m.load, Capacity: m.capacity}
		if m.load >= m.capacity {
			cands[i].Passed = routing.PassedCapacity
			continue
		}
		eligible++
		switch {
		case chosen == nil:
			chosen, rule = m, routing.RuleOnlyOne
		case m.load < chosen.load:
			chosen, rule = m, routing.RuleLeastLoad
		case m.load == chosen.load && m.freedAt.Before(chosen.freedAt):
			chosen, rule = m, routing.RuleLongestIdle
		}
	}
	if chosen == nil {
		return nil, false
	}
	if eligible > 1 && rule == routing.RuleOnlyOne {
		rule = routing.RuleLeastLoad
	}
	for i, m := range members {
		switch {
		case cands[i].Passed != "" || m == chosen:
		case m.load > chosen.load:
			cands[i].Passed = routing.PassedLoad
		case m.freedAt.Equal(chosen.freedAt):
			cands[i].Passed = routing.PassedTie
		default:
			cands[i].Passed = routing.PassedIdle
		}
	}
	why, _ := json.Marshal(routing.Why{Rule: rule, WaitedMS: now.Sub(waitedSince).Milliseconds(), Candidates: cands})
	return &lifecycle.Assign{AgentID: chosen.ref.ID, Rule: rule, Why: why}, true
}

// colleague picks an agent to transfer a session to: the least loaded
// member of queue other than not (every group has several members).
func (w *world) colleague(queue int64, not int64) *agent {
	var best *agent
	for _, m := range w.members[queue] {
		if m.ref.ID == not {
			continue
		}
		if best == nil || m.load < best.load {
			best = m
		}
	}
	return best
}
