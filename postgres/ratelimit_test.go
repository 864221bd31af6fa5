package postgres_test

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/storetest"
)

// The shared rate-limit counters pass the suite the in-memory ones pass,
// concurrency included: hits from many connections at once are counted
// one after the other.
func TestRateLimitConformance(t *testing.T) {
	storetest.RunRateLimits(t, func(t *testing.T) sb.RateLimitStore { return openTest(t) })
}

// Pruning deletes the windows that are over and only those; the counts'
// writes prune on their own at most once a minute.
func TestPruneRateLimits(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	for _, q := range []sb.RateQuota{{Key: "k-a:short", Window: time.Minute}, {Key: "k-a:long", Window: time.Hour}} {
		if _, _, err := db.TakeRate(ctx, t0, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.PruneRateLimits(ctx, t0.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	var rows int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM rate_limits`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("%d rows left (%v), want 1", rows, err)
	}
	// A write two hours on prunes the long window, over by then.
	if err := db.StartRate(ctx, t0.Add(2*time.Hour), "k-b:1", time.Hour); err != nil {
		t.Fatal(err)
	}
	var keys []string
	r, err := db.Pool().Query(ctx, `SELECT key FROM rate_limits`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var k []byte
		if err := r.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, string(k))
	}
	if len(keys) != 1 || keys[0] != "k-b:1" {
		t.Errorf("rows after a later write: %v, want only k-b:1", keys)
	}
}
