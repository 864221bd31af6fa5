package node

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/postgres"
)

// A leader paused in the middle of a commit holds the fence's share lock
// on the lease row, on which the next leader's acquisition waits. The
// database ends the paused session once it has been idle in its
// transaction for the lease's TTL, and the other node leads.
func TestALeaderPausedMidTransactionDoesNotBlockTheNext(t *testing.T) {
	store := pgtest.New(t)
	c := clock.NewVirtual(t0)
	ctx := context.Background()
	a := startNode(t, "node-a", store, "", c)
	waitFor(t, c, false, "node-a to lead", a.Leading)
	b := startNode(t, "node-b", store, "", c)

	// What a commit of node-a's holds, left open: node-a is paused.
	tx, err := a.db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM leases WHERE name = $1 FOR SHARE`, postgres.LeaderLease); err != nil {
		t.Fatal(err)
	}
	a.stalled.Store(true)
	waitFor(t, c, true, "node-b to lead past node-a's open transaction", b.Leading)
}
