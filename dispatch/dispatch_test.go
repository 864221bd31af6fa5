package dispatch_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	dir   string
	clock *clock.Virtual
	a     *app.App
}

func open(t *testing.T, dir string, c *clock.Virtual) *env {
	t.Helper()
	a, err := app.Open(context.Background(), app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		Clock: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MetadataDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &env{t: t, dir: dir, clock: c, a: a}
}

// newEnv has two queues (1 Support, 2 Sales) and agents 1 and 2 in Support
// with room for two sessions each, both offline.
func newEnv(t *testing.T) *env {
	e := open(t, t.TempDir(), clock.NewVirtual(t0))
	ctx := context.Background()
	for _, q := range []string{"Support", "Sales"} {
		if _, err := e.a.Directory.SaveQueue(ctx, sb.Queue{Name: q}); err != nil {
			t.Fatal(err)
		}
	}
	agents := e.a.API.Config.Routing
	for _, a := range []sb.Agent{
		{Name: "Noam B", Email: "noam@example.com", Groups: []int64{1}, MaxConcurrent: 2},
		{Name: "Alex B", Email: "alex@example.com", Groups: []int64{1}, MaxConcurrent: 2},
	} {
		if _, err := agents.SaveAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) status(agent int64, s sb.AgentStatus) {
	e.t.Helper()
	if _, err := e.a.API.Config.Routing.SetAgentStatus(context.Background(), agent, s); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) chat(queue int64) int64 {
	e.t.Helper()
	res, err := e.a.Engine.Create(context.Background(), &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: queue}, sb.Actor{Kind: sb.ActorIntegration})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Session.ID
}

func (e *env) do(id int64, cmd lifecycle.Command) *sb.Session {
	e.t.Helper()
	res, err := e.a.Engine.Execute(context.Background(), id, cmd, sb.Actor{Kind: sb.ActorIntegration}, nil)
	if err != nil {
		e.t.Fatalf("%s on %d: %v", cmd.Name(), id, err)
	}
	return res.Session
}

func (e *env) session(id int64) *sb.Session {
	e.t.Helper()
	s, err := e.a.DB.Session(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// agentOf returns who handles a session now (0: nobody).
func (e *env) agentOf(id int64) int64 {
	if h := e.session(id).CurrentHandle(); h != nil {
		return h.Agent.ID
	}
	return 0
}

func TestWaitingSessionsAreAssignedWhenAnAgentComesOnline(t *testing.T) {
	e := newEnv(t)
	s1, s2, s3 := e.chat(1), e.chat(1), e.chat(1)
	if st := e.session(s1).Status; st != sb.StatusQueued {
		t.Fatalf("with every agent offline the session is %s", st)
	}
	pos, err := e.a.API.Config.Routing.QueuePosition(context.Background(), s3, 0)
	if err != nil || pos.Position != 3 || pos.Waiting != 3 || pos.QueueID != 1 {
		t.Fatalf("position %+v %v", pos, err)
	}
	e.clock.Advance(time.Minute)
	e.status(1, sb.AgentOnline)
	// Noam takes two (his capacity), oldest first; the third keeps waiting.
	if e.agentOf(s1) != 1 || e.agentOf(s2) != 1 || e.agentOf(s3) != 0 {
		t.Fatalf("holders %d %d %d", e.agentOf(s1), e.agentOf(s2), e.agentOf(s3))
	}
	why := e.why(s1)
	if rule := e.session(s1).Handles[0].RoutingRule; rule != why.Rule {
		t.Errorf("the handle says rule %q, the event %q", rule, why.Rule)
	}
	if why.Rule != routing.RuleLeastLoad && why.Rule != routing.RuleOnlyOne || why.WaitedMS != 60000 || len(why.Candidates) != 2 {
		t.Errorf("why = %+v", why)
	}
	if why.Candidates[1].AgentID != 2 || why.Candidates[1].Passed != routing.PassedStatus {
		t.Errorf("Alex (offline) should be passed over for his status: %+v", why.Candidates[1])
	}
	// The assignment is an event of the session's log, by the system.
	events, _ := e.a.DB.SessionEvents(context.Background(), s1, 0, 0)
	last := events[len(events)-1]
	if last.Type != lifecycle.EventAssigned || last.Actor.Kind != sb.ActorSystem || !last.Time.Equal(t0.Add(time.Minute)) {
		t.Errorf("last event %s by %s at %s", last.Type, last.Actor.Kind, last.Time)
	}
	// Capacity frees: the waiting session goes to Noam.
	e.do(s1, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	if e.agentOf(s3) != 1 {
		t.Errorf("after an end the waiting session went to %d", e.agentOf(s3))
	}
}

func TestLeastLoadedAgentGetsTheNewArrival(t *testing.T) {
	e := newEnv(t)
	e.status(1, sb.AgentOnline)
	e.status(2, sb.AgentInvisible) // invisible agents work too
	a, b, c := e.chat(1), e.chat(1), e.chat(1)
	got := []int64{e.agentOf(a), e.agentOf(b), e.agentOf(c)}
	// Both idle since the same moment: the lower ID first, then least load.
	if got[0] != 1 || got[1] != 2 || got[2] != 1 {
		t.Errorf("holders %v, want [1 2 1]", got)
	}
	e.status(1, sb.AgentAway)
	d := e.chat(1)
	if e.agentOf(d) != 2 {
		t.Errorf("with Noam away the arrival went to %d", e.agentOf(d))
	}
	if e.chat(2); e.a.Dispatcher.Router().Waiting(2) != 1 {
		t.Errorf("a queue without members should keep its session waiting")
	}
}

// The routing state is rebuilt from the store at start: a session that
// waited across a restart is assigned when capacity frees, and nobody is
// given more than they can take.
func TestRoutingStateSurvivesARestart(t *testing.T) {
	e := newEnv(t)
	e.status(1, sb.AgentOnline)
	s1, s2, s3 := e.chat(1), e.chat(1), e.chat(1)
	if e.agentOf(s3) != 0 {
		t.Fatal("setup: the third session should wait")
	}
	e.a.Close()

	e = open(t, e.dir, e.clock)
	if load, capacity := e.a.Dispatcher.Router().Load(1); load != 2 || capacity != 2 {
		t.Fatalf("after the restart Noam holds %d of %d", load, capacity)
	}
	if e.a.Dispatcher.Router().Waiting(1) != 1 {
		t.Fatalf("after the restart %d wait", e.a.Dispatcher.Router().Waiting(1))
	}
	e.do(s2, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	if e.agentOf(s3) != 1 || e.agentOf(s1) != 1 {
		t.Errorf("holders after the end: %d %d", e.agentOf(s1), e.agentOf(s3))
	}
}

// A session waiting while the server was down is assigned at start if an
// agent has room.
func TestWaitingSessionIsAssignedAtStart(t *testing.T) {
	e := newEnv(t)
	s := e.chat(1)
	// Noam comes online while the server is down: the directory changes
	// directly, without the engine.
	if _, err := e.a.Directory.SetAgentStatus(context.Background(), 1, sb.AgentOnline); err != nil {
		t.Fatal(err)
	}
	e.a.Close()
	e = open(t, e.dir, e.clock)
	if e.agentOf(s) != 1 {
		t.Errorf("session waiting at start went to %d", e.agentOf(s))
	}
}

// A transfer to a queue releases the sender at once and completes when
// the router assigns a member of the target queue.
func TestTransferToAQueueIsRouted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{ID: 2, Name: "Alex B", Email: "alex@example.com", Groups: []int64{2}, MaxConcurrent: 2}); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	e.status(2, sb.AgentOnline)
	s := e.chat(1)
	e.do(s, mustStatus("connect"))
	e.do(s, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 2})
	got := e.session(s)
	if e.agentOf(s) != 2 || got.Transfers[0].Status != sb.TransferCompleted || got.Status != sb.StatusAssigned {
		t.Fatalf("after the transfer: agent %d, transfer %s, status %s", e.agentOf(s), got.Transfers[0].Status, got.Status)
	}
	if load, _ := e.a.Dispatcher.Router().Load(1); load != 0 {
		t.Errorf("the sender still holds %d sessions", load)
	}
}

// Two agents accepting the same waiting session at the same time: exactly
// one wins, and nobody ends up holding it twice.
func TestConcurrentAcceptsHaveOneWinner(t *testing.T) {
	for round := 0; round < 20; round++ {
		e := newEnv(t)
		officeHoursOnly(t, e) // both agents online, Support closed: it waits
		e.status(1, sb.AgentOnline)
		e.status(2, sb.AgentOnline)
		s := e.chat(1)
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = e.a.Engine.Execute(context.Background(), s, &lifecycle.Assign{AgentID: int64(i + 1)},
					agentActor(int64(i+1)), nil)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range results {
			if err == nil {
				wins++
			} else if sb.ErrorCode(err) != sb.ECONFLICT {
				t.Fatalf("loser got %v, want a conflict", err)
			}
		}
		l1, _ := e.a.Dispatcher.Router().Load(1)
		l2, _ := e.a.Dispatcher.Router().Load(2)
		if wins != 1 || l1+l2 != 1 || e.a.Dispatcher.Router().Waiting(1) != 0 {
			t.Fatalf("round %d: %d winners, loads %d+%d", round, wins, l1, l2)
		}
	}
}

// why returns the routing reason recorded in a session's last assigned event.
func (e *env) why(id int64) routing.Why {
	e.t.Helper()
	events, err := e.a.DB.SessionEvents(context.Background(), id, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var why routing.Why
	for _, ev := range events {
		if ev.Type == lifecycle.EventAssigned {
			var d lifecycle.AgentData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				e.t.Fatal(err)
			}
			if err := json.Unmarshal(d.Why, &why); err != nil {
				e.t.Fatalf("assigned event without a reason: %v", err)
			}
		}
	}
	return why
}

func mustStatus(name string) lifecycle.Command {
	c, ok := lifecycle.NewStatusCommand(name)
	if !ok {
		panic(name)
	}
	return c
}

// Dispatch rules: customer tags mapped to levels reorder a queue — a VIP
// who arrives last is served first.
// A transfer that needs the receiver's confirmation fails by itself after
// the timeout; the session stays with the sender. An accepted one cancels
// the timer.
// Letting logged-out agents receive sessions applies at once.
// SPEC §4.2's example: with more than 5 waiting in Support, the 6th
// customer overflows to Sales, so Support holds at most 5; administrators
// are notified on the session; the overflow is marked so reports can
// exclude it from transfers.
// With "only during work hours", a group outside its plan's hours keeps
// its sessions waiting; inside them, they are assigned.
// A session waiting longer than the queue timeout is ended by the system
// (a drop); a session picked up in time, or moved to another queue, keeps
// no stale timer.
// Familiar customer first: a returning customer goes to the agent who
// served them last, even a busier one; the history survives a restart;
// a transfer to a queue does not bounce back to the familiar agent.
// With work hours only, a session waiting in a closed queue is assigned
// at the opening instant, by a durable timer, with agents already online.

func TestQueueStateShowsMembersAndLoad(t *testing.T) {
	e := newEnv(t)
	e.status(1, sb.AgentOnline)
	e.chat(1)
	e.chat(1)
	e.chat(1)
	st, err := e.a.API.Config.Routing.QueueState(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Waiting != 1 || len(st.Members) != 2 {
		t.Fatalf("state %+v", st)
	}
	noam, alex := st.Members[0], st.Members[1]
	if noam.Status != sb.AgentOnline || noam.Load != 2 || noam.Capacity != 2 || alex.Status != sb.AgentOffline || alex.Load != 0 {
		t.Errorf("members %+v", st.Members)
	}
}

// What visitors see of a queue: invisible agents count as offline; the
// estimated wait follows the queue's pace.
func TestQueueAvailabilityHidesInvisibleAgents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, secret, err := httpapi.CreateToken(ctx, e.a.DB, e.clock, "widget", sb.RoleIntegration, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	get := func() httpapi.Availability {
		req := httptest.NewRequest("GET", "/api/v1/queues/1/availability", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		e.a.Handler().ServeHTTP(w, req)
		var a httpapi.Availability
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &a) != nil {
			t.Fatalf("availability: %d %s", w.Code, w.Body)
		}
		return a
	}
	e.status(1, sb.AgentOnline)
	e.status(2, sb.AgentInvisible)
	if a := get(); a.AgentsOnline != 1 || !a.Open || a.Waiting != 0 || a.EstimatedWaitSeconds != nil {
		t.Errorf("availability %+v", a)
	}
	e.status(1, sb.AgentInvisible)
	if a := get(); a.AgentsOnline != 0 {
		t.Errorf("with both agents invisible, visitors see %d online", a.AgentsOnline)
	}
}
