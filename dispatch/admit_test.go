package dispatch_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

func agentActor(id int64) sb.Actor {
	return sb.Actor{Kind: sb.ActorAgent, ID: strconv.FormatInt(id, 10)}
}

// refused runs cmd on session id as actor and checks that it is refused
// with code and changes nothing.
func (e *env) refused(id int64, cmd lifecycle.Command, actor sb.Actor, code string) {
	e.t.Helper()
	before := e.session(id)
	_, err := e.a.Engine.Execute(context.Background(), id, cmd, actor, nil)
	if sb.ErrorCode(err) != code {
		e.t.Fatalf("%s on %d by %s %s: %v, want %s", cmd.Name(), id, actor.Kind, actor.ID, err, code)
	}
	if sb.ErrorMessage(err) == "" {
		e.t.Errorf("%s refusal without a message", code)
	}
	if after := e.session(id); after.Seq != before.Seq || after.Status != before.Status {
		e.t.Fatalf("a refused %s changed session %d: seq %d → %d", cmd.Name(), id, before.Seq, after.Seq)
	}
}

func (e *env) load(agent int64) int {
	e.t.Helper()
	var load int
	err := e.a.Engine.Do(context.Background(), func(now time.Time) ([]engine.Followup, error) {
		load, _ = e.a.Dispatcher.Router().Load(agent)
		return nil, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return load
}

// An agent picks up a waiting chat only from the queues of its groups, only
// while online or invisible, and only under its max_concurrent.
func TestAnAgentPicksUpOnlyFromItsGroupsWhileWorkingAndUnderCapacity(t *testing.T) {
	e := newEnv(t)
	officeHoursOnly(t, e) // Support is closed: chats wait however agents stand
	ctx := context.Background()
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: "Kim S", Email: "kim@example.com", Groups: []int64{2}, MaxConcurrent: 5}); err != nil {
		t.Fatal(err)
	}
	e.status(3, sb.AgentOnline)
	s1, s2, s3 := e.chat(1), e.chat(1), e.chat(1)

	// Offline, busy and away agents do not pick up.
	e.refused(s1, &lifecycle.Assign{AgentID: 1}, agentActor(1), sb.ENOTWORKING)
	for _, st := range []sb.AgentStatus{sb.AgentBusy, sb.AgentAway} {
		e.status(1, st)
		e.refused(s1, &lifecycle.Assign{AgentID: 1}, agentActor(1), sb.ENOTWORKING)
	}
	// Kim is online, but in Sales only.
	e.refused(s1, &lifecycle.Assign{AgentID: 3}, agentActor(3), sb.ENOTMEMBER)

	// Noam, invisible, takes two: his max_concurrent.
	e.status(1, sb.AgentInvisible)
	e.as(s1, &lifecycle.Assign{AgentID: 1}, agentActor(1))
	e.as(s2, &lifecycle.Assign{AgentID: 1}, agentActor(1))
	e.refused(s3, &lifecycle.Assign{AgentID: 1}, agentActor(1), sb.EATCAPACITY)
	if e.load(1) != 2 || e.agentOf(s3) != 0 {
		t.Fatalf("Noam holds %d, the third is with %d", e.load(1), e.agentOf(s3))
	}
	// An ended chat frees a place.
	e.do(s1, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	e.as(s3, &lifecycle.Assign{AgentID: 1}, agentActor(1))
	if e.load(1) != 2 {
		t.Fatalf("Noam's load is %d, want 2", e.load(1))
	}
}

// A supervisor, an administrator or an integration directs work: they may
// assign a chat to an agent outside its queue's groups and whatever its
// status, but never above its max_concurrent.
func TestDirectedAssignmentsKeepCapacity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: "Kim S", Email: "kim@example.com", Groups: []int64{2}, MaxConcurrent: 1}); err != nil {
		t.Fatal(err)
	}
	s1, s2 := e.chat(1), e.chat(1) // everybody offline: they wait
	for _, actor := range []sb.Actor{{Kind: sb.ActorSupervisor, ID: "1"}, {Kind: sb.ActorAdmin, ID: "1"}, {Kind: sb.ActorIntegration, ID: "1"}} {
		e.as(s1, &lifecycle.Assign{AgentID: 3}, actor) // offline, in Sales only
		e.refused(s2, &lifecycle.Assign{AgentID: 3}, actor, sb.EATCAPACITY)
		e.do(s1, &lifecycle.Requeue{QueueID: 1})
	}
}

// A transfer to an agent at capacity is refused and leaves the chat with
// the sender; one that waits for the receiver's confirmation is refused
// when the receiver accepts without room.
func TestTransfersToAnAgentKeepCapacity(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: "Kim S", Email: "kim@example.com", Groups: []int64{2}, MaxConcurrent: 1}); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	e.status(3, sb.AgentOnline)
	mine, sales := e.chat(1), e.chat(2)
	if e.agentOf(mine) != 1 || e.agentOf(sales) != 3 {
		t.Fatalf("setup: %d %d", e.agentOf(mine), e.agentOf(sales))
	}
	e.do(mine, mustStatus("connect"))
	e.refused(mine, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 3}, agentActor(1), sb.EATCAPACITY)
	e.as(mine, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 3, Confirm: true}, agentActor(1))
	e.refused(mine, &lifecycle.TransferComplete{}, agentActor(3), sb.EATCAPACITY)
	e.do(sales, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	e.as(mine, &lifecycle.TransferComplete{}, agentActor(3))
	if e.agentOf(mine) != 3 || e.load(1) != 0 || e.load(3) != 1 {
		t.Fatalf("after the transfer: with %d, loads %d and %d", e.agentOf(mine), e.load(1), e.load(3))
	}
}

// Many concurrent pick-ups by one agent never take it above capacity: the
// check and the count are one step of the engine's writer.
func TestConcurrentPickUpsKeepCapacity(t *testing.T) {
	e := newEnv(t)
	officeHoursOnly(t, e)
	e.status(1, sb.AgentOnline)
	var ids []int64
	for range 12 {
		ids = append(ids, e.chat(1))
	}
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.a.Engine.Execute(context.Background(), id, &lifecycle.Assign{AgentID: 1}, agentActor(1), nil)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch sb.ErrorCode(err) {
		case "":
			won++
		case sb.EATCAPACITY:
		default:
			t.Fatalf("a pick-up failed with %v", err)
		}
	}
	if won != 2 || e.load(1) != 2 {
		t.Fatalf("%d pick-ups won, load %d; want 2 (max_concurrent)", won, e.load(1))
	}
}

// do2 runs cmd on session id as actor.
func (e *env) as(id int64, cmd lifecycle.Command, actor sb.Actor) {
	e.t.Helper()
	if _, err := e.a.Engine.Execute(context.Background(), id, cmd, actor, nil); err != nil {
		e.t.Fatalf("%s on %d by %s: %v", cmd.Name(), id, actor.Kind, err)
	}
}
