package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/postgres"
)

// watcher runs WatchConfig on db until the test ends, handing over the
// changes it reports and, once it returns, its error.
type watcher struct {
	t       *testing.T
	changes chan sb.ConfigChange
	done    chan error
}

func watch(t *testing.T, db *postgres.DB) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{t: t, changes: make(chan sb.ConfigChange, 100), done: make(chan error, 1)}
	go func() { w.done <- db.WatchConfig(ctx, func(c sb.ConfigChange) { w.changes <- c }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-w.done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("WatchConfig: %v", err)
		}
	})
	if c := w.next(); !c.Resync() {
		t.Fatalf("first change = %+v, want a resync", c)
	}
	return w
}

// next waits for the next change; the notifications travel through the
// server, so the wait is bounded rather than instant.
func (w *watcher) next() sb.ConfigChange {
	w.t.Helper()
	select {
	case c := <-w.changes:
		return c
	case err := <-w.done:
		w.t.Fatalf("WatchConfig returned: %v", err)
	case <-time.After(10 * time.Second):
		w.t.Fatal("no change reported within 10s")
	}
	return sb.ConfigChange{}
}

func (w *watcher) expect(want ...sb.ConfigChange) {
	w.t.Helper()
	for _, c := range want {
		if got := w.next(); got != c {
			w.t.Fatalf("change = %+v, want %+v", got, c)
		}
	}
}

func openTwo(t *testing.T) (a, b *postgres.DB) {
	t.Helper()
	url := pgtest.New(t)
	for _, db := range []**postgres.DB{&a, &b} {
		var err error
		if *db, err = postgres.Open(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*db).Close() })
	}
	return a, b
}

// Every config and token write, made through another pool (another
// node), reaches the watcher, in commit order.
func TestWatchConfigReportsWritesOfEveryNode(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	w := watch(t, a)
	if err := b.PutConfig(ctx, "queue", 7, []byte(`{"id":7}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.PutConfig(ctx, "routing_settings", 1, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteConfig(ctx, "queue", 7); err != nil {
		t.Fatal(err)
	}
	tok := &sb.Token{Name: "ci", Role: sb.RoleIntegration, Hash: []byte("h1"), CreatedAt: time.Unix(1, 0)}
	if err := b.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := b.RevokeToken(ctx, tok.ID, time.Unix(2, 0)); err != nil {
		t.Fatal(err)
	}
	// This node's own writes are reported too.
	if err := a.PutConfig(ctx, "agent", 3, []byte(`{"id":3}`)); err != nil {
		t.Fatal(err)
	}
	w.expect(sb.ConfigChange{Kind: "queue", ID: 7}, sb.ConfigChange{Kind: "routing_settings", ID: 1},
		sb.ConfigChange{Kind: "queue", ID: 7}, sb.ConfigChange{Kind: sb.KindToken, ID: tok.ID},
		sb.ConfigChange{Kind: sb.KindToken, ID: tok.ID}, sb.ConfigChange{Kind: "agent", ID: 3})
}

// A write that fails or rolls back notifies nothing: the notification is
// sent by the writing transaction's trigger, and PostgreSQL delivers it
// only on commit. The committed write made last shows that nothing came
// before it: notifications arrive in commit order.
func TestWatchConfigReportsNoWriteThatRolledBack(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	tok := &sb.Token{Name: "ci", Role: sb.RoleIntegration, Hash: []byte("h1"), CreatedAt: time.Unix(1, 0)}
	if err := b.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	w := watch(t, a)

	tx, err := b.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO config (kind, id, doc) VALUES ('queue', 1, '{}')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	dup := &sb.Token{Name: "dup", Role: sb.RoleIntegration, Hash: []byte("h1"), CreatedAt: time.Unix(3, 0)}
	if err := b.CreateToken(ctx, dup); err == nil {
		t.Fatal("a second token with the same hash was created")
	}
	if err := b.RevokeToken(ctx, tok.ID+100, time.Unix(4, 0)); err == nil {
		t.Fatal("an unknown token was revoked")
	}
	// A batch whose last statement fails rolls back its first one's write.
	batchFails := `INSERT INTO config (kind, id, doc) VALUES ('queue', 2, '{}'); SELECT 1/0`
	if _, err := b.Pool().Exec(ctx, batchFails); err == nil {
		t.Fatal("the failing batch succeeded")
	}

	if err := b.PutConfig(ctx, "queue", 9, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	w.expect(sb.ConfigChange{Kind: "queue", ID: 9})
}

// A truncated table says nothing of which rows went: a resync.
func TestWatchConfigReportsTruncateAsResync(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	w := watch(t, a)
	if _, err := b.Pool().Exec(ctx, `TRUNCATE config`); err != nil {
		t.Fatal(err)
	}
	if c := w.next(); !c.Resync() {
		t.Fatalf("change = %+v, want a resync", c)
	}
}

// When its connection is lost WatchConfig returns an error (not the
// context's), and a new call resyncs and reports again.
func TestWatchConfigReturnsWhenItsConnectionIsLost(t *testing.T) {
	ctx := context.Background()
	a, b := openTwo(t)
	changes := make(chan sb.ConfigChange, 10)
	done := make(chan error, 1)
	go func() { done <- a.WatchConfig(ctx, func(c sb.ConfigChange) { changes <- c }) }()
	select {
	case c := <-changes:
		if !c.Resync() {
			t.Fatalf("first change = %+v, want a resync", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no resync within 10s")
	}
	tag, err := b.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query = 'LISTEN `+postgres.ConfigChannel+`' AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	if tag.RowsAffected() != 1 {
		t.Fatalf("terminated %d listening backends, want 1", tag.RowsAffected())
	}
	select {
	case err := <-done:
		if err == nil || errors.Is(err, context.Canceled) {
			t.Fatalf("WatchConfig returned %v, want the lost connection's error", err)
		}
		if sb.ErrorCode(err) != sb.EUNAVAILABLE {
			t.Errorf("error code = %s, want %s (%v)", sb.ErrorCode(err), sb.EUNAVAILABLE, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchConfig did not return within 10s of losing its connection")
	}

	w := watch(t, a) // begins with a resync
	if err := b.PutConfig(ctx, "queue", 4, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	w.expect(sb.ConfigChange{Kind: "queue", ID: 4})
}
