package engine_test

import (
	"context"
	"path/filepath"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/sqlite"
)

// gate is a dispatcher that refuses every assignment to agent 2, and
// counts the changes it observes.
type gate struct{ observed, asked int }

func (g *gate) Observe(_, _ *sb.Session, _ []sb.Event) engine.Reaction {
	g.observed++
	return engine.Reaction{}
}
func (g *gate) Reset(context.Context) ([]engine.Followup, error) { return nil, nil }
func (g *gate) Admit(_, after *sb.Session, _ []sb.Event) error {
	g.asked++
	if h := after.CurrentHandle(); h != nil && h.Agent.ID == 2 {
		return sb.Errorf(sb.EATCAPACITY, "agent 2 is full")
	}
	return nil
}

// A change the dispatcher does not admit is refused with its error, is
// neither committed nor observed, and leaves its batch neighbours alone.
func TestAChangeTheDispatcherRefusesIsNotCommitted(t *testing.T) {
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []sb.Agent{{Name: "Agent 1", Email: "a1@example.com"}, {Name: "Agent 2", Email: "a2@example.com"}} {
		if _, err := dir.SaveAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dir.SaveQueue(ctx, sb.Queue{Name: "Support"}); err != nil {
		t.Fatal(err)
	}
	g := &gate{}
	eng, err := engine.New(ctx, db, engine.Options{Clock: c, Directory: dir, Dispatcher: g})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	res, err := eng.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, sb.Actor{Kind: sb.ActorIntegration})
	if err != nil {
		t.Fatal(err)
	}
	id, observed := res.Session.ID, g.observed
	_, err = eng.Execute(ctx, id, &lifecycle.Assign{AgentID: 2}, sb.Actor{Kind: sb.ActorSupervisor}, nil)
	if sb.ErrorCode(err) != sb.EATCAPACITY {
		t.Fatalf("assign to agent 2: %v, want at_capacity", err)
	}
	if s, _ := db.Session(ctx, id); s.Status != sb.StatusQueued || s.Seq != res.Session.Seq || g.observed != observed {
		t.Fatalf("the refused change went through: %s seq %d, observed %d times", s.Status, s.Seq, g.observed-observed)
	}
	if _, err := eng.Execute(ctx, id, &lifecycle.Assign{AgentID: 1}, sb.Actor{Kind: sb.ActorSupervisor}, nil); err != nil {
		t.Fatalf("assign to agent 1: %v", err)
	}
	if g.asked != 3 {
		t.Errorf("the dispatcher was asked %d times, want 3 (create and both assigns)", g.asked)
	}
}
