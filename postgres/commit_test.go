package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/postgres"
)

// openTest opens a store on a new, empty database.
func openTest(t testing.TB) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func chat(id, seq int64) *sb.Session {
	return &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Channel: sb.ChannelWeb, Status: sb.StatusQueued, Seq: seq, CreatedAt: t0, UpdatedAt: t0}
}

func event(id, seq int64, typ sb.EventType, data string) sb.Event {
	return sb.Event{SessionID: id, Seq: seq, Type: typ, Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(data)}
}

func message(id, seq int64, text string) sb.Event {
	data, _ := json.Marshal(map[string]any{"id": seq, "from": "end_user", "kind": "text", "text": text})
	return event(id, seq, "message_sent", string(data))
}

// Committers racing on different sessions take event IDs in the order
// they commit: a reader that pages with Events(after) while they commit
// sees every event exactly once, with no ID left behind it that commits
// later.
func TestEventIDsInCommitOrder(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const writers, commits = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := int64(w + 1)
			for seq := int64(1); seq <= commits; seq++ {
				c := &sb.Change{Session: chat(id, seq), ExpectedSeq: seq - 1, Events: []sb.Event{event(id, seq, "note", `{}`)}}
				if seq%3 == 0 { // some commits carry two events
					c.Session.Seq++
					c.Events = append(c.Events, event(id, seq+1, "note", `{}`))
				}
				if err := db.Commit(ctx, []*sb.Change{c}); err != nil {
					errs <- err
					return
				}
				seq = c.Session.Seq
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[int64]bool{}
	perSession := map[int64]int64{}
	var after int64
	read := func() {
		events, err := db.Events(ctx, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if seen[e.ID] {
				t.Fatalf("event %d read twice", e.ID)
			}
			if e.ID != after+1 {
				t.Fatalf("read event %d after %d: the IDs between were not committed yet, and a reader resuming after %d skips them",
					e.ID, after, e.ID)
			}
			if e.Seq != perSession[e.SessionID]+1 {
				t.Fatalf("session %d: event %d after %d", e.SessionID, e.Seq, perSession[e.SessionID])
			}
			seen[e.ID], perSession[e.SessionID], after = true, e.Seq, e.ID
		}
	}
loop:
	for {
		select {
		case <-done:
			break loop
		case err := <-errs:
			t.Fatal(err)
		default:
			read()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for n := -1; n != len(seen); {
		n = len(seen)
		read()
	}
	last, err := db.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(seen)) != last {
		t.Errorf("read %d events, the last ID is %d", len(seen), last)
	}
	for id := int64(1); id <= writers; id++ {
		if s, err := db.Session(ctx, id); err != nil || s.Seq != perSession[id] {
			t.Errorf("session %d at %v (%v); its last event read is %d", id, s, err, perSession[id])
		}
	}
}

// A batch refused by its last change leaves nothing of the others: no
// session, event, timer, delivery or index row, and the event IDs it
// would have taken go to the next commit.
func TestFailedBatchLeavesNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	old := chat(1, 1)
	if err := db.Commit(ctx, []*sb.Change{{Session: old, Events: []sb.Event{event(1, 1, "session_created", `{}`)}}}); err != nil {
		t.Fatal(err)
	}
	lastBefore, _ := db.LastEventID(ctx)

	fresh := chat(2, 2)
	fresh.Agent = &sb.AgentRef{ID: 7}
	fresh.Handles = []sb.HandleSegment{{Agent: sb.AgentRef{ID: 7}}}
	fresh.EndUser = sb.EndUser{Identifier: "c-1"}
	fresh.Tags = []sb.TagRef{{ID: 3}}
	good := &sb.Change{Session: fresh, Events: []sb.Event{event(2, 1, "session_created", `{}`), message(2, 2, "hello there")},
		SetTimers: []sb.Timer{{SessionID: 2, Kind: "k", DueAt: t0}},
		Outbox:    []sb.OutboxItem{{Kind: "k", SessionID: 2, Key: "once", Payload: []byte("x"), CreatedAt: t0, NextAttemptAt: t0}}}
	for name, bad := range map[string]*sb.Change{
		// The version check fails in the database.
		"stale": {Session: chat(1, 3), ExpectedSeq: 2, Events: []sb.Event{event(1, 3, "held", `{}`)}},
		// The event insert fails in the database: session 1 has event 1.
		"duplicate event": {Session: chat(1, 2), ExpectedSeq: 1, Events: []sb.Event{event(1, 1, "held", `{}`)}},
		// The fired timer is not pending.
		"fired": {Session: chat(1, 1), ExpectedSeq: 1, FiredTimers: []sb.Timer{{SessionID: 1, Kind: "k", DueAt: t0}}},
	} {
		err := db.Commit(ctx, []*sb.Change{good, bad})
		if sb.ErrorCode(err) != sb.EPRECONDITION {
			t.Fatalf("%s: %v, want precondition", name, err)
		}
		if _, err := db.Session(ctx, 2); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("%s: the new session of a failed batch was kept: %v", name, err)
		}
		if events, _ := db.Events(ctx, 0, 0); len(events) != 1 {
			t.Errorf("%s: %d events after the failed batch, want 1", name, len(events))
		}
		if _, ok, _ := db.NextTimer(ctx); ok {
			t.Errorf("%s: a timer of a failed batch was kept", name)
		}
		if items, _ := db.Outbox(ctx, "", 10); len(items) != 0 {
			t.Errorf("%s: a delivery of a failed batch was kept", name)
		}
		for what, f := range map[string]sb.SessionFilter{"agent": {HandledBy: 7}, "tag": {TagID: 3}, "text": {Text: "hello"}} {
			if got, _ := db.Sessions(ctx, f); len(got) != 0 {
				t.Errorf("%s: the %s index kept a row of a failed batch", name, what)
			}
		}
		if served, _ := db.ServedCustomer(ctx, "id:c-1", t0.Add(-time.Hour)); len(served) != 0 {
			t.Errorf("%s: the customer index kept %v", name, served)
		}
	}
	if err := db.Commit(ctx, []*sb.Change{good}); err != nil {
		t.Fatalf("the good change alone: %v", err)
	}
	if good.Events[0].ID != lastBefore+1 || good.Events[1].ID != lastBefore+2 {
		t.Errorf("event IDs %d, %d after %d: the failed batches left a gap", good.Events[0].ID, good.Events[1].ID, lastBefore)
	}
	if got, _ := db.Sessions(ctx, sb.SessionFilter{HandledBy: 7, TagID: 3, Text: "HELLO"}); len(got) != 1 {
		t.Errorf("the committed session is not found by agent, tag and text: %v", got)
	}
}

// A batch that changes one session several times writes its last version,
// keeps every event, and records every agent any version names.
func TestCommitSessionChangedTwiceInABatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	version := func(seq int64, agent int64) *sb.Session {
		s := chat(1, seq)
		s.UpdatedAt = t0.Add(time.Duration(seq) * time.Second)
		if agent != 0 {
			s.Agent = &sb.AgentRef{ID: agent}
			s.Status = sb.StatusAssigned
		}
		return s
	}
	batch := []*sb.Change{
		{Session: version(1, 0), Events: []sb.Event{event(1, 1, "note", `{}`)}},
		{Session: version(2, 7), Events: []sb.Event{event(1, 2, "note", `{}`)}, ExpectedSeq: 1},
		{Session: version(3, 8), Events: []sb.Event{event(1, 3, "note", `{}`)}, ExpectedSeq: 2},
	}
	if err := db.Commit(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got, err := db.Session(ctx, 1)
	if err != nil || got.Seq != 3 || got.Agent == nil || got.Agent.ID != 8 || !got.UpdatedAt.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("stored %+v, %v; want the last version", got, err)
	}
	for i, e := range batch {
		if e.Events[0].ID != int64(i+1) {
			t.Errorf("event %d has ID %d", i+1, e.Events[0].ID)
		}
	}
	for _, a := range []int64{7, 8} {
		if ss, err := db.Sessions(ctx, sb.SessionFilter{HandledBy: a}); err != nil || len(ss) != 1 {
			t.Errorf("agent %d handled %d sessions, %v; want 1", a, len(ss), err)
		}
	}
	unchained := []*sb.Change{
		{Session: version(4, 9), Events: []sb.Event{event(1, 4, "note", `{}`)}, ExpectedSeq: 3},
		{Session: version(6, 9), Events: []sb.Event{event(1, 6, "note", `{}`)}, ExpectedSeq: 5},
	}
	if err := db.Commit(ctx, unchained); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Fatalf("an unchained batch: %v, want precondition", err)
	}
}

// Event data received from outside is kept byte for byte, even when it is
// not JSON.
func TestEventDataVerbatim(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	data := []string{`{"b" : 1,   "a":[ ] }`, `{"raw":"not json {","malformed":true}`, "not json {\x00\xff"}
	c := &sb.Change{Session: chat(1, int64(len(data)))}
	for i, d := range data {
		c.Events = append(c.Events, event(1, int64(i+1), "custom_data", d))
	}
	if err := db.Commit(ctx, []*sb.Change{c}); err != nil {
		t.Fatal(err)
	}
	events, err := db.SessionEvents(ctx, 1, 0, 0)
	if err != nil || len(events) != len(data) {
		t.Fatalf("%d events, %v", len(events), err)
	}
	for i, e := range events {
		if string(e.Data) != data[i] {
			t.Errorf("event %d data read back as %q, want %q", e.Seq, e.Data, data[i])
		}
	}
}

// The history search finds English text whatever the case of its Latin
// letters, Chinese text, text of one or two characters (shorter than a
// trigram), and wildcards as themselves.
func TestHistorySearchText(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	texts := map[int64]string{
		1: "Where is my PARCEL?",
		2: "我的订单还没有到，请帮我查一下",
		3: "It left the depot today. 包裹今天已发出",
		4: "50% off_season",
		5: "",
	}
	for id := int64(1); id <= 5; id++ {
		c := &sb.Change{Session: chat(id, 2), Events: []sb.Event{event(id, 1, "session_created", `{}`), message(id, 2, texts[id])}}
		if err := db.Commit(ctx, []*sb.Change{c}); err != nil {
			t.Fatal(err)
		}
	}
	// Text in other events is not searched.
	c := &sb.Change{Session: chat(6, 1), Events: []sb.Event{event(6, 1, "note", `{"text":"parcel 订单"}`)}}
	if err := db.Commit(ctx, []*sb.Change{c}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"parcel":    "[1]",
		"Parcel?":   "[1]",
		"DEPOT":     "[3]",
		"订单":        "[2]",
		"订":         "[2]",
		"包裹今天":      "[3]",
		"查一下":       "[2]",
		"我":         "[2]",
		"is":        "[1]",
		"%":         "[4]",
		"f_s":       "[4]",
		"_":         "[4]",
		"0% o":      "[4]",
		"refund":    "[]",
		"退款":        "[]",
		"today. 包裹": "[3]",
		"parcel 订单": "[]",
	} {
		got, err := db.Sessions(ctx, sb.SessionFilter{Text: q})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		ids := []int64{}
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if fmt.Sprint(ids) != want {
			t.Errorf("text %q finds %v, want %s", q, ids, want)
		}
	}
}
