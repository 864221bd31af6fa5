package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/storetest"
)

// openTest opens a store in a new file of the test's temp directory,
// closed when the test ends.
func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// dumpTable returns every row of a query as text, in order.
func dumpRows(t *testing.T, db *DB, q string) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

// checkRollups holds every rollup table to the sums of its facts,
// computed afresh: the incremental updates must leave exactly that, with
// no empty rows left behind.
func checkRollups(t *testing.T, db *DB) {
	t.Helper()
	th, err := db.QueueThreshold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rollups() {
		order := "day, " + strings.Join(r.keys, ", ")
		got := dumpRows(t, db, fmt.Sprintf("SELECT day, %s, %s FROM %s ORDER BY %s", strings.Join(r.keys, ", "),
			strings.Join(r.fam.vals, ", "), r.table, order))
		fresh := r.freshSQL(th.Milliseconds()) + " ORDER BY " + order
		want := dumpRows(t, db, fresh)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s holds %d rows, its facts add up to %d:\n%v\n%v", r.table, len(got), len(want), got, want)
		}
	}
}

func TestReportRollupsMatchFacts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	r := rand.New(rand.NewPCG(11, 12))
	var batch []sb.SessionFacts
	for id := int64(1); id <= 300; id++ {
		batch = append(batch, storetest.RandomFacts(r, id))
	}
	if err := db.PutFacts(ctx, batch, 1); err != nil {
		t.Fatal(err)
	}
	checkRollups(t, db)
	for round := range 4 {
		batch = batch[:0]
		for range 80 {
			batch = append(batch, storetest.RandomFacts(r, 1+r.Int64N(320)))
		}
		if err := db.PutFacts(ctx, batch, int64(2+round)); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, db)
	}
	if err := db.SetQueueThreshold(ctx, 45*time.Second); err != nil {
		t.Fatal(err)
	}
	if d, err := db.QueueThreshold(ctx); err != nil || d != 45*time.Second {
		t.Errorf("threshold %v %v", d, err)
	}
	checkRollups(t, db)
	// Replacing every session by facts with nothing leaves empty rollups.
	batch = batch[:0]
	for id := int64(1); id <= 320; id++ {
		batch = append(batch, sb.SessionFacts{SessionID: id, Session: sb.SessionFact{At: time.UnixMilli(0)}})
	}
	if err := db.PutFacts(ctx, batch, 10); err != nil {
		t.Fatal(err)
	}
	checkRollups(t, db)
	if rows := dumpRows(t, db, "SELECT day, sessions FROM report_session_days"); len(rows) != 1 || rows[0] != "0 320" {
		t.Errorf("session rollup of empty sessions: %v", rows)
	}
	for _, r := range rollups() {
		if rows := dumpRows(t, db, "SELECT * FROM "+r.table); len(rows) != 0 && r.fam != sessionFamily {
			t.Errorf("%s keeps %d rows", r.table, len(rows))
		}
	}
}

// The rollup answers equal the answers read from the facts alone.
func TestReportRollupsAgainstRawScan(t *testing.T) {
	ctx := context.Background()
	raw := context.WithValue(ctx, rawReportsKey{}, true)
	db := openTest(t)
	r := rand.New(rand.NewPCG(21, 22))
	var batch []sb.SessionFacts
	for id := int64(1); id <= 500; id++ {
		batch = append(batch, storetest.RandomFacts(r, id))
	}
	if err := db.PutFacts(ctx, batch, 1); err != nil {
		t.Fatal(err)
	}
	for range 150 {
		q := storetest.RandomQuery(r)
		for name, fn := range map[string]func(context.Context) (any, error){
			"agents":   func(c context.Context) (any, error) { return db.AgentWorkload(c, q) },
			"groups":   func(c context.Context) (any, error) { return db.GroupWorkload(c, q) },
			"queues":   func(c context.Context) (any, error) { return db.QueueReport(c, q) },
			"channels": func(c context.Context) (any, error) { return db.ChannelReport(c, q) },
		} {
			a, err := fn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, err := fn(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s over %v–%v: rollups %+v, facts %+v", name, q.From, q.To, a, b)
			}
		}
	}
}

func TestSetQueueThresholdRefusesBadValues(t *testing.T) {
	db := openTest(t)
	for _, d := range []time.Duration{-time.Millisecond, 25 * time.Hour, 1500 * time.Microsecond} {
		if err := db.SetQueueThreshold(context.Background(), d); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%v: %v", d, err)
		}
	}
	if d, _ := db.QueueThreshold(context.Background()); d != DefaultQueueThreshold {
		t.Errorf("threshold %v after refusals", d)
	}
}

func TestDayMath(t *testing.T) {
	for _, c := range []struct{ at, floor, ceil int64 }{
		{0, 0, 0}, {1, 0, 1}, {dayMS, 1, 1}, {dayMS + 1, 1, 2}, {-1, -1, 0}, {-dayMS, -1, -1}, {-dayMS - 1, -2, -1},
	} {
		if f, c2 := floorDiv(c.at, dayMS), ceilDiv(c.at, dayMS); f != c.floor || c2 != c.ceil {
			t.Errorf("%d: floor %d ceil %d, want %d %d", c.at, f, c2, c.floor, c.ceil)
		}
	}
	// The SQL day of a time agrees with Go's, before 1970 too.
	db := openTest(t)
	for _, at := range []int64{0, 1, dayMS - 1, dayMS, -1, -dayMS, -dayMS - 1, -dayMS + 1, 1_780_000_000_000} {
		var day int64
		if err := db.read.QueryRow("SELECT "+strings.ReplaceAll(daySQL, "at", "?1"), at).Scan(&day); err != nil {
			t.Fatal(err)
		}
		if day != floorDiv(at, dayMS) {
			t.Errorf("SQL day of %d is %d, want %d", at, day, floorDiv(at, dayMS))
		}
	}
}
