package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// TestCheckpointerCopiesTheLog checks that the log is copied into the
// database file by the checkpointer, long before the writer's own
// automatic checkpoint would run (writerCheckpointPages).
func TestCheckpointerCopiesTheLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 2*checkpointEvery; i++ {
		s := &sb.Session{ID: int64(i), UUID: fmt.Sprint("u-", i), Type: sb.TypeChatWeb, Medium: sb.MediumChat,
			Channel: sb.ChannelWeb, Status: sb.StatusQueued, Seq: 1, CreatedAt: t0, UpdatedAt: t0}
		e := sb.Event{SessionID: s.ID, Seq: 1, Type: "session_created", Version: 1, Time: t0, Actor: sb.SystemActor,
			Data: json.RawMessage(`{"padding":"` + fmt.Sprintf("%0500d", i) + `"}`)}
		if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{e}}}); err != nil {
			t.Fatal(err)
		}
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for deadline := time.After(10 * time.Second); size() == before; {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("after %d commits the database file is still %d bytes: nothing was checkpointed", 2*checkpointEvery, before)
		}
	}
}
