package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/internal/s3test"
)

// The store named by a URL: the data directory's SQLite file by default,
// another file with sqlite:PATH; anything else is refused, without
// repeating a password.
func TestOpenStoreByURL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	def := filepath.Join(dir, "default.db")
	other := filepath.Join(dir, "other.db")
	for _, c := range []struct{ url, file string }{{"", def}, {"sqlite:", def}, {"sqlite:" + other, other}} {
		db, err := OpenStore(ctx, c.url, def, StoreOptions{})
		if err != nil {
			t.Fatalf("%q: %v", c.url, err)
		}
		if err := db.CheckWrite(ctx); err != nil {
			t.Errorf("%q: %v", c.url, err)
		}
		db.Close()
		if _, err := os.Stat(c.file); err != nil {
			t.Errorf("%q did not open %s: %v", c.url, c.file, err)
		}
	}
	_, err := OpenStore(ctx, "mysql://root:hunter2@db/sb", def, StoreOptions{})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "root:xxxxx@db") {
		t.Errorf("an unknown store: %v", err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	s3test.StopShared()
	os.Exit(code)
}
