package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/localfs"
	"github.com/switchboardhq/switchboard/outbox"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlite.DB
	clock *clock.Virtual
	s     *sb.Session
}

// newEnv opens a fresh store holding one minimal session to hang
// deliveries on.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &sb.Session{ID: 1, UUID: "00000000-0000-4000-8000-000000000001", Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Direction: sb.Inbound, Channel: sb.ChannelWeb, Lang: "en", Status: sb.StatusQueued,
		Seq: 1, CreatedAt: t0, UpdatedAt: t0}
	ev := sb.Event{SessionID: 1, Seq: 1, Type: "session_created", Version: 1, Time: t0,
		Actor: sb.Actor{Kind: sb.ActorIntegration, ID: "1"}, Data: json.RawMessage(`{}`)}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{ev}}}); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, db: db, clock: clock.NewVirtual(t0), s: s}
}

// add commits a delivery due now and returns it as stored.
func (e *env) add(kind, key, payload string) sb.OutboxItem {
	e.t.Helper()
	now := e.clock.Now()
	item := sb.OutboxItem{Kind: kind, SessionID: e.s.ID, Key: key, Payload: []byte(payload), CreatedAt: now, NextAttemptAt: now}
	if err := e.db.Commit(e.ctx, []*sb.Change{{Session: e.s, ExpectedSeq: e.s.Seq, Outbox: []sb.OutboxItem{item}}}); err != nil {
		e.t.Fatal(err)
	}
	all, err := e.db.Outbox(e.ctx, "", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range all {
		if it.Key == key {
			return it
		}
	}
	e.t.Fatalf("delivery %s not stored", key)
	return sb.OutboxItem{}
}

func (e *env) get(id int64) sb.OutboxItem {
	e.t.Helper()
	it, err := e.db.OutboxItem(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return it
}

// deliverDue runs one pass and checks how many deliveries succeeded.
func (e *env) deliverDue(w *outbox.Worker, want int) {
	e.t.Helper()
	n, err := w.DeliverDue(e.ctx)
	if err != nil {
		e.t.Fatalf("DeliverDue: %v", err)
	}
	if n != want {
		e.t.Fatalf("DeliverDue at %s delivered %d, want %d", e.clock.Now().Sub(t0), n, want)
	}
}

// recorder is a deliverer that records its calls and fails while fail is set.
type recorder struct {
	calls []sb.OutboxItem
	fail  bool
}

func (r *recorder) deliver(_ context.Context, it sb.OutboxItem) error {
	r.calls = append(r.calls, it)
	if r.fail {
		return fmt.Errorf("boom %d", len(r.calls))
	}
	return nil
}

func TestSuccessfulDeliveryIsMarkedAndNotRepeated(t *testing.T) {
	e := newEnv(t)
	it := e.add("metadata", "metadata/1/v1", `{"id":1}`)
	rec := &recorder{}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}

	e.clock.Advance(3*time.Second + 250*time.Millisecond)
	at := e.clock.Now()
	e.deliverDue(w, 1)
	if len(rec.calls) != 1 {
		t.Fatalf("deliverer called %d times, want 1", len(rec.calls))
	}
	if c := rec.calls[0]; c.ID != it.ID || c.Key != "metadata/1/v1" || string(c.Payload) != `{"id":1}` || c.Attempts != 1 {
		t.Errorf("deliverer got %+v (payload %q)", c, c.Payload)
	}
	got := e.get(it.ID)
	if got.State != sb.OutboxDelivered || got.Attempts != 1 || got.LastError != "" {
		t.Errorf("after delivery: state %q, attempts %d, error %q", got.State, got.Attempts, got.LastError)
	}
	if got.DeliveredAt == nil || !got.DeliveredAt.Equal(at) {
		t.Errorf("delivered at %v, want %v", got.DeliveredAt, at)
	}
	if _, ok, _ := e.db.NextOutboxAttempt(e.ctx); ok {
		t.Errorf("a delivered item is still scheduled")
	}

	e.clock.Advance(24 * time.Hour)
	e.deliverDue(w, 0)
	if len(rec.calls) != 1 {
		t.Errorf("a delivered item was attempted again: %d calls", len(rec.calls))
	}
}

// A failing delivery is tried again exactly when its backoff has passed
// (5 s, 10 s, 20 s … with the defaults), and is parked after MaxAttempts.
func TestFailingDeliveryBacksOffAndParks(t *testing.T) {
	e := newEnv(t)
	it := e.add("metadata", "metadata/1/v1", `{}`)
	rec := &recorder{fail: true}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}

	e.deliverDue(w, 0)
	waits := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1280} // seconds, after attempts 1..9
	for i, s := range waits {
		wait := s * time.Second
		attempts := i + 1
		got := e.get(it.ID)
		if got.State != sb.OutboxPending || got.Attempts != attempts || got.LastError != fmt.Sprintf("boom %d", attempts) {
			t.Fatalf("after attempt %d: state %q, attempts %d, error %q", attempts, got.State, got.Attempts, got.LastError)
		}
		if want := e.clock.Now().Add(wait); !got.NextAttemptAt.Equal(want) {
			t.Fatalf("after attempt %d: next attempt at %v, want %v", attempts, got.NextAttemptAt, want)
		}
		if next, ok, _ := e.db.NextOutboxAttempt(e.ctx); !ok || !next.Equal(got.NextAttemptAt) {
			t.Fatalf("after attempt %d: store schedules %v %v", attempts, next, ok)
		}
		e.clock.Advance(wait - time.Millisecond)
		e.deliverDue(w, 0)
		if len(rec.calls) != attempts {
			t.Fatalf("attempt %d came before the %s backoff had passed", attempts+1, wait)
		}
		e.clock.Advance(time.Millisecond)
		e.deliverDue(w, 0)
		if len(rec.calls) != attempts+1 {
			t.Fatalf("attempt %d did not come %s after attempt %d (%d calls)", attempts+1, wait, attempts, len(rec.calls))
		}
	}

	// The 10th failure parks it.
	got := e.get(it.ID)
	if got.State != sb.OutboxParked || got.Attempts != 10 || got.LastError != "boom 10" || got.DeliveredAt != nil {
		t.Fatalf("after 10 failures: state %q, attempts %d, error %q, delivered %v", got.State, got.Attempts, got.LastError, got.DeliveredAt)
	}
	if p, _ := e.db.PendingOutbox(e.ctx, e.clock.Now().Add(365*24*time.Hour), 0); len(p) != 0 {
		t.Errorf("a parked item is pending: %+v", p)
	}
	if _, ok, _ := e.db.NextOutboxAttempt(e.ctx); ok {
		t.Errorf("a parked item is still scheduled")
	}
	parked, _ := e.db.Outbox(e.ctx, sb.OutboxParked, 0)
	if len(parked) != 1 || parked[0].ID != it.ID {
		t.Errorf("parked list %+v", parked)
	}
	e.clock.Advance(30 * 24 * time.Hour)
	e.deliverDue(w, 0)
	if len(rec.calls) != 10 {
		t.Errorf("a parked item was attempted again: %d calls", len(rec.calls))
	}
}

// The wait between attempts stops growing at MaxBackoff.
func TestRetryWaitIsCappedAtMaxBackoff(t *testing.T) {
	e := newEnv(t)
	it := e.add("metadata", "metadata/1/v1", `{}`)
	rec := &recorder{fail: true}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, MaxAttempts: 7, MaxBackoff: 30 * time.Second,
		Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}
	e.deliverDue(w, 0)
	for i, s := range []time.Duration{5, 10, 20, 30, 30, 30} {
		before := e.clock.Now()
		got := e.get(it.ID)
		if want := before.Add(s * time.Second); !got.NextAttemptAt.Equal(want) {
			t.Fatalf("after attempt %d: next at +%s, want +%s", i+1, got.NextAttemptAt.Sub(before), s*time.Second)
		}
		e.clock.Set(got.NextAttemptAt)
		e.deliverDue(w, 0)
		if len(rec.calls) != i+2 {
			t.Fatalf("attempt %d did not happen at its time", i+2)
		}
	}
	if got := e.get(it.ID); got.State != sb.OutboxParked || got.Attempts != 7 {
		t.Errorf("after 7 failures: state %q, attempts %d", got.State, got.Attempts)
	}
}

// Retry gives a parked item one more attempt, due at once; if that fails
// too, it parks again.
func TestRetryGivesAParkedItemOneMoreAttempt(t *testing.T) {
	e := newEnv(t)
	it := e.add("metadata", "metadata/1/v1", `{}`)
	rec := &recorder{fail: true}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, MaxAttempts: 3,
		Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}
	for i := 0; i < 3; i++ {
		e.deliverDue(w, 0)
		e.clock.Advance(time.Hour)
	}
	if got := e.get(it.ID); got.State != sb.OutboxParked || got.Attempts != 3 || len(rec.calls) != 3 {
		t.Fatalf("setup: state %q, attempts %d, calls %d", got.State, got.Attempts, len(rec.calls))
	}

	e.clock.Advance(1500 * time.Millisecond)
	now := e.clock.Now()
	r, err := outbox.Retry(e.ctx, e.db, e.clock, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := e.get(it.ID)
	if r.State != sb.OutboxPending || got.State != sb.OutboxPending || got.Attempts != 2 || !got.NextAttemptAt.Equal(now) {
		t.Fatalf("after Retry: returned %q, stored state %q, attempts %d, next %v (want pending, 2, %v)", r.State, got.State, got.Attempts, got.NextAttemptAt, now)
	}
	e.deliverDue(w, 0)
	if len(rec.calls) != 4 {
		t.Fatalf("retried item attempted %d times in total, want 4", len(rec.calls))
	}
	got = e.get(it.ID)
	if got.State != sb.OutboxParked || got.Attempts != 3 || got.LastError != "boom 4" {
		t.Fatalf("after the retried attempt failed: state %q, attempts %d, error %q", got.State, got.Attempts, got.LastError)
	}
	e.clock.Advance(24 * time.Hour)
	e.deliverDue(w, 0)
	if len(rec.calls) != 4 {
		t.Errorf("Retry gave more than one attempt: %d calls", len(rec.calls))
	}

	// Retried again with the cause fixed, it is delivered.
	if _, err := outbox.Retry(e.ctx, e.db, e.clock, it.ID); err != nil {
		t.Fatal(err)
	}
	rec.fail = false
	e.deliverDue(w, 1)
	got = e.get(it.ID)
	if got.State != sb.OutboxDelivered || got.DeliveredAt == nil || !got.DeliveredAt.Equal(e.clock.Now()) || got.LastError != "" {
		t.Errorf("after a successful retry: state %q, delivered %v, error %q", got.State, got.DeliveredAt, got.LastError)
	}

	// A delivered item cannot be retried, and is left as it was.
	if _, err := outbox.Retry(e.ctx, e.db, e.clock, it.ID); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("Retry of a delivered item: %v, want conflict", err)
	}
	if again := e.get(it.ID); again.State != sb.OutboxDelivered || again.Attempts != got.Attempts {
		t.Errorf("refused Retry changed the item: %+v", again)
	}
	if _, err := outbox.Retry(e.ctx, e.db, e.clock, 999); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("Retry of a missing item: %v, want not_found", err)
	}
}

// Retry of an item that is failing but not parked makes it due now.
func TestRetryOfAFailingItemMakesItDueNow(t *testing.T) {
	e := newEnv(t)
	it := e.add("metadata", "metadata/1/v1", `{}`)
	rec := &recorder{fail: true}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}
	e.deliverDue(w, 0)
	e.clock.Advance(time.Second) // 4 s before the backoff ends
	if _, err := outbox.Retry(e.ctx, e.db, e.clock, it.ID); err != nil {
		t.Fatal(err)
	}
	rec.fail = false
	e.deliverDue(w, 1)
	if got := e.get(it.ID); got.State != sb.OutboxDelivered || got.Attempts != 1 {
		t.Errorf("state %q, attempts %d, want delivered after 1 counted attempt", got.State, got.Attempts)
	}
}

// An item of a kind no deliverer handles is a failure like any other: it
// is retried and eventually parked, never dropped or marked delivered.
func TestUnknownKindFailsAndParks(t *testing.T) {
	e := newEnv(t)
	it := e.add("webhook", "webhook/1/v1", `{}`)
	rec := &recorder{}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, MaxAttempts: 3,
		Deliverers: map[string]outbox.Deliverer{"metadata": rec.deliver}}
	e.deliverDue(w, 0)
	got := e.get(it.ID)
	wantErr := `no deliverer for "webhook"`
	if got.State != sb.OutboxPending || got.Attempts != 1 || got.LastError != wantErr || !got.NextAttemptAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after one pass: state %q, attempts %d, error %q, next %v", got.State, got.Attempts, got.LastError, got.NextAttemptAt)
	}
	for i := 0; i < 2; i++ {
		e.clock.Advance(time.Hour)
		e.deliverDue(w, 0)
	}
	got = e.get(it.ID)
	if got.State != sb.OutboxParked || got.Attempts != 3 || got.LastError != wantErr || got.DeliveredAt != nil {
		t.Fatalf("after 3 passes: state %q, attempts %d, error %q, delivered %v", got.State, got.Attempts, got.LastError, got.DeliveredAt)
	}
	if len(rec.calls) != 0 {
		t.Errorf("another kind's deliverer was called %d times", len(rec.calls))
	}
}

// One failing item does not hold up the others in the same pass.
func TestFailureDoesNotBlockOtherItems(t *testing.T) {
	e := newEnv(t)
	bad := e.add("broken", "broken/1", `{}`)
	good := e.add("metadata", "metadata/1/v1", `{}`)
	rec := &recorder{}
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, Deliverers: map[string]outbox.Deliverer{
		"metadata": rec.deliver,
		"broken":   func(context.Context, sb.OutboxItem) error { return errors.New("down") },
	}}
	e.deliverDue(w, 1)
	if g := e.get(good.ID); g.State != sb.OutboxDelivered {
		t.Errorf("good item is %q", g.State)
	}
	if b := e.get(bad.ID); b.State != sb.OutboxPending || b.LastError != "down" {
		t.Errorf("bad item is %q with %q", b.State, b.LastError)
	}
}

func TestBackoff(t *testing.T) {
	w := &outbox.Worker{}
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, 5 * time.Second},
		{1, 5 * time.Second},
		{2, 10 * time.Second},
		{3, 20 * time.Second},
		{4, 40 * time.Second},
		{5, 80 * time.Second},
		{9, 1280 * time.Second},
		{10, 2560 * time.Second},
		{11, time.Hour}, // 5120 s capped
		{12, time.Hour},
		{1000, time.Hour},
	} {
		if got := w.Backoff(c.attempts); got != c.want {
			t.Errorf("default Backoff(%d) = %s, want %s", c.attempts, got, c.want)
		}
	}
	custom := &outbox.Worker{BaseBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for n, want := range []time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 6: 10 * time.Second} {
		if n == 0 {
			continue
		}
		if got := custom.Backoff(n); got != want {
			t.Errorf("custom Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// BlobDeliverer writes an item's payload to file storage under the key
// it names, and a later item for the same key replaces the file; a key
// the store refuses is a failed delivery, retried later.
func TestBlobDelivererWritesThePayload(t *testing.T) {
	e := newEnv(t)
	files, err := localfs.New(filepath.Join(t.TempDir(), "exports"))
	if err != nil {
		t.Fatal(err)
	}
	metadataKey := func(it sb.OutboxItem) string { return fmt.Sprintf("%d/metadata.json", it.SessionID) }
	w := &outbox.Worker{Store: e.db, Clock: e.clock, Logger: quiet, Deliverers: map[string]outbox.Deliverer{
		"metadata": outbox.BlobDeliverer(files, metadataKey),
		"escape":   outbox.BlobDeliverer(files, func(sb.OutboxItem) string { return "../escape.json" }),
	}}
	path := filepath.Join(files.Root(), "1", "metadata.json")
	e.add("metadata", "metadata/1/v1", `{"v":1}`)
	e.deliverDue(w, 1)
	if b, err := os.ReadFile(path); err != nil || string(b) != `{"v":1}` {
		t.Fatalf("the file holds %q (%v)", b, err)
	}
	e.add("metadata", "metadata/1/v2", `{"v":2}`)
	bad := e.add("escape", "escape/1", `{}`)
	e.deliverDue(w, 1)
	if b, err := os.ReadFile(path); err != nil || string(b) != `{"v":2}` {
		t.Errorf("after the second delivery the file holds %q (%v)", b, err)
	}
	if got := e.get(bad.ID); got.State != sb.OutboxPending || !strings.Contains(got.LastError, "bad file key") {
		t.Errorf("refused key: state %q, error %q", got.State, got.LastError)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(files.Root()), "escape.json")); !os.IsNotExist(err) {
		t.Errorf("a refused key wrote outside the root: %v", err)
	}
}
