package routing

import "fmt"

// Reasons routing refuses an agent a session (Refusal.Reason).
const (
	// RefusedNotMember: the session waits in a group the agent is not a
	// member of.
	RefusedNotMember = "not_group_member"
	// RefusedNotWorking: the agent's status is not online or invisible,
	// or routing does not know the agent.
	RefusedNotWorking = "agent_unavailable"
	// RefusedAtCapacity: the agent handles its maximum of sessions.
	RefusedAtCapacity = "at_capacity"
)

// Refusal says why routing refuses an agent a session, with what the
// reason depends on.
type Refusal struct {
	Reason  string
	AgentID int64
	// GroupID is the group the session waits in (RefusedNotMember).
	GroupID int64
	// Status is the agent's status (RefusedNotWorking; "" for an agent
	// routing does not know).
	Status Status
	// Load and Capacity are the agent's (RefusedAtCapacity).
	Load, Capacity int
}

// Error implements error.
func (e *Refusal) Error() string {
	switch e.Reason {
	case RefusedNotMember:
		return fmt.Sprintf("agent %d is not a member of group %d", e.AgentID, e.GroupID)
	case RefusedNotWorking:
		if e.Status == "" {
			return fmt.Sprintf("agent %d is not known to routing", e.AgentID)
		}
		return fmt.Sprintf("agent %d is %s", e.AgentID, e.Status)
	case RefusedAtCapacity:
		return fmt.Sprintf("agent %d handles %d of at most %d sessions", e.AgentID, e.Load, e.Capacity)
	}
	return fmt.Sprintf("agent %d: %s", e.AgentID, e.Reason)
}

// CanTake reports whether an agent has room for one more session: nil, or
// a *Refusal (at capacity, or an agent routing does not know). Every
// assignment that does not come from the router itself is checked with it
// (a supervisor's, a transfer), so no agent goes above its capacity
// whichever way a session comes; the router's own decisions never do.
func (r *Router) CanTake(agentID int64) error {
	a, ok := r.agents[agentID]
	if !ok {
		return &Refusal{Reason: RefusedNotWorking, AgentID: agentID}
	}
	if a.load >= a.capacity {
		return &Refusal{Reason: RefusedAtCapacity, AgentID: agentID, Load: a.load, Capacity: a.capacity}
	}
	return nil
}

// CanPickUp reports whether an agent may pick up by itself (accept) a
// session waiting in a group: it must be a member of the group, online or
// invisible (whatever the only-online-agents setting, which is about
// automatic assignment), and have room for one more session. It returns
// nil or a *Refusal, in that order of reasons.
func (r *Router) CanPickUp(agentID, groupID int64) error {
	a, ok := r.agents[agentID]
	if !ok {
		return &Refusal{Reason: RefusedNotWorking, AgentID: agentID}
	}
	member := false
	for _, g := range a.groups {
		member = member || g.id == groupID
	}
	if !member {
		return &Refusal{Reason: RefusedNotMember, AgentID: agentID, GroupID: groupID}
	}
	if a.status != Online && a.status != Invisible {
		return &Refusal{Reason: RefusedNotWorking, AgentID: agentID, Status: a.status}
	}
	return r.CanTake(agentID)
}
