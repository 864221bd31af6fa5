package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Each test gets its own empty database on a real server.
func TestNewDatabaseIsEmptyAndOwn(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.New(t), pgtest.New(t)
	if a == b {
		t.Fatalf("two tests got the same database %s", a)
	}
	c, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE TABLE probe (v text); INSERT INTO probe VALUES ('中文')"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := c.QueryRow(ctx, "SELECT v FROM probe").Scan(&v); err != nil || v != "中文" {
		t.Fatalf("read back %q, %v", v, err)
	}
	d, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	var n int
	if err := d.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'probe'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the other database sees %d probe tables (%v)", n, err)
	}
}
