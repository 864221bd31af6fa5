package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// TestMessageTextIndex checks that committed messages are indexed for the
// history search by their text, and that messages without text (an image
// without a caption) add no index row.
func TestMessageTextIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: 1, UUID: "u-1", Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
		Status: sb.StatusQueued, Seq: 4, CreatedAt: t0, UpdatedAt: t0}
	msg := func(seq int64, data string) sb.Event {
		return sb.Event{SessionID: 1, Seq: seq, Type: textEvent, Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(data)}
	}
	events := []sb.Event{
		{SessionID: 1, Seq: 1, Type: "session_created", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)},
		msg(2, `{"id":1,"from":"end_user","kind":"text","text":"Where is my parcel?"}`),
		msg(3, `{"id":2,"from":"end_user","kind":"image","text":""}`),
		msg(4, `{"id":3,"from":"agent","agent_id":2,"kind":"text","text":"It left the depot today."}`),
	}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: events}}); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM message_text`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Fatalf("message_text holds %d rows, want 2 (the image without a caption is not indexed)", rows)
	}
	for text, want := range map[string]int{"parcel": 1, "DEPOT": 1, "refund": 0} {
		got, err := db.Sessions(ctx, sb.SessionFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("text %q finds %d sessions, want %d", text, len(got), want)
		}
	}
	bad := msg(5, `{"text":`)
	s2 := *s
	s2.Seq = 5
	if err := db.Commit(ctx, []*sb.Change{{Session: &s2, Events: []sb.Event{bad}, ExpectedSeq: 4}}); err == nil {
		t.Fatal("a message event that is not JSON was committed")
	}
}
