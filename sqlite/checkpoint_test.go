package sqlite

import (
	"context"
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
	for i := 1; i <= 2*checkpointEvery; i++ {
		s := chatAt(int64(i), 1)
		e := eventAt(s.ID, 1, "session_created", `{"padding":"`+fmt.Sprintf("%0500d", i)+`"}`)
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
