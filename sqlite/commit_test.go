package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// A batch that changes one session several times (a command and its
// follow-ups) writes the session's last version, keeps every event, and
// records every agent any version names; a change that does not follow
// the one before it is refused and leaves nothing behind.
func TestCommitSessionChangedTwiceInABatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	version := func(seq int64, status sb.Status, agent int64) *sb.Session {
		s := &sb.Session{ID: 1, UUID: "u-1", Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
			Status: status, Seq: seq, CreatedAt: t0, UpdatedAt: t0.Add(time.Duration(seq) * time.Second)}
		if agent != 0 {
			s.Agent = &sb.AgentRef{ID: agent}
		}
		return s
	}
	ev := func(seq int64) []sb.Event {
		return []sb.Event{{SessionID: 1, Seq: seq, Type: "note", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)}}
	}
	batch := []*sb.Change{
		{Session: version(1, sb.StatusQueued, 0), Events: ev(1)},
		{Session: version(2, sb.StatusAssigned, 7), Events: ev(2), ExpectedSeq: 1},
		{Session: version(3, sb.StatusAssigned, 8), Events: ev(3), ExpectedSeq: 2},
	}
	if err := db.Commit(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got, err := db.Session(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 3 || got.Agent == nil || got.Agent.ID != 8 || !got.UpdatedAt.Equal(t0.Add(3*time.Second)) {
		t.Errorf("stored version %d with agent %+v, updated %s; want the last one", got.Seq, got.Agent, got.UpdatedAt)
	}
	var seq, agent int64
	if err := db.read.QueryRowContext(ctx, `SELECT seq, agent_id FROM sessions WHERE id = 1`).Scan(&seq, &agent); err != nil || seq != 3 || agent != 8 {
		t.Errorf("row: seq %d, agent %d, %v", seq, agent, err)
	}
	if events, err := db.SessionEvents(ctx, 1, 0, 10); err != nil || len(events) != 3 {
		t.Errorf("%d events, %v; want 3", len(events), err)
	}
	for _, a := range []int64{7, 8} {
		if ss, err := db.Sessions(ctx, sb.SessionFilter{HandledBy: a}); err != nil || len(ss) != 1 {
			t.Errorf("agent %d handled %d sessions, %v; want 1", a, len(ss), err)
		}
	}

	// Again for the agent index, once it remembers the pairs: a
	// rolled-back batch must not leave a pair remembered.
	bad := []*sb.Change{
		{Session: version(4, sb.StatusAssigned, 9), Events: ev(4), ExpectedSeq: 3},
		{Session: version(6, sb.StatusAssigned, 9), Events: ev(6), ExpectedSeq: 5},
	}
	if err := db.Commit(ctx, bad); sb.ErrorCode(err) != sb.EPRECONDITION {
		t.Fatalf("an unchained batch: %v, want %s", err, sb.EPRECONDITION)
	}
	failing := []*sb.Change{
		{Session: version(4, sb.StatusAssigned, 9), Events: ev(4), ExpectedSeq: 3},
		{Session: version(5, sb.StatusAssigned, 9), Events: ev(3), ExpectedSeq: 4}, // seq 3 exists: the insert fails
	}
	if err := db.Commit(ctx, failing); err == nil {
		t.Fatal("a batch with a duplicate event was committed")
	}
	if got, _ := db.Session(ctx, 1); got.Seq != 3 {
		t.Errorf("after refused batches the session is at %d, want 3", got.Seq)
	}
	if err := db.Commit(ctx, []*sb.Change{{Session: version(4, sb.StatusAssigned, 9), Events: ev(4), ExpectedSeq: 3}}); err != nil {
		t.Fatal(err)
	}
	if ss, err := db.Sessions(ctx, sb.SessionFilter{HandledBy: 9}); err != nil || len(ss) != 1 {
		t.Errorf("agent 9 handled %d sessions, %v; want 1", len(ss), err)
	}
}
