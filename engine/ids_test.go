package engine_test

import (
	"context"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Session IDs come from the store, not from a counter each engine keeps:
// two engines on one store file, each opened before the other creates,
// hand out different IDs and both keep working.
func TestTwoEnginesOnOneStoreNeverShareASessionID(t *testing.T) {
	a := newEnv(t)
	b := open(t, a.path, a.clock)
	seen := map[int64]string{}
	for i, e := range []*env{a, b, a, b, b, a} {
		who := map[*env]string{a: "a", b: "b"}[e]
		s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
		if prev, ok := seen[s.ID]; ok {
			t.Fatalf("create %d on engine %s got session %d, which engine %s created already", i+1, who, s.ID, prev)
		}
		seen[s.ID] = who
	}
	for id := range seen {
		if _, err := a.db.Session(context.Background(), id); err != nil {
			t.Errorf("session %d: %v", id, err)
		}
	}
	// A restart continues after every ID handed out, used or not.
	first, err := a.db.ReserveSessionIDs(context.Background(), 2)
	if err != nil || first != 7 {
		t.Fatalf("reserve after six creates: %d %v, want 7", first, err)
	}
	a.close()
	c := open(t, a.path, a.clock)
	if s := c.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}); s.ID != 9 {
		t.Errorf("after a restart the next session is %d, want 9", s.ID)
	}
}
