package storetest

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// A command's idempotency record is committed with its change, read back
// whole, refused with the change when the key is recorded already, and
// forgotten once old enough.
func testIdempotency(t *testing.T, st Store) {
	ctx := context.Background()
	if _, err := st.Idempotency(ctx, "agent:1:k1"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Fatalf("an unknown key: %v, want not_found", err)
	}
	s := create(t, st, 1)
	s.Seq = 2
	rec := &sb.IdempotencyRecord{Key: "agent:1:k1", Fingerprint: "f1", SessionID: 1, FromSeq: 1, ToSeq: 2, CreatedAt: t0}
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, Events: []sb.Event{ev(s, "custom_data")}, Idempotency: rec}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Idempotency(ctx, "agent:1:k1")
	if err != nil || got != *rec {
		t.Fatalf("read back %+v (%v), want %+v", got, err, *rec)
	}

	// The same key again fails the whole batch, the other change too.
	s2 := session(2, sb.StatusQueued)
	s2.Seq = 1
	s3 := *s
	s3.Seq = 3
	err = st.Commit(ctx, []*sb.Change{{Session: s2, Events: []sb.Event{ev(s2, "session_created")}},
		{Session: &s3, ExpectedSeq: 2, Events: []sb.Event{ev(&s3, "custom_data")}, Idempotency: &sb.IdempotencyRecord{Key: "agent:1:k1",
			Fingerprint: "f2", SessionID: 1, FromSeq: 2, ToSeq: 3, CreatedAt: t0.Add(time.Minute)}}})
	if sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Fatalf("a recorded key: %v, want precondition", err)
	}
	if _, err := st.Session(ctx, 2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("the refused batch created session 2: %v", err)
	}
	if got, _ := st.Idempotency(ctx, "agent:1:k1"); got.Fingerprint != "f1" {
		t.Errorf("the refused batch changed the record: %+v", got)
	}

	// Another key, later; pruning forgets only what is older.
	if err := st.Commit(ctx, []*sb.Change{{Session: &s3, ExpectedSeq: 2, Events: []sb.Event{ev(&s3, "custom_data")},
		Idempotency: &sb.IdempotencyRecord{Key: "visitor:v-1:k1", Fingerprint: "f3", SessionID: 1, FromSeq: 2, ToSeq: 3, CreatedAt: t0.Add(time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneIdempotency(ctx, t0.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("prune: %d %v, want 1", n, err)
	}
	if _, err := st.Idempotency(ctx, "agent:1:k1"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a pruned key: %v", err)
	}
	if got, err := st.Idempotency(ctx, "visitor:v-1:k1"); err != nil || got.ToSeq != 3 {
		t.Errorf("the newer key: %+v %v", got, err)
	}
}
