package routing

import (
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func mustAgent(t *testing.T, r *Router, id int64, capacity int, groups ...int64) {
	t.Helper()
	if _, err := r.SetAgent(AgentConfig{ID: id, Capacity: capacity, Groups: groups}, t0); err != nil {
		t.Fatal(err)
	}
}

func online(t *testing.T, r *Router, id int64, now time.Time) []Decision {
	t.Helper()
	ds, err := r.SetStatus(id, Online, now)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func enqueue(t *testing.T, r *Router, w Waiting) []Decision {
	t.Helper()
	ds, err := r.Enqueue(w, w.Since)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func sessions(ds []Decision) []int64 {
	var out []int64
	for _, d := range ds {
		out = append(out, d.SessionID)
	}
	return out
}

func eq[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

// Within a queue, higher customer levels go first, then the longest wait.
func TestQueueOrderLevelThenLongestWait(t *testing.T) {
	r := New(Settings{})
	mustAgent(t, r, 1, 5, 10)
	enqueue(t, r, Waiting{SessionID: 1, GroupID: 10, Since: at(0)})
	enqueue(t, r, Waiting{SessionID: 2, GroupID: 10, Since: at(1), Level: 3})
	enqueue(t, r, Waiting{SessionID: 3, GroupID: 10, Since: at(2)})
	enqueue(t, r, Waiting{SessionID: 4, GroupID: 10, Since: at(3), Level: 9})
	enqueue(t, r, Waiting{SessionID: 5, GroupID: 10, Since: at(3), Level: 3})
	if pos, n, g, _ := r.Position(1); pos != 4 || n != 5 || g != 10 {
		t.Errorf("position of session 1 = %d of %d, want 4 of 5", pos, n)
	}
	ds := online(t, r, 1, at(10))
	eq(t, "assignment order", sessions(ds), []int64{4, 2, 5, 1, 3})
	if ds[0].Why.WaitedMS != 7000 || ds[0].Why.Level != 9 {
		t.Errorf("why = %+v", ds[0].Why)
	}
}

// An agent is never above capacity; the rest waits until capacity frees.
func TestCapacityIsNeverExceeded(t *testing.T) {
	r := New(Settings{})
	mustAgent(t, r, 1, 2, 10)
	online(t, r, 1, t0)
	for i := int64(1); i <= 4; i++ {
		enqueue(t, r, Waiting{SessionID: i, GroupID: 10, Since: at(int(i))})
	}
	if load, capacity := r.Load(1); load != 2 || capacity != 2 || r.Waiting(10) != 2 {
		t.Fatalf("load %d/%d, waiting %d", load, capacity, r.Waiting(10))
	}
	ds := r.Release(1, 1, at(20))
	eq(t, "after a release", sessions(ds), []int64{3})
	if ds := r.Release(1, 99, at(21)); ds != nil {
		t.Errorf("releasing a session the agent does not hold decided %v", ds)
	}
	// Raising the capacity picks up the rest at once.
	ds, _ = r.SetAgent(AgentConfig{ID: 1, Capacity: 5, Groups: []int64{10}}, at(22))
	eq(t, "after raising capacity", sessions(ds), []int64{4})
}

// The least loaded member wins; on equal load, the longest idle; every
// other member's reason is recorded.
func TestChoiceLeastLoadThenLongestIdle(t *testing.T) {
	r := New(Settings{})
	for id := int64(1); id <= 4; id++ {
		mustAgent(t, r, id, 3, 10)
	}
	online(t, r, 1, at(0))
	online(t, r, 2, at(5))
	online(t, r, 3, at(1)) // idle since 1 s: longer than agent 2
	// Agent 4 stays away.
	if _, err := r.SetStatus(4, Away, at(0)); err != nil {
		t.Fatal(err)
	}
	r.Hold(1, 100) // agent 1 is busier
	ds := enqueue(t, r, Waiting{SessionID: 7, GroupID: 10, Since: at(30)})
	if len(ds) != 1 || ds[0].AgentID != 3 || ds[0].Why.Rule != RuleLongestIdle {
		t.Fatalf("decision %+v", ds)
	}
	passed := map[int64]string{}
	for _, c := range ds[0].Why.Candidates {
		passed[c.AgentID] = c.Passed
	}
	want := map[int64]string{1: PassedLoad, 2: PassedIdle, 3: "", 4: PassedStatus}
	for id, p := range want {
		if passed[id] != p {
			t.Errorf("agent %d passed %q, want %q", id, passed[id], p)
		}
	}
	ds = enqueue(t, r, Waiting{SessionID: 8, GroupID: 10, Since: at(31)})
	if ds[0].AgentID != 2 || ds[0].Why.Rule != RuleLeastLoad {
		t.Errorf("second decision %+v", ds[0])
	}
}

func TestFamiliarCustomerFirst(t *testing.T) {
	r := New(Settings{Familiar: FamiliarLast})
	mustAgent(t, r, 1, 3, 10)
	mustAgent(t, r, 2, 3, 10)
	online(t, r, 1, at(0))
	online(t, r, 2, at(1))
	r.Hold(2, 50) // agent 2 is busier but served this customer last
	ds := enqueue(t, r, Waiting{SessionID: 7, GroupID: 10, Since: at(5), LastAgentID: 2, MostServedAgentID: 1})
	if ds[0].AgentID != 2 || ds[0].Why.Rule != RuleFamiliarLast || ds[0].Why.Candidates[0].Passed != PassedNotFamilar {
		t.Fatalf("decision %+v", ds[0])
	}
	// The familiar agent is unavailable: the usual choice applies.
	r.SetStatus(2, Busy, at(6))
	ds = enqueue(t, r, Waiting{SessionID: 8, GroupID: 10, Since: at(7), LastAgentID: 2})
	if ds[0].AgentID != 1 {
		t.Fatalf("decision %+v", ds[0])
	}
	r.SetSettings(Settings{Familiar: FamiliarMost})
	ds = enqueue(t, r, Waiting{SessionID: 9, GroupID: 10, Since: at(8), LastAgentID: 2, MostServedAgentID: 1})
	if ds[0].AgentID != 1 || ds[0].Why.Rule != RuleFamiliarMost {
		t.Fatalf("decision %+v", ds[0])
	}
}

func TestStatusesThatWork(t *testing.T) {
	for _, c := range []struct {
		status   Status
		settings Settings
		gets     bool
	}{
		{Online, Settings{}, true},
		{Invisible, Settings{}, true},
		{Busy, Settings{}, false},
		{Away, Settings{}, false},
		{Offline, Settings{}, false},
		{Offline, Settings{IncludeOffline: true}, true},
		{Busy, Settings{IncludeOffline: true}, false},
	} {
		r := New(c.settings)
		mustAgent(t, r, 1, 1, 10)
		r.SetStatus(1, c.status, t0)
		ds := enqueue(t, r, Waiting{SessionID: 1, GroupID: 10, Since: at(1)})
		if got := len(ds) == 1; got != c.gets {
			t.Errorf("%s %+v: assigned %v, want %v", c.status, c.settings, got, c.gets)
		}
	}
}

func TestOnlyDuringWorkHours(t *testing.T) {
	r := New(Settings{OnlyWorkHours: true})
	open := false
	r.InWorkHours = func(g int64, t time.Time) bool { return open }
	mustAgent(t, r, 1, 2, 10)
	online(t, r, 1, t0)
	if ds := enqueue(t, r, Waiting{SessionID: 1, GroupID: 10, Since: at(1)}); len(ds) != 0 {
		t.Fatalf("assigned after hours: %v", ds)
	}
	open = true
	ds := r.Release(1, 0, at(2)) // nothing to release: no dispatch
	if len(ds) != 0 {
		t.Fatalf("release of nothing decided %v", ds)
	}
	ds = online(t, r, 1, at(3))
	eq(t, "in work hours", sessions(ds), []int64{1})
}

// An agent picks up only from its own groups, only while online or
// invisible, and only with room left; capacity holds for every taker.
func TestPickUpChecks(t *testing.T) {
	r := New(Settings{IncludeOffline: true})
	mustAgent(t, r, 1, 2, 10)
	mustAgent(t, r, 2, 1, 20)
	refused := func(err error, reason string) *Refusal {
		t.Helper()
		ref, ok := err.(*Refusal)
		if !ok || ref.Reason != reason {
			t.Fatalf("got %v, want a %s refusal", err, reason)
		}
		return ref
	}
	// Offline, even though offline agents get sessions automatically here.
	if ref := refused(r.CanPickUp(1, 10), RefusedNotWorking); ref.Status != Offline || ref.AgentID != 1 {
		t.Errorf("refusal %+v", ref)
	}
	for _, st := range []Status{Busy, Away} {
		if _, err := r.SetStatus(1, st, t0); err != nil {
			t.Fatal(err)
		}
		refused(r.CanPickUp(1, 10), RefusedNotWorking)
	}
	if _, err := r.SetStatus(1, Invisible, t0); err != nil {
		t.Fatal(err)
	}
	if err := r.CanPickUp(1, 10); err != nil {
		t.Errorf("an invisible member with room: %v", err)
	}
	online(t, r, 1, t0)
	if ref := refused(r.CanPickUp(1, 20), RefusedNotMember); ref.GroupID != 20 {
		t.Errorf("refusal %+v", ref)
	}
	if err := r.CanPickUp(1, 10); err != nil || r.CanTake(1) != nil {
		t.Errorf("an online member with room: %v", err)
	}
	for s := int64(1); s <= 2; s++ {
		if err := r.Hold(1, s); err != nil {
			t.Fatal(err)
		}
	}
	if ref := refused(r.CanPickUp(1, 10), RefusedAtCapacity); ref.Load != 2 || ref.Capacity != 2 {
		t.Errorf("refusal %+v", ref)
	}
	refused(r.CanTake(1), RefusedAtCapacity)
	r.Release(1, 2, at(1))
	if err := r.CanTake(1); err != nil {
		t.Errorf("after a release: %v", err)
	}
	// Status and groups do not matter for CanTake; an unknown agent cannot take.
	if err := r.CanTake(2); err != nil {
		t.Errorf("an offline agent outside the group with room: %v", err)
	}
	if ref := refused(r.CanTake(9), RefusedNotWorking); ref.Status != "" {
		t.Errorf("refusal %+v", ref)
	}
	refused(r.CanPickUp(9, 10), RefusedNotWorking)
}

func TestInputChecks(t *testing.T) {
	r := New(Settings{})
	if _, err := r.SetAgent(AgentConfig{ID: 1, Capacity: 100}, t0); err == nil {
		t.Error("capacity 100 accepted")
	}
	if _, err := r.SetAgent(AgentConfig{ID: 1, Capacity: 0}, t0); err == nil {
		t.Error("capacity 0 accepted")
	}
	if _, err := r.SetStatus(9, Online, t0); err == nil {
		t.Error("status of an unknown agent accepted")
	}
	enqueue(t, r, Waiting{SessionID: 1, GroupID: 1, Since: t0})
	if _, err := r.Enqueue(Waiting{SessionID: 1, GroupID: 2, Since: t0}, t0); err == nil {
		t.Error("a session was queued twice")
	}
	if _, err := r.Enqueue(Waiting{SessionID: 2, GroupID: 2, Since: t0, Level: 10}, t0); err == nil {
		t.Error("level 10 accepted")
	}
}

// Random operations keep the invariants: no agent above capacity, no
// session held by two agents, and no session left waiting in a group while
// a member could take it.
func TestInvariantsUnderRandomOperations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := New(Settings{Familiar: FamiliarLast})
	const agents, groups = 12, 4
	for id := int64(1); id <= agents; id++ {
		gs := []int64{id%groups + 1, rng.Int64N(groups) + 1}
		mustAgent(t, r, id, 1+rng.IntN(3), gs...)
	}
	holder := map[int64]int64{} // session → agent
	next := int64(1)
	now := t0
	statuses := []Status{Online, Invisible, Busy, Away, Offline}
	for step := 0; step < 5000; step++ {
		now = now.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
		var ds []Decision
		switch op := rng.IntN(10); {
		case op < 4:
			var err error
			ds, err = r.Enqueue(Waiting{SessionID: next, GroupID: rng.Int64N(groups) + 1, Since: now,
				Level: rng.IntN(10), LastAgentID: rng.Int64N(agents + 1)}, now)
			if err != nil {
				t.Fatal(err)
			}
			next++
		case op < 6:
			ds, _ = r.SetStatus(rng.Int64N(agents)+1, statuses[rng.IntN(len(statuses))], now)
		case op < 9:
			for s, a := range holder {
				ds = r.Release(a, s, now)
				delete(holder, s)
				break
			}
		default:
			r.Remove(rng.Int64N(next) + 1)
		}
		for _, d := range ds {
			if a, ok := holder[d.SessionID]; ok {
				t.Fatalf("step %d: session %d given to agent %d while agent %d holds it", step, d.SessionID, d.AgentID, a)
			}
			holder[d.SessionID] = d.AgentID
		}
		for _, a := range r.agents {
			if a.load > a.capacity || a.load != len(a.sessions) {
				t.Fatalf("step %d: agent %d load %d capacity %d sessions %d", step, a.id, a.load, a.capacity, len(a.sessions))
			}
		}
		for _, g := range r.groups {
			if len(g.queue) == 0 {
				continue
			}
			for _, m := range g.members {
				if r.works(m) && m.load < m.capacity {
					t.Fatalf("step %d: group %d has %d waiting while agent %d is free", step, g.id, len(g.queue), m.id)
				}
			}
		}
	}
}

// The agent a routing rule names comes first when it can take the session,
// ahead of the familiar agent and of load.
func TestPreferredAgentFirst(t *testing.T) {
	r := New(Settings{Familiar: FamiliarLast})
	mustAgent(t, r, 1, 3, 10)
	mustAgent(t, r, 2, 3, 10)
	online(t, r, 1, at(0))
	online(t, r, 2, at(0))
	r.Hold(2, 50)
	ds := enqueue(t, r, Waiting{SessionID: 7, GroupID: 10, Since: at(5), PreferredAgentID: 2, LastAgentID: 1})
	if ds[0].AgentID != 2 || ds[0].Why.Rule != RulePreferred || ds[0].Why.Candidates[0].Passed != PassedNotNamed {
		t.Fatalf("decision %+v", ds[0])
	}
	r.SetStatus(2, Away, at(6))
	ds = enqueue(t, r, Waiting{SessionID: 8, GroupID: 10, Since: at(7), PreferredAgentID: 2})
	if ds[0].AgentID != 1 {
		t.Errorf("with the named agent away: %+v", ds[0])
	}
}

// The estimated wait is the position times the pace at which the group's
// last sessions left its queue, and there is none while no member can take
// sessions or the group is closed to assignment.
func TestEstimatedWait(t *testing.T) {
	r := New(Settings{OnlyWorkHours: true})
	closed := false
	r.InWorkHours = func(int64, time.Time) bool { return !closed }
	mustAgent(t, r, 1, 1, 10)
	if _, why := r.EstimatedWait(10, 1, t0); why != NoEstimateNoAgent {
		t.Fatalf("with the only member offline: %q", why)
	}
	online(t, r, 1, t0)
	if _, why := r.EstimatedWait(10, 1, t0); why != NoEstimatePace {
		t.Fatalf("an estimate without any history: %q", why)
	}
	// Sessions are taken every 30 s.
	for i := int64(0); i < 4; i++ {
		now := at(int(30 * i))
		enqueue(t, r, Waiting{SessionID: i + 1, GroupID: 10, Since: now})
		r.Release(1, i+1, now.Add(time.Second))
	}
	enqueue(t, r, Waiting{SessionID: 10, GroupID: 10, Since: at(100)}) // taken at once
	enqueue(t, r, Waiting{SessionID: 11, GroupID: 10, Since: at(101)})
	enqueue(t, r, Waiting{SessionID: 12, GroupID: 10, Since: at(102)})
	pos, _, g, _ := r.Position(12)
	got, why := r.EstimatedWait(g, pos, at(103))
	// Taken at 0, 30, 60, 90 and 100 s: 25 s apart on average; position 2.
	if why != "" || got != 50*time.Second || pos != 2 {
		t.Errorf("estimate %s (%q) at position %d, want 50s at 2", got, why, pos)
	}
	if _, why := r.EstimatedWait(g, pos, at(100).Add(2*time.Hour)); why != NoEstimatePace {
		t.Errorf("an estimate from an hour-old pace: %q", why)
	}
	closed = true
	if _, why := r.EstimatedWait(g, pos, at(103)); why != NoEstimateClosed {
		t.Errorf("with the group closed: %q", why)
	}
	closed = false
	// The pace is recent, but the only member went away: no estimate.
	if _, err := r.SetStatus(1, Away, at(103)); err != nil {
		t.Fatal(err)
	}
	if got, why := r.EstimatedWait(g, pos, at(104)); why != NoEstimateNoAgent {
		t.Errorf("with the only member away: %s (%q)", got, why)
	}
}

// Queues reports each group's length and its longest wait, which is not
// the head's when a higher level jumped the queue.
func TestQueuesLongestWaitIsNotTheHead(t *testing.T) {
	r := New(Settings{})
	r.Group(3)
	enqueue(t, r, Waiting{SessionID: 1, GroupID: 2, Since: at(10)})
	enqueue(t, r, Waiting{SessionID: 2, GroupID: 2, Level: 9, Since: at(20)})
	enqueue(t, r, Waiting{SessionID: 3, GroupID: 1, Since: at(5)})
	got := r.Queues()
	want := []QueueStats{{GroupID: 1, Waiting: 1, Oldest: at(5)}, {GroupID: 2, Waiting: 2, Oldest: at(10)}, {GroupID: 3}}
	if len(got) != len(want) {
		t.Fatalf("Queues = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].GroupID != want[i].GroupID || got[i].Waiting != want[i].Waiting || !got[i].Oldest.Equal(want[i].Oldest) {
			t.Fatalf("Queues = %+v, want %+v", got, want)
		}
	}
	r.Remove(1)
	if q := r.Queues()[1]; q.Waiting != 1 || !q.Oldest.Equal(at(20)) {
		t.Fatalf("after the oldest left: %+v", q)
	}
}
