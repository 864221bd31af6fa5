package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func countText(t *testing.T, db *DB) int {
	t.Helper()
	var rows int
	if err := db.read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM message_text`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func textCheckpoint(t *testing.T, db *DB) int64 {
	t.Helper()
	var cp int64
	if err := db.read.QueryRowContext(context.Background(), `SELECT last_event FROM message_text_state`).Scan(&cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestMessageTextIndex checks that committed messages are indexed for the
// history search by their text, after the commit and before any search;
// that messages without text (an image without a caption) add no index
// row; and that a message which is not JSON is refused at the commit.
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
		msg(4, `{"id":3,"from":"agent","agent_id":2,"kind":"text","text":"It left the depot today. 包裹今天已发出"}`),
	}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: events}}); err != nil {
		t.Fatal(err)
	}
	if n := countText(t, db); n != 0 {
		t.Fatalf("the commit indexed %d messages itself; the index is built after it", n)
	}
	for text, want := range map[string]int{"parcel": 1, "DEPOT": 1, "包裹今天": 1, "refund": 0} {
		got, err := db.Sessions(ctx, sb.SessionFilter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("text %q finds %d sessions, want %d", text, len(got), want)
		}
	}
	if n := countText(t, db); n != 2 {
		t.Fatalf("message_text holds %d rows, want 2 (the image without a caption is not indexed)", n)
	}
	if cp := textCheckpoint(t, db); cp != events[3].ID {
		t.Fatalf("index checkpoint %d, want the last event %d", cp, events[3].ID)
	}

	bad := msg(5, `{"text":`)
	s2 := *s
	s2.Seq = 5
	if err := db.Commit(ctx, []*sb.Change{{Session: &s2, Events: []sb.Event{bad}, ExpectedSeq: 4}}); err == nil {
		t.Fatal("a message event that is not JSON was committed")
	}
	s2.Seq = 6
	more := []sb.Event{msg(5, `{"id":4,"from":"end_user","kind":"text","text":"Thanks!"}`),
		{SessionID: 1, Seq: 6, Type: "session_hold", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)}}
	if err := db.Commit(ctx, []*sb.Change{{Session: &s2, Events: more, ExpectedSeq: 4}}); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexMessages(ctx); err != nil {
		t.Fatal(err)
	}
	if n, cp := countText(t, db), textCheckpoint(t, db); n != 3 || cp != more[1].ID {
		t.Fatalf("after IndexMessages: %d rows, checkpoint %d; want 3 rows, checkpoint %d", n, cp, more[1].ID)
	}
}

// TestMessageTextIndexAfterRestart checks that messages committed by a
// process that stopped before indexing them are found after a restart.
func TestMessageTextIndexAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: 7, UUID: "u-7", Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
		Status: sb.StatusQueued, Seq: 2, CreatedAt: t0, UpdatedAt: t0}
	events := []sb.Event{
		{SessionID: 7, Seq: 1, Type: "session_created", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)},
		{SessionID: 7, Seq: 2, Type: textEvent, Version: 1, Time: t0, Actor: sb.SystemActor,
			Data: json.RawMessage(`{"id":1,"from":"end_user","kind":"text","text":"退款什么时候到账"}`)},
	}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: events}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Sessions(ctx, sb.SessionFilter{Text: "什么时候"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != 7 {
		t.Fatalf("after a restart the search finds %d sessions, want session 7", len(got))
	}
}

// TestMessageTextIndexSpans checks that a backlog longer than one
// IndexMessages transaction is indexed whole.
func TestMessageTextIndexSpans(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: 1, UUID: "u-1", Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
		Status: sb.StatusQueued, Seq: 1, CreatedAt: t0, UpdatedAt: t0}
	events := []sb.Event{{SessionID: 1, Seq: 1, Type: "session_created", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)}}
	n := 3*indexSpan + 5
	for i := 1; i <= n; i++ {
		s.Seq++
		events = append(events, sb.Event{SessionID: 1, Seq: s.Seq, Type: textEvent, Version: 1, Time: t0, Actor: sb.SystemActor,
			Data: json.RawMessage(fmt.Sprintf(`{"id":%d,"from":"end_user","kind":"text","text":"line %04d"}`, i, i))})
	}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: events}}); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexMessages(ctx); err != nil {
		t.Fatal(err)
	}
	if got, cp := countText(t, db), textCheckpoint(t, db); got != n || cp != events[n].ID {
		t.Fatalf("indexed %d messages up to event %d, want %d up to %d", got, cp, n, events[n].ID)
	}
	found, err := db.Sessions(ctx, sb.SessionFilter{Text: fmt.Sprintf("line %04d", n)})
	if err != nil || len(found) != 1 {
		t.Fatalf("the last message is not found: %v, %d sessions", err, len(found))
	}
}
