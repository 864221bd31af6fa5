package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type env struct {
	t     testing.TB
	path  string
	db    *sqlite.DB
	dir   *directory.Directory
	eng   *engine.Engine
	feed  *broker.Broker // the engine's publisher
	clock *clock.Virtual
}

// metadataStub renders the projection itself: the engine only needs some
// deterministic rendering to schedule and write.
func metadataStub(s *sb.Session) ([]byte, error) { return json.Marshal(s) }

func open(t testing.TB, path string, c *clock.Virtual) *env {
	t.Helper()
	return openWith(t, path, c, nil)
}

// openWith is open with the engine on wrap(db), when wrap is not nil.
func openWith(t testing.TB, path string, c *clock.Virtual, wrap func(*sqlite.DB) sb.EventStore) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		t.Fatal(err)
	}
	var store sb.EventStore = db
	if wrap != nil {
		store = wrap(db)
	}
	feed := broker.New()
	eng, err := engine.New(ctx, store, engine.Options{Clock: c, Directory: dir, Publisher: feed, Metadata: metadataStub, MetadataDelay: engine.DefaultMetadataDelay})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: path, db: db, dir: dir, eng: eng, feed: feed, clock: c}
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.eng != nil {
		e.eng.Close()
		e.db.Close()
		e.eng = nil
	}
}

func newEnv(t *testing.T) *env {
	e := open(t, filepath.Join(t.TempDir(), "sb.db"), clock.NewVirtual(t0))
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if _, err := e.dir.SaveAgent(ctx, sb.Agent{Name: fmt.Sprintf("Agent %d", i), Email: fmt.Sprintf("a%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.dir.SaveQueue(ctx, sb.Queue{Name: "Support", Priority: 2}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) create(cmd *lifecycle.Create) *sb.Session {
	e.t.Helper()
	res, err := e.eng.Create(context.Background(), cmd, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Session
}

func (e *env) do(id int64, cmd lifecycle.Command) *sb.Session {
	e.t.Helper()
	res, err := e.eng.Execute(context.Background(), id, cmd, sb.Actor{Kind: sb.ActorAgent, ID: "1"}, nil)
	if err != nil {
		e.t.Fatalf("%s: %v", cmd.Name(), err)
	}
	return res.Session
}

func connectCmd() lifecycle.Command { c, _ := lifecycle.NewStatusCommand("connect"); return c }

// Many goroutines commanding one session and many sessions at once: every
// acknowledged command is in the log, in a gapless sequence, and the
// stored projection equals the fold of the stored log.
func TestConcurrentCommandsAreSerializedPerSession(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const sessions, notes = 8, 50
	ids := make([]int64, sessions)
	for i := range ids {
		ids[i] = e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}).ID
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[int64]int{}
	for _, id := range ids {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < notes/4+1; n++ {
					cmd := &lifecycle.RecordEvent{Type: "customer_note", Data: json.RawMessage(`{"text":"hello"}`)}
					if err := cmd.Validate(); err != nil {
						t.Error(err)
						return
					}
					if _, err := e.eng.Execute(ctx, id, cmd, sb.SystemActor, nil); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					acked[id]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for _, id := range ids {
		events, err := e.db.SessionEvents(ctx, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		// session_created + queued + the notes
		if got, want := len(events), 2+acked[id]; got != want {
			t.Errorf("session %d: %d events, want %d", id, got, want)
		}
		for i, ev := range events {
			if ev.Seq != int64(i+1) {
				t.Fatalf("session %d: event %d has seq %d", id, i, ev.Seq)
			}
		}
		folded, err := lifecycle.Fold(events)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := e.db.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(folded)
		b, _ := json.Marshal(stored)
		if string(a) != string(b) {
			t.Errorf("session %d: stored projection differs from the fold of its log", id)
		}
	}
}

func TestIfMatchRefusesAStaleVersion(t *testing.T) {
	e := newEnv(t)
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	stale := s.Seq - 1
	_, err := e.eng.Execute(context.Background(), s.ID, &lifecycle.Assign{AgentID: 1}, sb.SystemActor, &engine.Cond{IfMatch: &stale})
	if sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Fatalf("err = %v, want precondition", err)
	}
	cur := s.Seq
	if _, err := e.eng.Execute(context.Background(), s.ID, &lifecycle.Assign{AgentID: 1}, sb.SystemActor, &engine.Cond{IfMatch: &cur}); err != nil {
		t.Fatal(err)
	}
}

// The metadata file is written once, MetadataDelay after the end, and again
// after a later change such as a late rating.
func TestMetadataIsWrittenAfterTheDelayAndAgainAfterALateRating(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	e.do(s.ID, &lifecycle.Assign{AgentID: 1})
	e.do(s.ID, connectCmd())
	e.clock.Advance(time.Minute)
	ended := e.clock.Now()
	s = e.do(s.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})

	next, ok, err := e.db.NextTimer(ctx)
	if err != nil || !ok {
		t.Fatalf("no metadata timer: %v", err)
	}
	if next.Kind != engine.TimerMetadata || !next.DueAt.Equal(ended.Add(15*time.Minute)) {
		t.Fatalf("timer = %s at %s, want metadata at %s", next.Kind, next.DueAt, ended.Add(15*time.Minute))
	}
	e.clock.Advance(14 * time.Minute)
	if n, err := e.eng.FireDue(ctx); err != nil || n != 0 {
		t.Fatalf("fired %d timers early (%v)", n, err)
	}
	e.clock.Advance(time.Minute)
	if n, err := e.eng.FireDue(ctx); err != nil || n != 1 {
		t.Fatalf("fired %d timers, want 1 (%v)", n, err)
	}
	items, _ := e.db.Outbox(ctx, "", 10)
	if len(items) != 1 || items[0].Key != fmt.Sprintf("metadata/%d/v%d", s.ID, s.Seq) {
		t.Fatalf("outbox keys = %q, want metadata/%d/v%d", items[0].Key, s.ID, s.Seq)
	}
	// A late rating: the file is written again, the delay after the change.
	e.clock.Advance(time.Hour)
	e.do(s.ID, &lifecycle.Rate{Rating: 4})
	e.clock.Advance(15 * time.Minute)
	if n, _ := e.eng.FireDue(ctx); n != 1 {
		t.Fatalf("the late rating did not re-arm the metadata timer")
	}
	items, _ = e.db.Outbox(ctx, "", 10)
	if len(items) != 2 {
		t.Fatalf("outbox has %d items, want 2", len(items))
	}
	var rendered sb.Session
	if err := json.Unmarshal(items[0].Payload, &rendered); err != nil || rendered.Rating == nil || *rendered.Rating != 4 {
		t.Errorf("second file does not carry the rating: %v", err)
	}
	if _, ok, _ := e.db.NextTimer(ctx); ok {
		t.Errorf("a timer is still pending")
	}
}

// A durable timer survives a restart and fires once: the scheduled call
// starts by itself at its time even though the engine was reopened.
func TestScheduledStartSurvivesRestartAndFiresOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := t0.Add(2 * time.Hour)
	s := e.create(&lifecycle.Create{Type: sb.TypeVoiceScheduledWeb, ScheduledAt: &at, QueueID: 1, EndUser: sb.EndUser{Phone: "+12223334444"}})
	e.close()

	e2 := open(t, e.path, e.clock)
	e2.clock.Set(at)
	n1, err := e2.eng.FireDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n2, _ := e2.eng.FireDue(ctx)
	if n1 != 1 || n2 != 0 {
		t.Fatalf("fired %d then %d timers, want 1 then 0", n1, n2)
	}
	got, err := e2.db.Session(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != sb.StatusQueued || got.Queue == nil || got.Queue.ID != 1 {
		t.Fatalf("after the start timer: %s in %+v", got.Status, got.Queue)
	}
	events, _ := e2.db.SessionEvents(ctx, s.ID, 0, 0)
	if last := events[len(events)-1]; last.Actor.Kind != sb.ActorSystem || !last.Time.Equal(at) {
		t.Errorf("start event by %s at %s, want system at %s", last.Actor.Kind, last.Time, at)
	}
}

// A timer whose session moved on (started by hand) ends without effect.
func TestTimerForASessionThatMovedOnIsDropped(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := t0.Add(time.Hour)
	s := e.create(&lifecycle.Create{Type: sb.TypeVoiceScheduledWeb, ScheduledAt: &at})
	e.do(s.ID, &lifecycle.Start{})
	if _, ok, _ := e.db.NextTimer(ctx); ok {
		t.Fatalf("starting by hand did not cancel the start timer")
	}
	s2 := e.create(&lifecycle.Create{Type: sb.TypeVoiceScheduledWeb, ScheduledAt: &at})
	e.do(s2.ID, &lifecycle.Fail{Reason: "canceled"})
	e.clock.Set(at.Add(time.Minute))
	before, _ := e.db.SessionEvents(ctx, s2.ID, 0, 0)
	if _, err := e.eng.FireDue(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := e.db.SessionEvents(ctx, s2.ID, 0, 0)
	if len(after) != len(before) {
		t.Errorf("the start timer of a failed session appended %d events", len(after)-len(before))
	}
}

// Events reach subscribers only after the commit, in order.
func TestPublishAfterCommit(t *testing.T) {
	e := newEnv(t)
	sub := e.feed.Subscribe(0, 100)
	defer sub.Close()
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	for i := 0; i < 2; i++ {
		ev := <-sub.C()
		stored, err := e.db.Events(context.Background(), ev.ID-1, 1)
		if err != nil || len(stored) != 1 || stored[0].Seq != ev.Seq || stored[0].SessionID != s.ID {
			t.Fatalf("published event %d is not committed: %v %+v", ev.ID, err, stored)
		}
	}
}

// A caller gets its answer only after its batch's events were published,
// those of the commands committed with it included: a subscriber that
// relays answers (a WebSocket connection) never has an answer in hand
// before an event committed ahead of it.
func TestPublishBeforeAnswer(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	published := map[int64]bool{}
	w := e.feed.Watch(0, func(ev sb.Event) {
		mu.Lock()
		published[ev.ID] = true
		mu.Unlock()
	}, nil)
	defer w.Close()
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				cmd := &lifecycle.RecordEvent{Type: "customer_note", Data: json.RawMessage(`{"text":"hello"}`)}
				if err := cmd.Validate(); err != nil {
					t.Error(err)
					return
				}
				res, err := e.eng.Execute(context.Background(), s.ID, cmd, sb.SystemActor, nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				// Every event committed so far — this batch's too — was published.
				all, _ := e.db.Events(context.Background(), 0, 0)
				for _, ev := range all {
					if ev.ID <= res.Events[len(res.Events)-1].ID && !published[ev.ID] {
						t.Errorf("answered before event %d (seq %d) was published", ev.ID, ev.Seq)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// A failed call queued again is live: its pending metadata write is
// cancelled, and the file is written the delay after its real end.
func TestRequeueAfterFailureCancelsTheMetadataWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.create(&lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1})
	e.do(s.ID, &lifecycle.Assign{AgentID: 1})
	e.do(s.ID, &lifecycle.Fail{Reason: "carrier_error"})
	if _, ok, _ := e.db.NextTimer(ctx); !ok {
		t.Fatal("a failed session has no metadata timer")
	}
	e.clock.Advance(time.Minute)
	live := e.do(s.ID, &lifecycle.Requeue{QueueID: 1})
	if live.EndedAt != nil || live.FailReason != "" {
		t.Errorf("requeued session still ended at %v with %q", live.EndedAt, live.FailReason)
	}
	if _, ok, _ := e.db.NextTimer(ctx); ok {
		t.Fatal("the metadata timer of the failure is still pending")
	}
	e.do(s.ID, &lifecycle.Assign{AgentID: 2})
	e.do(s.ID, connectCmd())
	e.clock.Advance(20 * time.Minute)
	end := e.clock.Now()
	e.do(s.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	next, ok, _ := e.db.NextTimer(ctx)
	if !ok || !next.DueAt.Equal(end.Add(15*time.Minute)) {
		t.Fatalf("metadata timer at %v, want %v", next.DueAt, end.Add(15*time.Minute))
	}
}

// Recovering a failed session is a new end: the write moves to the delay
// after it.
func TestRecoveryMovesTheMetadataWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s := e.create(&lifecycle.Create{Type: sb.TypeVoiceInbound})
	e.do(s.ID, &lifecycle.Fail{Reason: "carrier_error"})
	e.clock.Advance(10 * time.Minute)
	recovered := e.clock.Now()
	rec, _ := lifecycle.NewStatusCommand("recover")
	e.do(s.ID, rec)
	next, _, _ := e.db.NextTimer(ctx)
	if !next.DueAt.Equal(recovered.Add(15 * time.Minute)) {
		t.Errorf("metadata timer at %v, want %v", next.DueAt, recovered.Add(15*time.Minute))
	}
}
