// Package routing decides which agent gets which waiting session. It is the
// one owner of routing state (DESIGN §3): groups with their queues, agents
// with their status and load. It does no I/O and reads no clock; the engine
// owns it, feeds it every change in order, and records each decision with
// the reason the router gives. It is not safe for concurrent use.
package routing

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// Status is an agent's availability.
type Status string

// Agent statuses (SPEC §2.1): online and invisible agents work (invisible
// ones look offline to visitors); busy and away agents get no new sessions.
const (
	Online    Status = "online"
	Invisible Status = "invisible"
	Busy      Status = "busy"
	Away      Status = "away"
	Offline   Status = "offline"
)

// Familiar-customer modes (SPEC §4.3).
const (
	FamiliarOff  = ""
	FamiliarLast = "last_agent"
	FamiliarMost = "most_served"
)

// Settings are the routing switches of SPEC §4.3.
type Settings struct {
	// Familiar sends a returning customer to the agent who served them last
	// or most, when that agent can take the session.
	Familiar string
	// OnlyWorkHours assigns automatically only during the group's work hours.
	OnlyWorkHours bool
	// IncludeOffline lets agents who are logged out (offline) receive
	// sessions too; busy and away agents never do.
	IncludeOffline bool
}

// Router holds the routing state.
type Router struct {
	settings Settings
	// InWorkHours reports whether a group is in its work hours at t; nil
	// means always.
	InWorkHours func(groupID int64, t time.Time) bool
	// Changes, when set, is incremented on every change to the queues, the
	// agents or the settings, so that goroutines other than the owner can
	// tell a Snapshot is out of date. A router that replaces another may
	// share its counter, which then never goes back.
	Changes *atomic.Uint64

	groups  map[int64]*group
	agents  map[int64]*agent
	waiting map[int64]*entry
	arrived uint64
	paused  bool
}

// Pause stops decisions while the state is loaded in bulk (a rebuild), so
// that sessions are not assigned in load order instead of queue order.
func (r *Router) Pause() { r.paused = true }

// Resume allows decisions again and returns those the loaded state calls
// for, group by group in ID order.
func (r *Router) Resume(now time.Time) []Decision {
	r.paused = false
	ids := make([]int64, 0, len(r.groups))
	for id := range r.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []Decision
	for _, id := range ids {
		out = append(out, r.dispatchGroup(r.groups[id], now)...)
	}
	return out
}

type group struct {
	id      int64
	members []*agent // sorted by ID, for deterministic decisions
	queue   waitQueue
	// served holds when the group's last sessions were taken from its
	// queue, oldest first, for the estimated wait.
	served []time.Time
}

// throughputSamples is how many recent assignments estimate a queue's pace.
const throughputSamples = 20

func (g *group) took(now time.Time) {
	g.served = append(g.served, now)
	if len(g.served) > throughputSamples {
		g.served = g.served[1:]
	}
}

type agent struct {
	id       int64
	status   Status
	capacity int
	load     int
	// freedAt is when the agent last became free of a session or came
	// online: "longest idle" picks the earliest.
	freedAt  time.Time
	groups   []*group
	sessions map[int64]bool
}

// New returns an empty router.
func New(s Settings) *Router {
	return &Router{settings: s, groups: map[int64]*group{}, agents: map[int64]*agent{}, waiting: map[int64]*entry{}}
}

// SetSettings changes the routing switches.
func (r *Router) SetSettings(s Settings) {
	r.settings = s
	r.changed()
}

// Decision assigns a session to an agent, with the reason.
type Decision struct {
	SessionID int64 `json:"session_id"`
	AgentID   int64 `json:"agent_id"`
	GroupID   int64 `json:"group_id"`
	Why       Why   `json:"why"`
}

// Why explains a decision: the rule that chose the agent and every member
// of the group considered, with why each other one was passed over.
type Why struct {
	Rule       string      `json:"rule"`
	Level      int         `json:"level"`
	WaitedMS   int64       `json:"waited_ms"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate is one member considered for a decision.
type Candidate struct {
	AgentID  int64  `json:"agent_id"`
	Status   Status `json:"status"`
	Load     int    `json:"load"`
	Capacity int    `json:"capacity"`
	// Passed says why the agent was not chosen ("" for the chosen one).
	Passed string `json:"passed,omitempty"`
}

// Decision rules.
const (
	RulePreferred    = "routing_rule_agent"
	RuleFamiliarLast = "familiar_last_agent"
	RuleFamiliarMost = "familiar_most_served"
	RuleLeastLoad    = "least_load"
	RuleLongestIdle  = "longest_idle"
	RuleOnlyOne      = "only_candidate"
)

// Reasons a member is passed over.
const (
	PassedStatus     = "status"
	PassedCapacity   = "at_capacity"
	PassedLoad       = "higher_load"
	PassedIdle       = "idle_less_long"
	PassedTie        = "tie_lower_id_first"
	PassedNotFamilar = "not_familiar"
	PassedNotNamed   = "not_the_named_agent"
)

// Group ensures a group exists.
func (r *Router) Group(id int64) {
	if _, ok := r.groups[id]; !ok {
		r.groups[id] = &group{id: id}
	}
}

// AgentConfig is what routing needs to know of an agent.
type AgentConfig struct {
	ID       int64
	Capacity int // maximum concurrent sessions, 1 to 99
	Groups   []int64
}

// SetAgent creates or updates an agent's capacity and groups. It returns the
// decisions this makes possible (more capacity, a new group).
func (r *Router) SetAgent(c AgentConfig, now time.Time) ([]Decision, error) {
	if c.Capacity < 1 || c.Capacity > 99 {
		return nil, fmt.Errorf("agent %d: capacity must be 1 to 99, not %d", c.ID, c.Capacity)
	}
	a, ok := r.agents[c.ID]
	if !ok {
		a = &agent{id: c.ID, status: Offline, sessions: map[int64]bool{}, freedAt: now}
		r.agents[c.ID] = a
	}
	a.capacity = c.Capacity
	r.changed()
	for _, g := range a.groups {
		g.members = slices.DeleteFunc(g.members, func(m *agent) bool { return m == a })
	}
	a.groups = a.groups[:0]
	ids := slices.Clone(c.Groups)
	slices.Sort(ids)
	for _, gid := range slices.Compact(ids) {
		r.Group(gid)
		g := r.groups[gid]
		i, _ := slices.BinarySearchFunc(g.members, a.id, func(m *agent, id int64) int { return cmpInt(m.id, id) })
		g.members = slices.Insert(g.members, i, a)
		a.groups = append(a.groups, g)
	}
	return r.dispatchAgent(a, now), nil
}

// SetStatus changes an agent's status and returns the decisions it makes
// possible (an agent coming online picks up waiting sessions).
func (r *Router) SetStatus(agentID int64, s Status, now time.Time) ([]Decision, error) {
	a, ok := r.agents[agentID]
	if !ok {
		return nil, fmt.Errorf("agent %d is not known to routing", agentID)
	}
	if a.status != s && !r.works(a) && (s == Online || s == Invisible) {
		a.freedAt = now
	}
	a.status = s
	r.changed()
	return r.dispatchAgent(a, now), nil
}

// Enqueue puts a session in its group's queue and returns the decision, if
// an agent can take it now.
func (r *Router) Enqueue(w Waiting, now time.Time) ([]Decision, error) {
	if _, ok := r.waiting[w.SessionID]; ok {
		return nil, fmt.Errorf("session %d is waiting already", w.SessionID)
	}
	if w.Level < 0 || w.Level > 9 {
		return nil, fmt.Errorf("session %d: level must be 0 to 9", w.SessionID)
	}
	r.Group(w.GroupID)
	g := r.groups[w.GroupID]
	r.arrived++
	e := &entry{Waiting: w, group: g, order: r.arrived}
	g.queue.add(e)
	r.waiting[w.SessionID] = e
	r.changed()
	return r.dispatchGroup(g, now), nil
}

// Remove takes a session out of its queue (abandoned, timed out, deflected).
// It reports whether the session was waiting.
func (r *Router) Remove(sessionID int64) bool {
	e, ok := r.waiting[sessionID]
	if !ok {
		return false
	}
	e.group.queue.remove(e)
	delete(r.waiting, sessionID)
	r.changed()
	return true
}

// Release frees an agent of a session (ended, transferred away) and returns
// the decisions the freed capacity makes possible.
func (r *Router) Release(agentID, sessionID int64, now time.Time) []Decision {
	a, ok := r.agents[agentID]
	if !ok || !a.sessions[sessionID] {
		return nil
	}
	delete(a.sessions, sessionID)
	a.load--
	a.freedAt = now
	return r.dispatchAgent(a, now)
}

// Hold records that an agent handles a session it got outside routing (an
// outbound call, a direct transfer), so its capacity counts it.
func (r *Router) Hold(agentID, sessionID int64) error {
	a, ok := r.agents[agentID]
	if !ok {
		return fmt.Errorf("agent %d is not known to routing", agentID)
	}
	if !a.sessions[sessionID] {
		a.sessions[sessionID] = true
		a.load++
	}
	return nil
}

func (r *Router) assign(e *entry, a *agent) {
	r.Remove(e.SessionID)
	a.sessions[e.SessionID] = true
	a.load++
}

func (r *Router) works(a *agent) bool {
	switch a.status {
	case Online, Invisible:
		return true
	case Offline:
		return r.settings.IncludeOffline
	}
	return false
}

func (r *Router) open(g *group, now time.Time) bool {
	return !r.settings.OnlyWorkHours || r.InWorkHours == nil || r.InWorkHours(g.id, now)
}

// dispatchGroup assigns the group's queue, head first, while members can
// take sessions.
func (r *Router) dispatchGroup(g *group, now time.Time) []Decision {
	if r.paused {
		return nil
	}
	var out []Decision
	for {
		e := g.queue.head()
		if e == nil || !r.open(g, now) {
			return out
		}
		d, ok := r.choose(e, now)
		if !ok {
			return out
		}
		out = append(out, d)
	}
}

// dispatchAgent gives an agent with free capacity the best waiting session
// of its groups, repeatedly. The best is the head that comes first in queue
// order across the groups; the agent is its only candidate, since any other
// free member would have had it already.
func (r *Router) dispatchAgent(a *agent, now time.Time) []Decision {
	if r.paused {
		return nil
	}
	var out []Decision
	for r.works(a) && a.load < a.capacity {
		var best *entry
		for _, g := range a.groups {
			if h := g.queue.head(); h != nil && r.open(g, now) && (best == nil || h.less(best)) {
				best = h
			}
		}
		if best == nil {
			return out
		}
		d, ok := r.choose(best, now)
		if !ok {
			return out
		}
		out = append(out, d)
	}
	return out
}

// choose picks the member who gets e, assigns it and explains why.
func (r *Router) choose(e *entry, now time.Time) (Decision, bool) {
	g := e.group
	cands := make([]Candidate, len(g.members))
	var chosen *agent
	rule := ""
	eligible := 0
	for i, m := range g.members {
		cands[i] = Candidate{AgentID: m.id, Status: m.status, Load: m.load, Capacity: m.capacity}
		switch {
		case !r.works(m):
			cands[i].Passed = PassedStatus
		case m.load >= m.capacity:
			cands[i].Passed = PassedCapacity
		default:
			eligible++
		}
	}
	if eligible == 0 {
		return Decision{}, false
	}
	// The agent a routing rule names, then the familiar agent.
	if e.PreferredAgentID != 0 {
		for i, m := range g.members {
			if m.id == e.PreferredAgentID && cands[i].Passed == "" {
				chosen, rule = m, RulePreferred
			}
		}
	}
	if fam := r.familiar(e); fam != 0 && chosen == nil {
		for i, m := range g.members {
			if m.id == fam && cands[i].Passed == "" {
				chosen, rule = m, RuleFamiliarLast
				if r.settings.Familiar == FamiliarMost {
					rule = RuleFamiliarMost
				}
			}
		}
	}
	if chosen == nil {
		for i, m := range g.members {
			if cands[i].Passed != "" {
				continue
			}
			switch {
			case chosen == nil:
				chosen, rule = m, RuleOnlyOne
			case m.load < chosen.load:
				chosen, rule = m, RuleLeastLoad
			case m.load == chosen.load && m.freedAt.Before(chosen.freedAt):
				chosen, rule = m, RuleLongestIdle
			}
		}
		if eligible > 1 && rule == RuleOnlyOne {
			rule = RuleLeastLoad // everyone tied: the lowest ID among the least loaded
		}
	}
	for i, m := range g.members {
		switch {
		case cands[i].Passed != "" || m == chosen:
		case rule == RulePreferred:
			cands[i].Passed = PassedNotNamed
		case rule == RuleFamiliarLast || rule == RuleFamiliarMost:
			cands[i].Passed = PassedNotFamilar
		case m.load > chosen.load:
			cands[i].Passed = PassedLoad
		case m.freedAt.Equal(chosen.freedAt):
			cands[i].Passed = PassedTie
		default:
			cands[i].Passed = PassedIdle
		}
	}
	d := Decision{SessionID: e.SessionID, AgentID: chosen.id, GroupID: g.id,
		Why: Why{Rule: rule, Level: e.Level, WaitedMS: now.Sub(e.Since).Milliseconds(), Candidates: cands}}
	g.took(now) // the assignment's Remove counts the change
	r.assign(e, chosen)
	return d, true
}

func (r *Router) familiar(e *entry) int64 {
	switch r.settings.Familiar {
	case FamiliarLast:
		return e.LastAgentID
	case FamiliarMost:
		return e.MostServedAgentID
	}
	return 0
}

// Dispatch assigns a group's waiting sessions while members can take them,
// for example when the group's work hours begin.
func (r *Router) Dispatch(groupID int64, now time.Time) []Decision {
	g, ok := r.groups[groupID]
	if !ok {
		return nil
	}
	return r.dispatchGroup(g, now)
}

// Position returns a waiting session's place in its queue (1 = next), the
// queue's length and its group. Reading it walks the queue: O(n).
func (r *Router) Position(sessionID int64) (pos, length int, groupID int64, ok bool) {
	e, ok := r.waiting[sessionID]
	if !ok {
		return 0, 0, 0, false
	}
	pos = 1
	for _, o := range e.group.queue {
		if o != e && o.less(e) {
			pos++
		}
	}
	return pos, len(e.group.queue), e.group.id, true
}

// Reasons EstimatedWait gives no estimate.
const (
	// NoEstimateNoAgent: no member of the group may take sessions now
	// (none online or invisible, or offline where offline agents work).
	NoEstimateNoAgent = "no_agent_available"
	// NoEstimateClosed: the group is outside its work hours and assigns
	// only in them.
	NoEstimateClosed = "outside_work_hours"
	// NoEstimatePace: the group took fewer than two sessions lately (the
	// last over an hour ago), so its pace is unknown.
	NoEstimatePace = "pace_unknown"
)

// EstimatedWait estimates how long a session at position pos of a group's
// queue will still wait: pos divided by the pace at which the group's
// last sessions were taken from the queue. When it cannot tell, it returns
// why (a NoEstimate reason); why is "" for an estimate. A past pace says
// nothing while no member can take the sessions, or while the group is
// closed to assignment.
func (r *Router) EstimatedWait(groupID int64, pos int, now time.Time) (wait time.Duration, why string) {
	g, ok := r.groups[groupID]
	if !ok {
		return 0, NoEstimateNoAgent
	}
	var first, last time.Time
	if len(g.served) > 0 {
		first, last = g.served[0], g.served[len(g.served)-1]
	}
	return estimate(slices.ContainsFunc(g.members, r.works), r.open(g, now), first, last, len(g.served), pos, now)
}

// Waiting returns how many sessions wait in a group.
func (r *Router) Waiting(groupID int64) int {
	if g, ok := r.groups[groupID]; ok {
		return len(g.queue)
	}
	return 0
}

// Load returns an agent's current load and capacity.
func (r *Router) Load(agentID int64) (load, capacity int) {
	if a, ok := r.agents[agentID]; ok {
		return a.load, a.capacity
	}
	return 0, 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// QueueStats is a group's queue at a glance: how many sessions wait and
// since when the longest-waiting one does.
type QueueStats struct {
	GroupID int64
	Waiting int
	// Oldest is when the session waiting longest began to wait; zero when
	// none waits.
	Oldest time.Time
}

// Queues returns the stats of every group routing knows, by group ID. It
// walks every queue (the longest wait is not always at the head, which
// goes by level first): O(groups + waiting sessions).
func (r *Router) Queues() []QueueStats {
	out := make([]QueueStats, 0, len(r.groups))
	for id, g := range r.groups {
		st := QueueStats{GroupID: id, Waiting: len(g.queue)}
		for _, e := range g.queue {
			if st.Oldest.IsZero() || e.Since.Before(st.Oldest) {
				st.Oldest = e.Since
			}
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b QueueStats) int { return cmpInt(a.GroupID, b.GroupID) })
	return out
}
