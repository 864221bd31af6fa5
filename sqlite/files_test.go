package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard/sqlite"
)

// The database and the -wal and -shm files SQLite makes beside it are
// readable by their owner only: they hold visitor-token keys, identity
// secrets and personal data. A database an earlier version left wider is
// narrowed when it opens.
func TestDatabaseFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	check := func(when string, path string) {
		t.Helper()
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.PutConfig(ctx, "queue", 1, []byte(`{"id":1}`)); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if m := fi.Mode().Perm(); m != 0o600 {
				t.Errorf("%s: %s has mode %o, want 600", when, filepath.Base(p), m)
			}
		}
	}
	check("new", filepath.Join(dir, "new.db"))
	old := filepath.Join(dir, "old.db")
	db, err := sqlite.Open(ctx, old, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(old, 0o644); err != nil {
		t.Fatal(err)
	}
	check("narrowed", old)
}
