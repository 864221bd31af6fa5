package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// The 0004 migration fills the end-user column of sessions stored before
// it from their projections.
func TestEndUserBackfill(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: 7, UUID: "00000000-0000-4000-8000-000000000007", Type: sb.TypeChatWeb, Medium: sb.MediumChat,
		Status: sb.StatusQueued, Seq: 1, EndUser: sb.EndUser{Identifier: "a:older"}, CreatedAt: at, UpdatedAt: at}
	ev := sb.Event{SessionID: 7, Seq: 1, Type: "session_created", Version: 1, Time: at, Data: []byte(`{}`)}
	if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{ev}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET end_user = NULL`); err != nil {
		t.Fatal(err)
	}
	body, err := migrations.ReadFile("migrations/0004_users.sql")
	if err != nil {
		t.Fatal(err)
	}
	var backfill string
	for _, stmt := range strings.Split(string(body), ";") {
		if strings.Contains(stmt, "UPDATE sessions SET end_user") {
			backfill = stmt
		}
	}
	if backfill == "" {
		t.Fatal("no backfill statement in 0004_users.sql")
	}
	if _, err := db.write.ExecContext(ctx, backfill); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sessions(ctx, sb.SessionFilter{EndUser: "a:older"})
	if err != nil || len(got) != 1 || got[0].ID != 7 {
		t.Fatalf("after the backfill: %v, %v", got, err)
	}
}
