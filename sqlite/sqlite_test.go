package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	sb "github.com/switchboardhq/switchboard"

	"github.com/switchboardhq/switchboard/sqlite"
	"github.com/switchboardhq/switchboard/storetest"
)

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestUserConformance(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) sb.UserStore {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// Reopening a store applies no migration twice and keeps the data.
func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := db.SchemaVersion(ctx)
	if err := db.PutConfig(ctx, "queue", 1, []byte(`{"id":1}`)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v2, _ := db.SchemaVersion(ctx)
	docs, _ := db.ConfigDocs(ctx, "queue")
	if v1 != v2 || v1 < 2 || len(docs) != 1 {
		t.Errorf("versions %d then %d, %d docs", v1, v2, len(docs))
	}
}

func TestOpenRefusesBadSynchronous(t *testing.T) {
	if _, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{Synchronous: "SOMETIMES"}); err == nil {
		t.Error("a bad synchronous mode was accepted")
	}
}

func TestReportConformance(t *testing.T) {
	storetest.RunReports(t, func(t *testing.T) sb.ReportStore {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
