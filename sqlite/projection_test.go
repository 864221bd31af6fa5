package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// TestMessagesLeaveABoundedTail checks how a chat's row follows its log:
// a commit of messages alone leaves the stored projection behind by fewer
// than projectionEvery events, any other event writes it, and so does the
// end. The conformance suite (MessagesReadBack) checks what reads return.
func TestMessagesLeaveABoundedTail(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var cur *sb.Session
	n := 0
	run := func(cmd lifecycle.Command) {
		t.Helper()
		n++
		env := lifecycle.Env{Now: t0.Add(time.Duration(n) * time.Second), Actor: sb.SystemActor, SessionID: 5,
			NewUUID: func() string { return "00000000-0000-4000-8000-000000000005" }}
		res, err := lifecycle.Execute(cur, cmd, env)
		if err != nil {
			t.Fatal(err)
		}
		var expected int64
		if cur != nil {
			expected = cur.Seq
		}
		if err := db.Commit(ctx, []*sb.Change{{Session: res.Session, Events: res.Events, ExpectedSeq: expected}}); err != nil {
			t.Fatal(err)
		}
		cur = res.Session
	}
	row := func() (seq int64, stateSeq sql.NullInt64) {
		t.Helper()
		if err := db.read.QueryRowContext(ctx, `SELECT seq, state_seq FROM sessions WHERE id = 5`).Scan(&seq, &stateSeq); err != nil {
			t.Fatal(err)
		}
		return seq, stateSeq
	}
	run(&lifecycle.Create{Type: sb.TypeChatWeb})
	if _, tail := row(); tail.Valid {
		t.Fatalf("a new session's row holds an older projection (%d)", tail.Int64)
	}
	tails := 0
	for i := range 3 * projectionEvery {
		run(&lifecycle.Message{From: sb.FromEndUser, Text: fmt.Sprint("hello ", i)})
		seq, tail := row()
		if !tail.Valid {
			continue
		}
		tails++
		if behind := seq - tail.Int64; behind <= 0 || behind >= projectionEvery {
			t.Fatalf("at version %d the stored projection is %d events behind", seq, behind)
		}
	}
	if tails < 2*projectionEvery {
		t.Fatalf("only %d of %d message commits left the projection behind", tails, 3*projectionEvery)
	}
	run(&lifecycle.Message{From: sb.FromEndUser, Text: "one more"})
	if _, tail := row(); !tail.Valid {
		t.Fatal("the last message wrote the projection; the test needs it behind")
	}
	run(&lifecycle.Tag{Add: []int64{1}, AddRefs: []sb.TagRef{{ID: 1, Name: "Delivery"}}})
	if _, tail := row(); tail.Valid {
		t.Fatal("a tag left the stored projection behind")
	}
	run(&lifecycle.Message{From: sb.FromEndUser, Text: "and another"})
	run(&lifecycle.End{DisconnectedBy: sb.FromEndUser})
	if _, tail := row(); tail.Valid {
		t.Fatal("the end left the stored projection behind")
	}
}
