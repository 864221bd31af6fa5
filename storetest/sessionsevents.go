package storetest

import (
	"context"
	"fmt"
	"testing"
)

// testSessionsEvents reads the whole logs of a range of sessions, session
// by session in sequence order, however their events interleave in the log.
func testSessionsEvents(t *testing.T, st Store) {
	ctx := context.Background()
	for id := int64(1); id <= 4; id++ {
		create(t, st, id)
	}
	for range 3 {
		for _, id := range []int64{4, 2, 3, 1} {
			s, err := st.Session(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if err := appendTo(t, st, s, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := st.SessionsEvents(ctx, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range got {
		order = append(order, fmt.Sprintf("%d/%d", e.SessionID, e.Seq))
	}
	if want := "[2/1 2/2 2/3 2/4 3/1 3/2 3/3 3/4]"; fmt.Sprint(order) != want {
		t.Errorf("sessions 2–3: %v, want %s", order, want)
	}
	if none, err := st.SessionsEvents(ctx, 5, 9); err != nil || len(none) != 0 {
		t.Errorf("sessions 5–9: %d events, %v", len(none), err)
	}
}
