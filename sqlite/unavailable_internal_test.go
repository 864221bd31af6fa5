package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func newSession(id int64) *sb.Change {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Status: sb.StatusQueued, Seq: 1, CreatedAt: at, UpdatedAt: at}
	data := fmt.Sprintf(`{"pad":%q}`, make([]byte, 2000))
	ev := sb.Event{SessionID: id, Seq: 1, Type: "session_created", Version: 1, Time: at, Data: []byte(data)}
	return &sb.Change{Session: s, Events: []sb.Event{ev}}
}

// A store that is full (SQLite's own SQLITE_FULL, reached through
// max_page_count) refuses writes with EUNAVAILABLE, fails its write check
// until there is room again, and then takes writes again.
func TestAFullStoreIsUnavailableUntilThereIsRoom(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatalf("write check of a new store: %v", err)
	}
	var pages int64
	if err := db.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+20)); err != nil {
		t.Fatal(err)
	}
	id := int64(1)
	for ; ; id++ {
		err := db.Commit(ctx, []*sb.Change{newSession(id)})
		if err == nil {
			continue
		}
		if sb.ErrorCode(err) != sb.EUNAVAILABLE || sb.ErrorMessage(err) != "the store cannot write: the disk or database is full" {
			t.Fatalf("commit %d into a full store: %v (code %s)", id, err, sb.ErrorCode(err))
		}
		break
	}
	if id < 3 {
		t.Fatalf("the store was full after %d sessions: the test did not fill it", id-1)
	}
	for i := 0; i < 2; i++ { // and again: the check itself frees nothing
		if err := db.CheckWrite(ctx); sb.ErrorCode(err) != sb.EUNAVAILABLE {
			t.Fatalf("write check %d of a full store: %v", i+1, err)
		}
	}
	if err := db.PutConfig(ctx, "queue", 1, make([]byte, 64<<10)); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("config write into a full store: %v", err)
	}
	// The condition clears: room again.
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2000)); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatalf("write check once there is room: %v", err)
	}
	if err := db.Commit(ctx, []*sb.Change{newSession(id)}); err != nil {
		t.Fatalf("commit once there is room: %v", err)
	}
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatalf("write check after: %v", err)
	}
}

// The write check fails, as unavailable, on a store that refuses writes
// with SQLITE_READONLY. A test running as root cannot make a file or file
// system read-only to itself; SQLite's query_only switch gives the same
// result code through the same path.
func TestAReadOnlyStoreFailsTheWriteCheck(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if _, err := db.write.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckWrite(ctx); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Fatalf("write check of a read-only store: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatalf("write check once writable: %v", err)
	}
}
