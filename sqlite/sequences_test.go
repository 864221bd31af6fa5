package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/sqlite"
)

// A store from before the ID sequences continues after its largest
// session and configuration IDs once the migration has run.
func TestSequencesStartAfterExistingIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.ReserveSessionIDs(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	for id := first; id < first+5; id++ {
		createSession(t, db, id)
	}
	if err := db.PutConfig(ctx, "queue", 4, []byte(`{"id":4}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Take the store back to the schema before the sequences.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DROP TABLE id_sequences; DELETE FROM schema_migrations WHERE version = 10`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if first, err := db.ReserveSessionIDs(ctx, 1); err != nil || first != 6 {
		t.Errorf("first session ID after the migration: %d %v, want 6", first, err)
	}
	if id, err := db.NextConfigID(ctx, "queue"); err != nil || id != 5 {
		t.Errorf("first queue ID after the migration: %d %v, want 5", id, err)
	}
}

func createSession(t *testing.T, db *sqlite.DB, id int64) {
	t.Helper()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	s := &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Status: sb.StatusQueued, Seq: 1, CreatedAt: at, UpdatedAt: at}
	ev := sb.Event{SessionID: id, Seq: 1, Type: "session_created", Version: 1, Time: at, Data: []byte(`{}`)}
	if err := db.Commit(context.Background(), []*sb.Change{{Session: s, Events: []sb.Event{ev}}}); err != nil {
		t.Fatal(err)
	}
}
