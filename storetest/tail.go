package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// testMessagesReadBack checks that a chat session read back after many
// messages — one per commit, several in one batch — is the session as
// committed, by each read (Session, Sessions, LiveSessions), and still after
// it ends. A store may keep an older projection and fold the messages
// after it on read; this is what such a store must get right.
func testMessagesReadBack(t *testing.T, st Store) {
	ctx := context.Background()
	env := func(n int) lifecycle.Env {
		return lifecycle.Env{Now: t0.Add(time.Duration(n) * time.Second), Actor: sb.SystemActor, SessionID: 41,
			NewUUID: func() string { return "00000000-0000-4000-8000-000000000041" }}
	}
	var cur *sb.Session
	step := 0
	run := func(cmds ...lifecycle.Command) {
		t.Helper()
		var changes []*sb.Change
		for _, cmd := range cmds {
			step++
			res, err := lifecycle.Execute(cur, cmd, env(step))
			if err != nil {
				t.Fatalf("step %d %s: %v", step, cmd.Name(), err)
			}
			expected := int64(0)
			if cur != nil {
				expected = cur.Seq
			}
			changes = append(changes, &sb.Change{Session: res.Session, Events: res.Events, ExpectedSeq: expected})
			cur = res.Session
		}
		if err := st.Commit(ctx, changes); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	check := func(live bool) {
		t.Helper()
		want, _ := json.Marshal(cur)
		got, err := st.Session(ctx, cur.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(got); string(b) != string(want) {
			t.Fatalf("at version %d Session reads\n%s\nwant\n%s", cur.Seq, b, want)
		}
		list, err := st.Sessions(ctx, sb.SessionFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("Sessions: %v, %d sessions", err, len(list))
		}
		if b, _ := json.Marshal(list[0]); string(b) != string(want) {
			t.Fatalf("at version %d Sessions reads\n%s\nwant\n%s", cur.Seq, b, want)
		}
		all, err := st.LiveSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !live {
			if len(all) != 0 {
				t.Fatalf("LiveSessions holds %d sessions after the end", len(all))
			}
			return
		}
		if len(all) != 1 {
			t.Fatalf("LiveSessions holds %d sessions, want 1", len(all))
		}
		if b, _ := json.Marshal(all[0]); string(b) != string(want) {
			t.Fatalf("at version %d LiveSessions reads\n%s\nwant\n%s", cur.Seq, b, want)
		}
	}
	msg := func(i int) lifecycle.Command {
		from := sb.FromEndUser
		if i%3 == 0 {
			from = sb.FromVirtualAgent
		}
		return &lifecycle.Message{From: from, Text: fmt.Sprintf("message %d — 第%d条", i, i)}
	}
	run(&lifecycle.Create{Type: sb.TypeChatWeb, Lang: "zh", EndUser: sb.EndUser{Name: "顾客"}})
	check(true)
	for i := 1; i <= 70; i++ {
		run(msg(i))
		check(true)
	}
	run(msg(71), msg(72), msg(73)) // one batch
	check(true)
	run(&lifecycle.End{DisconnectedBy: sb.FromEndUser})
	check(false)
}
