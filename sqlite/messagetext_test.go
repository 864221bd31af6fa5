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

// chatAt is a queued web chat at version seq, as the text-index tests
// commit it.
func chatAt(id, seq int64) *sb.Session {
	return &sb.Session{ID: id, UUID: fmt.Sprint("u-", id), Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
		Status: sb.StatusQueued, Seq: seq, CreatedAt: textT0, UpdatedAt: textT0}
}

// eventAt is an event of session id at seq, with data as stored.
func eventAt(id, seq int64, typ sb.EventType, data string) sb.Event {
	return sb.Event{SessionID: id, Seq: seq, Type: typ, Version: 1, Time: textT0, Actor: sb.SystemActor, Data: json.RawMessage(data)}
}

var textT0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

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
	s := chatAt(1, 4)
	msg := func(seq int64, data string) sb.Event { return eventAt(1, seq, textEvent, data) }
	events := []sb.Event{
		eventAt(1, 1, "session_created", `{}`),
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
		eventAt(1, 6, "session_hold", `{}`)}
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
	s := chatAt(7, 2)
	events := []sb.Event{
		eventAt(7, 1, "session_created", `{}`),
		eventAt(7, 2, textEvent, `{"id":1,"from":"end_user","kind":"text","text":"退款什么时候到账"}`),
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
	s := chatAt(1, 1)
	events := []sb.Event{eventAt(1, 1, "session_created", `{}`)}
	n := 3*indexSpan + 5
	for i := 1; i <= n; i++ {
		s.Seq++
		events = append(events, eventAt(1, s.Seq, textEvent, fmt.Sprintf(`{"id":%d,"from":"end_user","kind":"text","text":"line %04d"}`, i, i)))
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
