package engine_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

var integration = sb.Actor{Kind: sb.ActorIntegration, ID: "1"}

func keyed(key, fp string) *engine.Cond {
	return &engine.Cond{Idempotency: &engine.Idempotency{Key: key, Fingerprint: fp}}
}

// A command sent again with its key runs once: the second answer is the
// first, marked replayed, however many times and however concurrently it
// comes, and the log holds its events once.
func TestIdempotentCommandRunsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	first, err := e.eng.Execute(ctx, s.ID, &lifecycle.Assign{AgentID: 1}, integration, keyed("k-assign", "assign 1"))
	if err != nil || first.Replayed {
		t.Fatalf("first: %+v %v", first, err)
	}
	var wg sync.WaitGroup
	answers := make([]engine.Result, 20)
	errs := make([]error, 20)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = e.eng.Execute(ctx, s.ID, &lifecycle.Assign{AgentID: 1}, integration, keyed("k-assign", "assign 1"))
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if errs[i] != nil || !a.Replayed || a.Session.Seq != first.Session.Seq || len(a.Events) != len(first.Events) ||
			a.Events[0].ID != first.Events[0].ID || a.Session.Agent == nil || a.Session.Agent.ID != 1 {
			t.Fatalf("retry %d: %+v %v, want the first answer (seq %d, event %d)", i, a, errs[i], first.Session.Seq, first.Events[0].ID)
		}
	}
	log, err := e.db.SessionEvents(ctx, s.ID, 0, 0)
	if err != nil || len(log) != int(first.Session.Seq) {
		t.Fatalf("the log has %d events (%v), want %d", len(log), err, first.Session.Seq)
	}

	// The same key with another request is refused; the session stays.
	if _, err := e.eng.Execute(ctx, s.ID, &lifecycle.Assign{AgentID: 2}, integration, keyed("k-assign", "assign 2")); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("a reused key: %v, want conflict", err)
	}
	// A refused command records nothing: its key runs the next time.
	if _, err := e.eng.Execute(ctx, s.ID, &lifecycle.Assign{AgentID: 2}, integration, keyed("k-refused", "assign 2")); err == nil {
		t.Fatal("assigning an assigned session to another agent was accepted")
	}
	e.do(s.ID, connectCmd())
	if _, err := e.db.Idempotency(ctx, "k-refused"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a refused command's key was recorded: %v", err)
	}
}

// Keyed creates make one session, and the key outlives a restart: the
// answer after it is the one before, read from the store.
func TestIdempotentCreateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	c := clock.NewVirtual(t0)
	e := open(t, path, c)
	ctx := context.Background()
	if _, err := e.dir.SaveQueue(ctx, sb.Queue{Name: "Support", Priority: 2}); err != nil {
		t.Fatal(err)
	}
	cmd := func() *lifecycle.Create {
		return &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Name: "王芳"}}
	}
	first, err := e.eng.CreateWith(ctx, cmd(), integration, &engine.Idempotency{Key: "k-create", Fingerprint: "create"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.eng.CreateWith(ctx, cmd(), integration, &engine.Idempotency{Key: "k-create", Fingerprint: "create"})
	if err != nil || !again.Replayed || again.Session.ID != first.Session.ID {
		t.Fatalf("again: %+v %v", again, err)
	}
	e.close()
	e = open(t, path, c)
	after, err := e.eng.CreateWith(ctx, cmd(), integration, &engine.Idempotency{Key: "k-create", Fingerprint: "create"})
	if err != nil || !after.Replayed || after.Session.ID != first.Session.ID || after.Session.EndUser.Name != "王芳" ||
		len(after.Events) != len(first.Events) || after.Events[0].ID != first.Events[0].ID {
		t.Fatalf("after a restart: %+v %v, want session %d", after, err, first.Session.ID)
	}
	if n, err := e.db.MaxSessionID(ctx); err != nil || n != first.Session.ID {
		t.Errorf("sessions up to %d (%v), want only %d", n, err, first.Session.ID)
	}
}
