// Package storetest is the conformance suite every store implementation
// passes: the same tests, run against the embedded SQLite store today and
// against any other backend that implements switchboard.EventStore,
// switchboard.ConfigStore, switchboard.AttachmentStore and
// switchboard.OfflineStore.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Store is what the suite tests.
type Store interface {
	sb.EventStore
	sb.ConfigStore
	sb.AttachmentStore
	sb.OfflineStore
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Run runs the suite. open must return a new, empty store.
func Run(t *testing.T, open func(t *testing.T) Store) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, Store)
	}{
		{"CommitAndRead", testCommitAndRead},
		{"OptimisticConcurrency", testOptimisticConcurrency},
		{"BatchIsAllOrNothing", testBatchIsAllOrNothing},
		{"EventPaging", testEventPaging},
		{"SessionsEvents", testSessionsEvents},
		{"SessionFilters", testSessionFilters},
		{"HistorySearch", testHistorySearch},
		{"EndUserFilter", testEndUserFilter},
		{"LiveSessions", testLiveSessions},
		{"MessagesReadBack", testMessagesReadBack},
		{"ServedCustomer", testServedCustomer},
		{"Timers", testTimers},
		{"FiredTimerOnlyOnce", testFiredTimerOnlyOnce},
		{"Outbox", testOutbox},
		{"Idempotency", testIdempotency},
		{"Config", testConfig},
		{"IDSequences", testIDSequences},
		{"Tokens", testTokens},
		{"Attachments", testAttachments},
		{"OfflineMessages", testOfflineMessages},
		{"OfflineFilters", testOfflineFilters},
		{"OfflineUpdate", testOfflineUpdate},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func session(id int64, st sb.Status) *sb.Session {
	return &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Direction: sb.Inbound, Channel: sb.ChannelWeb, Lang: "en", Status: st,
		CreatedAt: t0, UpdatedAt: t0}
}

func ev(s *sb.Session, typ string) sb.Event {
	return sb.Event{SessionID: s.ID, Seq: s.Seq, Type: sb.EventType(typ), Version: 1, Time: s.UpdatedAt,
		Actor: sb.Actor{Kind: sb.ActorIntegration, ID: "3", Name: "crm"}, Data: json.RawMessage(`{"k":"v"}`)}
}

// create commits a new session with one event.
func create(t *testing.T, st Store, id int64) *sb.Session {
	t.Helper()
	s := session(id, sb.StatusQueued)
	s.Seq = 1
	if err := st.Commit(context.Background(), []*sb.Change{{Session: s, Events: []sb.Event{ev(s, "session_created")}}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// appendTo commits n more events to s.
func appendTo(t *testing.T, st Store, s *sb.Session, n int) error {
	t.Helper()
	c := &sb.Change{ExpectedSeq: s.Seq}
	next := *s
	for i := 0; i < n; i++ {
		next.Seq++
		next.UpdatedAt = next.UpdatedAt.Add(time.Second)
		c.Events = append(c.Events, ev(&next, "held"))
	}
	c.Session = &next
	if err := st.Commit(context.Background(), []*sb.Change{c}); err != nil {
		return err
	}
	*s = next
	return nil
}

func testCommitAndRead(t *testing.T, st Store) {
	ctx := context.Background()
	s := create(t, st, 1)
	got, err := st.Session(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(s)
	if !bytes.Equal(a, b) {
		t.Errorf("read back %s, want %s", a, b)
	}
	if _, err := st.Session(ctx, 2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("missing session: %v", err)
	}
	events, err := st.SessionEvents(ctx, 1, 0, 0)
	if err != nil || len(events) != 1 {
		t.Fatalf("events: %v %v", events, err)
	}
	e := events[0]
	if e.ID <= 0 || e.Seq != 1 || e.Type != "session_created" || !e.Time.Equal(t0) || e.Actor.Name != "crm" || string(e.Data) != `{"k":"v"}` {
		t.Errorf("event read back as %+v", e)
	}
	if n, err := st.MaxSessionID(ctx); err != nil || n != 1 {
		t.Errorf("max id %d %v", n, err)
	}
	if n, err := st.LastEventID(ctx); err != nil || n != e.ID {
		t.Errorf("last event id %d %v, want %d", n, err, e.ID)
	}
}

func testOptimisticConcurrency(t *testing.T, st Store) {
	ctx := context.Background()
	s := create(t, st, 1)
	if err := appendTo(t, st, s, 2); err != nil {
		t.Fatal(err)
	}
	stale := *s
	stale.Seq = 1
	if err := appendTo(t, st, &stale, 1); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Errorf("append at a stale version: %v, want precondition", err)
	}
	dup := session(1, sb.StatusQueued)
	dup.Seq = 1
	if err := st.Commit(ctx, []*sb.Change{{Session: dup, Events: []sb.Event{ev(dup, "session_created")}}}); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Errorf("second create of a session: %v, want precondition", err)
	}
	events, _ := st.SessionEvents(ctx, 1, 0, 0)
	if len(events) != 3 {
		t.Errorf("%d events after refused appends, want 3", len(events))
	}
}

func testBatchIsAllOrNothing(t *testing.T, st Store) {
	ctx := context.Background()
	a, b := create(t, st, 1), create(t, st, 2)
	good := *a
	good.Seq = 2
	bad := *b
	bad.Seq = 9
	err := st.Commit(ctx, []*sb.Change{
		{Session: &good, ExpectedSeq: 1, Events: []sb.Event{ev(&good, "held")}, SetTimers: []sb.Timer{{SessionID: 1, Kind: "k", DueAt: t0}}},
		{Session: &bad, ExpectedSeq: 8, Events: []sb.Event{ev(&bad, "held")}},
	})
	if sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Fatalf("batch with a stale change: %v", err)
	}
	if events, _ := st.SessionEvents(ctx, 1, 0, 0); len(events) != 1 {
		t.Errorf("the good half of a failed batch was kept: %d events", len(events))
	}
	if _, ok, _ := st.NextTimer(ctx); ok {
		t.Errorf("a timer of a failed batch was kept")
	}
}

func testEventPaging(t *testing.T, st Store) {
	ctx := context.Background()
	a, b := create(t, st, 1), create(t, st, 2)
	for i := 0; i < 5; i++ {
		if err := appendTo(t, st, a, 1); err != nil {
			t.Fatal(err)
		}
		if err := appendTo(t, st, b, 1); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := st.SessionEvents(ctx, 1, 2, 3)
	if len(page) != 3 || page[0].Seq != 3 || page[2].Seq != 5 {
		t.Errorf("session page: %+v", page)
	}
	all, _ := st.Events(ctx, 0, 0)
	if len(all) != 12 {
		t.Fatalf("%d events in all, want 12", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("global positions not increasing: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	rest, _ := st.Events(ctx, all[9].ID, 100)
	if len(rest) != 2 || rest[0].ID != all[10].ID {
		t.Errorf("resume after %d: %+v", all[9].ID, rest)
	}
}

func testSessionFilters(t *testing.T, st Store) {
	ctx := context.Background()
	for id := int64(1); id <= 5; id++ {
		create(t, st, id)
	}
	s := session(6, sb.StatusFinished)
	s.Seq, s.Medium, s.Type = 1, sb.MediumVoice, sb.TypeVoiceInbound
	s.Agent = &sb.AgentRef{ID: 7, Name: "Noam"}
	if err := st.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{ev(s, "session_created")}}}); err != nil {
		t.Fatal(err)
	}
	finished := sb.StatusFinished
	for name, c := range map[string]struct {
		f    sb.SessionFilter
		want []int64
	}{
		"all":     {sb.SessionFilter{}, []int64{6, 5, 4, 3, 2, 1}},
		"page":    {sb.SessionFilter{BeforeID: 4, Limit: 2}, []int64{3, 2}},
		"status":  {sb.SessionFilter{Status: &finished}, []int64{6}},
		"medium":  {sb.SessionFilter{Medium: sb.MediumChat, Limit: 1}, []int64{5}},
		"type":    {sb.SessionFilter{Type: sb.TypeVoiceInbound}, []int64{6}},
		"agent":   {sb.SessionFilter{AgentID: 7}, []int64{6}},
		"nothing": {sb.SessionFilter{AgentID: 8}, nil},
	} {
		got, err := st.Sessions(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", name, ids, c.want)
		}
	}
}

func testTimers(t *testing.T, st Store) {
	ctx := context.Background()
	a, b := create(t, st, 1), create(t, st, 2)
	commit := func(s *sb.Session, c sb.Change) {
		t.Helper()
		c.Session, c.ExpectedSeq = s, s.Seq
		if err := st.Commit(ctx, []*sb.Change{&c}); err != nil {
			t.Fatal(err)
		}
	}
	commit(a, sb.Change{SetTimers: []sb.Timer{{SessionID: 1, Kind: "x", DueAt: t0.Add(2 * time.Minute), Data: json.RawMessage(`{"q":1}`)}}})
	commit(b, sb.Change{EnsureTimers: []sb.Timer{{SessionID: 2, Kind: "x", DueAt: t0.Add(time.Minute)}}})
	// Ensure keeps a pending timer; Set replaces it.
	commit(b, sb.Change{EnsureTimers: []sb.Timer{{SessionID: 2, Kind: "x", DueAt: t0.Add(time.Hour)}}})
	next, ok, err := st.NextTimer(ctx)
	if err != nil || !ok || next.SessionID != 2 || !next.DueAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("next timer %+v %v %v", next, ok, err)
	}
	commit(b, sb.Change{SetTimers: []sb.Timer{{SessionID: 2, Kind: "x", DueAt: t0.Add(3 * time.Minute)}}})
	due, _ := st.DueTimers(ctx, t0.Add(3*time.Minute), 10)
	if len(due) != 2 || due[0].SessionID != 1 || string(due[0].Data) != `{"q":1}` || due[1].SessionID != 2 {
		t.Fatalf("due timers %+v", due)
	}
	if due, _ := st.DueTimers(ctx, t0.Add(time.Minute), 10); len(due) != 0 {
		t.Errorf("timers due early: %+v", due)
	}
	commit(a, sb.Change{CancelTimers: []string{"x"}})
	if due, _ := st.DueTimers(ctx, t0.Add(time.Hour), 10); len(due) != 1 || due[0].SessionID != 2 {
		t.Errorf("after cancel: %+v", due)
	}
}

func testFiredTimerOnlyOnce(t *testing.T, st Store) {
	ctx := context.Background()
	s := create(t, st, 1)
	tm := sb.Timer{SessionID: 1, Kind: "x", DueAt: t0.Add(time.Minute)}
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, SetTimers: []sb.Timer{tm}}}); err != nil {
		t.Fatal(err)
	}
	fire := func() error {
		return st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, FiredTimers: []sb.Timer{tm},
			Outbox: []sb.OutboxItem{{Kind: "k", SessionID: 1, Key: "once", Payload: []byte("x"), CreatedAt: t0, NextAttemptAt: t0}}}})
	}
	if err := fire(); err != nil {
		t.Fatal(err)
	}
	if err := fire(); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Errorf("second firing: %v, want precondition", err)
	}
	moved := tm
	moved.DueAt = t0.Add(time.Hour)
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, SetTimers: []sb.Timer{moved}}}); err != nil {
		t.Fatal(err)
	}
	if err := fire(); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Errorf("firing a moved timer: %v, want precondition", err)
	}
	if items, _ := st.Outbox(ctx, "", 10); len(items) != 1 {
		t.Errorf("%d outbox items, want 1", len(items))
	}
	// The change a timer causes may cancel or re-arm a timer of its own kind.
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, FiredTimers: []sb.Timer{moved}, CancelTimers: []string{"x"}}}); err != nil {
		t.Fatalf("firing and cancelling the same kind: %v", err)
	}
	again := sb.Timer{SessionID: 1, Kind: "x", DueAt: t0.Add(2 * time.Hour)}
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, SetTimers: []sb.Timer{again}}}); err != nil {
		t.Fatal(err)
	}
	later := sb.Timer{SessionID: 1, Kind: "x", DueAt: t0.Add(3 * time.Hour)}
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, FiredTimers: []sb.Timer{again}, SetTimers: []sb.Timer{later}}}); err != nil {
		t.Fatalf("firing and re-arming the same kind: %v", err)
	}
	if next, ok, _ := st.NextTimer(ctx); !ok || !next.DueAt.Equal(later.DueAt) {
		t.Errorf("after re-arming: %+v %v", next, ok)
	}
}

func testOutbox(t *testing.T, st Store) {
	ctx := context.Background()
	s := create(t, st, 1)
	item := sb.OutboxItem{Kind: "metadata", SessionID: 1, Key: "metadata/1/v1", Payload: []byte(`{"id":1}`), CreatedAt: t0, NextAttemptAt: t0}
	for i := 0; i < 2; i++ { // the same key twice is one delivery
		if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, Outbox: []sb.OutboxItem{item}}}); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := st.PendingOutbox(ctx, t0, 10)
	if len(pending) != 1 || pending[0].State != sb.OutboxPending || string(pending[0].Payload) != `{"id":1}` {
		t.Fatalf("pending %+v", pending)
	}
	it := pending[0]
	it.Attempts, it.NextAttemptAt, it.LastError = 1, t0.Add(5*time.Second), "disk full"
	if err := st.UpdateOutbox(ctx, it); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.PendingOutbox(ctx, t0, 10); len(p) != 0 {
		t.Errorf("a delivery is due before its next attempt")
	}
	if next, ok, _ := st.NextOutboxAttempt(ctx); !ok || !next.Equal(t0.Add(5*time.Second)) {
		t.Errorf("next attempt %v %v", next, ok)
	}
	it.State = sb.OutboxParked
	if err := st.UpdateOutbox(ctx, it); err != nil {
		t.Fatal(err)
	}
	parked, _ := st.Outbox(ctx, sb.OutboxParked, 10)
	if len(parked) != 1 || parked[0].Attempts != 1 || parked[0].LastError != "disk full" {
		t.Errorf("parked %+v", parked)
	}
	got, err := st.OutboxItem(ctx, it.ID)
	if err != nil || got.Key != item.Key {
		t.Errorf("item %+v %v", got, err)
	}
	if _, err := st.OutboxItem(ctx, 999); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("missing item: %v", err)
	}
	if _, ok, _ := st.NextOutboxAttempt(ctx); ok {
		t.Errorf("a parked delivery is still scheduled")
	}
}

func testConfig(t *testing.T, st Store) {
	ctx := context.Background()
	for _, id := range []int64{2, 1} {
		if err := st.PutConfig(ctx, "queue", id, []byte(fmt.Sprintf(`{"id":%d}`, id))); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutConfig(ctx, "queue", 2, []byte(`{"id":2,"name":"x"}`)); err != nil {
		t.Fatal(err)
	}
	docs, _ := st.ConfigDocs(ctx, "queue")
	if len(docs) != 2 || string(docs[0]) != `{"id":1}` || string(docs[1]) != `{"id":2,"name":"x"}` {
		t.Errorf("docs %q", docs)
	}
	if docs, _ := st.ConfigDocs(ctx, "agent"); len(docs) != 0 {
		t.Errorf("kinds leak into each other")
	}
	if err := st.DeleteConfig(ctx, "queue", 1); err != nil {
		t.Fatal(err)
	}
	if docs, _ := st.ConfigDocs(ctx, "queue"); len(docs) != 1 {
		t.Errorf("after delete: %q", docs)
	}
}

// The store hands out session and configuration IDs once each, above any
// ID stored, and never again after a delete.
func testIDSequences(t *testing.T, st Store) {
	ctx := context.Background()
	reserve := func(n int, want int64) {
		t.Helper()
		if first, err := st.ReserveSessionIDs(ctx, n); err != nil || first != want {
			t.Fatalf("ReserveSessionIDs(%d) = %d %v, want %d", n, first, err, want)
		}
	}
	reserve(3, 1)
	reserve(2, 4)
	create(t, st, 10) // stored with an ID it was not handed: a bulk load
	reserve(1, 11)
	if _, err := st.ReserveSessionIDs(ctx, 0); err == nil {
		t.Error("ReserveSessionIDs(0) succeeded")
	}
	next := func(kind string, want int64) {
		t.Helper()
		if id, err := st.NextConfigID(ctx, kind); err != nil || id != want {
			t.Fatalf("NextConfigID(%s) = %d %v, want %d", kind, id, err, want)
		}
	}
	next("queue", 1)
	next("queue", 2)
	if err := st.PutConfig(ctx, "queue", 7, []byte(`{"id":7}`)); err != nil {
		t.Fatal(err)
	}
	next("queue", 8)
	if err := st.PutConfig(ctx, "queue", 9, []byte(`{"id":9}`)); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteConfig(ctx, "queue", 9); err != nil {
		t.Fatal(err)
	}
	next("queue", 10)
	next("agent", 1)
}

func testTokens(t *testing.T, st Store) {
	ctx := context.Background()
	tok := sb.Token{Name: "crm", Role: sb.RoleIntegration, Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: t0}
	if err := st.CreateToken(ctx, &tok); err != nil || tok.ID == 0 {
		t.Fatalf("create: %v %d", err, tok.ID)
	}
	dup := tok
	if err := st.CreateToken(ctx, &dup); err == nil {
		t.Errorf("a second token with the same hash was stored")
	}
	got, err := st.TokenByHash(ctx, tok.Hash)
	if err != nil || got.ID != tok.ID || got.Role != sb.RoleIntegration || got.RevokedAt != nil {
		t.Fatalf("by hash: %+v %v", got, err)
	}
	if _, err := st.TokenByHash(ctx, []byte("nope")); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("unknown hash: %v", err)
	}
	if err := st.RevokeToken(ctx, tok.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeToken(ctx, tok.ID, t0.Add(2*time.Hour)); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("second revoke: %v", err)
	}
	got, _ = st.TokenByHash(ctx, tok.Hash)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("revoked at %v", got.RevokedAt)
	}
	list, _ := st.Tokens(ctx)
	if len(list) != 1 {
		t.Errorf("%d tokens", len(list))
	}
}

func testLiveSessions(t *testing.T, st Store) {
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		create(t, st, id)
	}
	s := session(2, sb.StatusFinished)
	s.Seq = 2
	end := t0.Add(time.Minute)
	s.EndedAt = &end
	if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: 1, Events: []sb.Event{ev(s, "ended")}}}); err != nil {
		t.Fatal(err)
	}
	live, err := st.LiveSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || live[0].ID != 1 || live[1].ID != 3 {
		t.Errorf("live sessions %v, want 1 and 3", live)
	}
}

func testServedCustomer(t *testing.T, st Store) {
	ctx := context.Background()
	commit := func(s *sb.Session, expected int64) {
		t.Helper()
		s.Seq = expected + 1
		if err := st.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: expected, Events: []sb.Event{ev(s, "e")}}}); err != nil {
			t.Fatal(err)
		}
	}
	handled := func(s *sb.Session, agents ...int64) {
		s.Handles = nil
		for _, a := range agents {
			s.Handles = append(s.Handles, sb.HandleSegment{Agent: sb.AgentRef{ID: a}})
		}
		s.Agent = &sb.AgentRef{ID: agents[len(agents)-1]}
	}
	a, b := session(1, sb.StatusFinished), session(2, sb.StatusQueued)
	a.EndUser = sb.EndUser{Identifier: "c-7", Email: "Ada@example.com"}
	handled(a, 4, 9, 4)
	b.EndUser = sb.EndUser{Email: "bob@example.com"}
	old := session(3, sb.StatusFinished)
	old.CreatedAt = t0.Add(-48 * time.Hour)
	old.EndUser = sb.EndUser{Identifier: "c-7"}
	handled(old, 4)
	for _, s := range []*sb.Session{a, b, old} {
		commit(s, 0)
	}
	// A session assigned after it was created, then transferred.
	c := session(4, sb.StatusQueued)
	c.EndUser = sb.EndUser{Identifier: "c-7"}
	commit(c, 0)
	handled(c, 7)
	commit(c, 1)
	commit(c, 2) // the same agent again
	handled(c, 7, 2)
	commit(c, 3)
	// The e-mail address identifies a customer without an identifier.
	handled(b, 3)
	commit(b, 1)
	for key, want := range map[string]string{
		"id:c-7":                "[{1 4} {1 9} {4 7} {4 2}]",
		"email:bob@example.com": "[{2 3}]",
		"email:ada@example.com": "[]",
		"id:c-8":                "[]",
	} {
		got, err := st.ServedCustomer(ctx, key, t0.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("served %s: %v, want %v", key, got, want)
		}
	}
	if got, _ := st.ServedCustomer(ctx, "id:c-7", t0.Add(-72*time.Hour)); fmt.Sprint(got) != "[{1 4} {1 9} {3 4} {4 7} {4 2}]" {
		t.Errorf("served over three days: %v", got)
	}
}
