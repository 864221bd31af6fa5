package postgres_test

import (
	"context"
	"sync"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Nodes that start together on one database migrate it once: each Open
// waits for the one migrating, and all find the same schema.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	dbs := make([]*postgres.DB, 4)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = postgres.Open(ctx, url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var n, versions int
	if err := dbs[0].Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&n, &versions); err != nil {
		t.Fatal(err)
	}
	if n != versions || n == 0 {
		t.Errorf("schema_migrations holds %d rows for %d versions, want each version once", n, versions)
	}
	for _, db := range dbs {
		if err := db.CheckWrite(ctx); err != nil {
			t.Errorf("write check: %v", err)
		}
	}
}

// A store whose database server is gone answers unavailable, not
// internal: the condition lies in the database, not in the request.
func TestLostDatabaseIsUnavailable(t *testing.T) {
	pgtest.New(t) // skips where PostgreSQL is not installed
	srv, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx := context.Background()
	url, err := srv.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckWrite(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	err = db.CheckWrite(ctx)
	if sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("write check with the server stopped: %v (%s), want unavailable", err, sb.ErrorCode(err))
	}
}
