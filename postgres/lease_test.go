package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

var leaseT0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func openLeaseDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// One node holds the lease at a time; another takes it only once the
// term expires, with a larger epoch, and the first then cannot renew.
func TestLeaseTerms(t *testing.T) {
	ctx := context.Background()
	db := openLeaseDB(t)
	c := clock.NewVirtual(leaseT0)
	a := db.Lease("leader", "node-a", "http://127.0.0.1:7001", 5*time.Second, c)
	b := db.Lease("leader", "node-b", "http://127.0.0.1:7002", 5*time.Second, c)

	if _, err := a.Holder(ctx); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Fatalf("holder of a new lease: %v, want not_found", err)
	}
	ta, ok, err := a.Acquire(ctx)
	if err != nil || !ok || ta.Epoch != 1 || !ta.Expires.Equal(leaseT0.Add(5*time.Second)) {
		t.Fatalf("first acquire: %+v %v %v", ta, ok, err)
	}
	if _, ok, err := b.Acquire(ctx); err != nil || ok {
		t.Fatalf("b took a running term: %v %v", ok, err)
	}
	c.Advance(4 * time.Second)
	if ta, err = a.Renew(ctx, ta); err != nil || !ta.Expires.Equal(leaseT0.Add(9*time.Second)) {
		t.Fatalf("renew: %+v %v", ta, err)
	}
	c.Advance(4 * time.Second) // 8 s: renewed until 9 s
	if _, ok, _ := b.Acquire(ctx); ok {
		t.Fatal("b took a renewed term")
	}
	c.Advance(time.Second) // 9 s: expired
	tb, ok, err := b.Acquire(ctx)
	if err != nil || !ok || tb.Epoch != 2 {
		t.Fatalf("b after expiry: %+v %v %v", tb, ok, err)
	}
	if _, err := a.Renew(ctx, ta); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("a renewed a term b ended: %v", err)
	}
	h, err := a.Holder(ctx)
	if err != nil || h.Node != "node-b" || h.Address != "http://127.0.0.1:7002" || h.Epoch != 2 {
		t.Errorf("holder: %+v %v", h, err)
	}

	// A clean shutdown hands over at once; a restarted node takes its own
	// lease back with a new epoch, which fences its earlier run.
	if err := b.Release(ctx, tb); err != nil {
		t.Fatal(err)
	}
	if ta, ok, err = a.Acquire(ctx); err != nil || !ok || ta.Epoch != 3 {
		t.Fatalf("a after b released: %+v %v %v", ta, ok, err)
	}
	if again, ok, err := a.Acquire(ctx); err != nil || !ok || again.Epoch != 4 {
		t.Fatalf("a restarted: %+v %v %v", again, ok, err)
	}
	if _, err := a.Renew(ctx, ta); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("the earlier run of a renewed: %v", err)
	}
}

// A deposed leader cannot commit: a transaction that checked the old term
// holds the new holder's acquisition until it ends, and every transaction
// after it sees the new epoch and is refused.
func TestFenceRefusesAnEndedTerm(t *testing.T) {
	ctx := context.Background()
	db := openLeaseDB(t)
	c := clock.NewVirtual(leaseT0)
	a := db.Lease("leader", "node-a", "", 5*time.Second, c)
	b := db.Lease("leader", "node-b", "", 5*time.Second, c)
	ta, _, err := a.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `CREATE TABLE probe (v text)`); err != nil {
		t.Fatal(err)
	}
	fenced := func(f Fence, v string) error {
		return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if err := f.check(ctx, tx); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO probe VALUES ($1)`, v)
			return err
		})
	}
	fa := Fence{Lease: "leader", Epoch: ta.Epoch}
	if err := fenced(fa, "a1"); err != nil {
		t.Fatalf("the holder's commit: %v", err)
	}

	// a's transaction is inside its term when b's acquisition comes.
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := fa.check(ctx, tx); err != nil {
		t.Fatal(err)
	}
	c.Advance(6 * time.Second)
	acquired := make(chan Term, 1)
	go func() {
		tb, ok, err := b.Acquire(ctx)
		if err != nil || !ok {
			t.Errorf("b: %v %v", ok, err)
		}
		acquired <- tb
	}()
	waitForLockWait(t, db)
	select {
	case <-acquired:
		t.Fatal("b acquired while a's transaction held the old term")
	default:
	}
	if _, err := tx.Exec(ctx, `INSERT INTO probe VALUES ('a2')`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatalf("a's transaction begun in its term: %v", err)
	}
	tb := <-acquired
	if tb.Epoch != 2 {
		t.Fatalf("b's term: %+v", tb)
	}
	if err := fenced(fa, "a3"); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("a's commit after b's acquisition: %v, want unavailable", err)
	}
	if err := fenced(Fence{Lease: "leader", Epoch: tb.Epoch}, "b1"); err != nil {
		t.Errorf("b's commit: %v", err)
	}
	var got []string
	rows, _ := db.pool.Query(ctx, `SELECT v FROM probe ORDER BY v`)
	got, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(got) != 3 || got[0] != "a1" || got[1] != "a2" || got[2] != "b1" {
		t.Errorf("committed: %v %v, want a1 a2 b1", got, err)
	}
}

// waitForLockWait waits until a session of the test's database waits for
// a row lock: the acquisition queued behind the fenced transaction.
func waitForLockWait(t *testing.T, db *DB) {
	t.Helper()
	for range 500 {
		var n int
		if err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling another process, not test logic
	}
	t.Fatal("the acquisition never waited for the lock")
}
