package engine_test

import (
	"context"
	"sync/atomic"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/sqlite"
)

// loadCounter is the real store, counting the sessions the engine loads.
type loadCounter struct {
	*sqlite.DB
	loads atomic.Int64
}

func (l *loadCounter) Session(ctx context.Context, id int64) (*sb.Session, error) {
	l.loads.Add(1)
	return l.DB.Session(ctx, id)
}

// The commands that follow an end (wrap-up, rating) find the session the
// engine ended lately in memory; after a restart, the first of them reads
// it once. What they commit is what a read from the store would give.
func TestCommandsAfterTheEndDoNotReloadTheSession(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	path := e.path
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Name: "Visitor"}})
	e.do(s.ID, &lifecycle.Assign{AgentID: 1})
	e.do(s.ID, connectCmd())
	e.close()
	var st *loadCounter
	e = openWith(t, path, clock.NewVirtual(t0), func(db *sqlite.DB) sb.EventStore { st = &loadCounter{DB: db}; return st })
	st.loads.Store(0)
	e.do(s.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	if n := st.loads.Load(); n != 1 {
		t.Errorf("the first command after the restart loaded the session %d times, want 1", n)
	}
	wrapped := e.do(s.ID, &lifecycle.WrapUp{Code: "resolved", Note: "done"})
	if n := st.loads.Load(); n != 1 {
		t.Errorf("the wrap-up after the end loaded the session again (%d loads in all)", n)
	}
	if !wrapped.Status.Terminal() || wrapped.Disposition == nil || wrapped.Disposition.Code != "resolved" {
		t.Fatalf("after the wrap-up: status %v, disposition %+v", wrapped.Status, wrapped.Disposition)
	}
	stored, err := e.db.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Seq != wrapped.Seq || stored.Disposition == nil || stored.Disposition.Note != "done" {
		t.Errorf("stored seq %d disposition %+v; the engine answered seq %d", stored.Seq, stored.Disposition, wrapped.Seq)
	}
	// A command that fails leaves the kept session as committed.
	if _, err := e.eng.Execute(ctx, s.ID, &lifecycle.Assign{AgentID: 2}, sb.Actor{Kind: sb.ActorAgent, ID: "1"}, nil); err == nil {
		t.Fatal("assigning an ended session succeeded")
	}
	note := &lifecycle.RecordEvent{Type: "customer_note", Data: []byte(`{"text":"after"}`)}
	if err := note.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := e.do(s.ID, note); got.Seq != wrapped.Seq+1 {
		t.Errorf("a note after the failed command is at seq %d, want %d", got.Seq, wrapped.Seq+1)
	}
}
