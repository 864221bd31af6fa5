package storetest

import (
	"context"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// A visitor lists only the sessions created with its identifier.
func testEndUserFilter(t *testing.T, st Store) {
	ctx := context.Background()
	for id, who := range map[int64]string{1: "a:one", 2: "a:two", 3: "a:one", 4: ""} {
		s := session(id, sb.StatusQueued)
		s.Seq, s.EndUser.Identifier = 1, who
		if err := st.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{ev(s, "session_created")}}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Sessions(ctx, sb.SessionFilter{EndUser: "a:one"})
	if err != nil || len(got) != 2 || got[0].ID != 3 || got[1].ID != 1 {
		t.Fatalf("sessions of a:one = %v, %v; want 3 and 1", ids(got), err)
	}
	if got, _ := st.Sessions(ctx, sb.SessionFilter{EndUser: "a:one", BeforeID: 3}); len(got) != 1 || got[0].ID != 1 {
		t.Errorf("second page = %v, want 1", ids(got))
	}
	if got, _ := st.Sessions(ctx, sb.SessionFilter{EndUser: "a:three"}); len(got) != 0 {
		t.Errorf("sessions of an unknown identifier = %v", ids(got))
	}
}

func ids(list []*sb.Session) []int64 {
	out := make([]int64, 0, len(list))
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}
