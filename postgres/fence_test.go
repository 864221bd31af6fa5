package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
)

// A store fenced by a term writes the leader's state while the term is
// current and refuses every write once another node's term has begun:
// the session, its events, its timers and the report facts of a deposed
// leader never land. A store fenced with epoch 0 (a follower) writes
// nothing.
func TestCommitChecksTheFence(t *testing.T) {
	ctx := context.Background()
	db := openLeaseDB(t)
	c := clock.NewVirtual(leaseT0)
	a := db.Lease("leader", "node-a", "", 5*time.Second, c)
	b := db.Lease("leader", "node-b", "", 5*time.Second, c)
	change := func(id, seq int64) *sb.Change {
		s := &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
			Medium: sb.MediumChat, Channel: sb.ChannelWeb, Status: sb.StatusQueued, Seq: seq, CreatedAt: leaseT0, UpdatedAt: leaseT0}
		return &sb.Change{Session: s, ExpectedSeq: seq - 1,
			Events:    []sb.Event{{SessionID: id, Seq: seq, Type: "note", Version: 1, Time: leaseT0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)}},
			SetTimers: []sb.Timer{{SessionID: id, Kind: "queue_timeout", DueAt: leaseT0.Add(time.Minute)}}}
	}
	facts := func(id int64) []sb.SessionFacts { return []sb.SessionFacts{{SessionID: id, Seq: 1}} }

	db.SetFence(Fence{Lease: "leader"}) // a follower
	if err := db.Commit(ctx, []*sb.Change{change(1, 1)}); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Fatalf("a follower's commit: %v, want unavailable", err)
	}

	ta, _, err := a.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.SetFence(Fence{Lease: "leader", Epoch: ta.Epoch})
	if err := db.Commit(ctx, []*sb.Change{change(1, 1)}); err != nil {
		t.Fatalf("the leader's commit: %v", err)
	}
	if err := db.PutFacts(ctx, facts(1), 1); err != nil {
		t.Fatalf("the leader's facts: %v", err)
	}

	c.Advance(6 * time.Second)
	tb, ok, err := b.Acquire(ctx)
	if err != nil || !ok {
		t.Fatalf("b: %v %v", ok, err)
	}
	if err := db.Commit(ctx, []*sb.Change{change(1, 2), change(2, 1)}); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("the deposed leader's commit: %v, want unavailable", err)
	}
	if err := db.PutFacts(ctx, facts(2), 2); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("the deposed leader's facts: %v, want unavailable", err)
	}
	if err := db.ResetFacts(ctx); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("the deposed leader's reset: %v, want unavailable", err)
	}

	var sessions, events, timers, reported int
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM events),
		(SELECT count(*) FROM timers), (SELECT count(*) FROM report_sessions)`).Scan(&sessions, &events, &timers, &reported); err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || events != 1 || timers != 1 || reported != 1 {
		t.Errorf("stored: %d sessions, %d events, %d timers, %d facts; want what the first term wrote: 1 of each",
			sessions, events, timers, reported)
	}
	if s, err := db.Session(ctx, 1); err != nil || s.Seq != 1 {
		t.Errorf("session 1: %+v %v, want version 1", s, err)
	}

	db.SetFence(Fence{Lease: "leader", Epoch: tb.Epoch}) // the new leader's store
	if err := db.Commit(ctx, []*sb.Change{change(1, 2), change(2, 1)}); err != nil {
		t.Errorf("the new leader's commit: %v", err)
	}
}
