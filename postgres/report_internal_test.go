package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sb "github.com/switchboardhq/switchboard"

	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/storetest"
)

// openReportTest opens a store on a new, empty database, closed when the
// test ends, and returns its URL too, for a second node.
func openReportTest(t testing.TB) (*DB, string) {
	t.Helper()
	url := pgtest.New(t)
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, url
}

// dumpRows returns every row of a query as text, in order.
func dumpRows(t *testing.T, db *DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
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
		fresh := r.freshSQL("$1::bigint") + " ORDER BY " + order
		var want []string
		if r.fam.usesThreshold() {
			want = dumpRows(t, db, fresh, th.Milliseconds())
		} else {
			want = dumpRows(t, db, fresh)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s holds %d rows, its facts add up to %d:\n%v\n%v", r.table, len(got), len(want), got, want)
		}
	}
}

func TestReportRollupsMatchFacts(t *testing.T) {
	ctx := context.Background()
	db, _ := openReportTest(t)
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
	db, _ := openReportTest(t)
	r := rand.New(rand.NewPCG(21, 22))
	var batch []sb.SessionFacts
	for id := int64(1); id <= 500; id++ {
		batch = append(batch, storetest.RandomFacts(r, id))
	}
	if err := db.PutFacts(ctx, batch, 1); err != nil {
		t.Fatal(err)
	}
	for range 100 {
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
	db, _ := openReportTest(t)
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
		{0, 0, 0}, {1, 0, 1}, {reportDayMS, 1, 1}, {reportDayMS + 1, 1, 2}, {-1, -1, 0}, {-reportDayMS, -1, -1},
		{-reportDayMS - 1, -2, -1},
	} {
		if f, c2 := dayFloor(c.at), dayCeil(c.at); f != c.floor || c2 != c.ceil {
			t.Errorf("%d: floor %d ceil %d, want %d %d", c.at, f, c2, c.floor, c.ceil)
		}
	}
	// The SQL day of a time agrees with Go's, before 1970 too.
	db, _ := openReportTest(t)
	for _, at := range []int64{0, 1, reportDayMS - 1, reportDayMS, -1, -reportDayMS, -reportDayMS - 1, -reportDayMS + 1, 1_780_000_000_000} {
		var day int64
		if err := db.pool.QueryRow(context.Background(), "SELECT "+strings.ReplaceAll(daySQL, "at", "$1::bigint"), at).Scan(&day); err != nil {
			t.Fatal(err)
		}
		if day != dayFloor(at) {
			t.Errorf("SQL day of %d is %d, want %d", at, day, dayFloor(at))
		}
	}
}

// Two nodes writing facts of the same sessions at once (as around a change
// of leader) take turns: each replaces what the other stored, and the
// rollups still add up to the facts.
func TestConcurrentWritersKeepRollupsExact(t *testing.T) {
	ctx := context.Background()
	a, url := openReportTest(t)
	b, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, db := range []*DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(40+i), 41))
			for round := range 15 {
				var batch []sb.SessionFacts
				for range 20 {
					batch = append(batch, storetest.RandomFacts(r, 1+r.Int64N(40)))
				}
				if err := db.PutFacts(ctx, batch, int64(round)); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkRollups(t, a)
}

// PutFacts rewrites only the fact tables whose rows changed: facts put
// again as they are leave every fact row as it was (same xmin), and a
// change to the session fact rewrites that row alone.
func TestPutFactsRewritesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	db, _ := openReportTest(t)
	r := rand.New(rand.NewPCG(51, 52))
	var batch []sb.SessionFacts
	for id := int64(1); id <= 50; id++ {
		f := storetest.RandomFacts(r, id)
		f.Agents = append(f.Agents, sb.AgentFact{AgentID: 9, At: f.Session.At, Channel: f.Session.Channel, PickUps: 1})
		batch = append(batch, f)
	}
	if err := db.PutFacts(ctx, batch, 1); err != nil {
		t.Fatal(err)
	}
	versions := func() map[string][]string {
		out := map[string][]string{}
		for i, ft := range factTables {
			order := "session_id, n"
			if i == 0 {
				order = "session_id"
			}
			out[ft.name] = dumpRows(t, db, "SELECT session_id, xmin::text FROM "+ft.name+" ORDER BY "+order)
		}
		return out
	}
	before := versions()
	if err := db.PutFacts(ctx, batch, 2); err != nil {
		t.Fatal(err)
	}
	if after := versions(); !reflect.DeepEqual(before, after) {
		t.Error("facts put again unchanged were rewritten")
	}
	f := batch[7]
	f.Session.HoldMS += 1000
	f.Seq++
	if err := db.PutFacts(ctx, []sb.SessionFacts{f}, 3); err != nil {
		t.Fatal(err)
	}
	after := versions()
	for _, ft := range factTables {
		changed := 0
		for i := range after[ft.name] {
			if after[ft.name][i] != before[ft.name][i] {
				changed++
			}
		}
		want := 0
		if ft.name == "report_session_facts" {
			want = 1
		}
		if changed != want || len(after[ft.name]) != len(before[ft.name]) {
			t.Errorf("%s: %d rows rewritten, want %d", ft.name, changed, want)
		}
	}
	if got, err := db.Facts(ctx, f.SessionID); err != nil || got.Session.HoldMS != f.Session.HoldMS || got.Seq != f.Seq {
		t.Errorf("facts after the change: %+v, %v", got.Session, err)
	}
	checkRollups(t, db)
}

// A report that has read one fact table and then reads another, while a
// ResetFacts waits to truncate them, deadlocks with it; PostgreSQL ends
// one of the two, and when it ends the reset, the reset is tried again
// and succeeds once the report is done.
func TestResetFactsOutlastsADeadlockWithAReport(t *testing.T) {
	ctx := context.Background()
	db, _ := openReportTest(t)
	if err := db.PutFacts(ctx, []sb.SessionFacts{storetest.RandomFacts(rand.New(rand.NewPCG(1, 2)), 1)}, 5); err != nil {
		t.Fatal(err)
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var pid int
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// The wait facts come after the agent facts in the TRUNCATE.
	if _, err := tx.Exec(ctx, `SELECT count(*) FROM report_wait_facts`); err != nil {
		t.Fatal(err)
	}
	reset := make(chan error, 1)
	go func() { reset <- db.ResetFacts(ctx) }()
	// Wait until the reset waits for the report's lock.
	for {
		var waiting bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock')`).
			Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling another session's lock wait
	}
	_, readErr := tx.Exec(ctx, `SELECT count(*) FROM report_agent_facts`)
	tx.Rollback(ctx)
	if readErr != nil && pgCode(readErr) != deadlockDetected {
		t.Fatalf("the report's second read: %v", readErr)
	}
	if err := <-reset; err != nil {
		t.Fatalf("reset: %v", err)
	}
	if c, err := db.ReportCheckpoint(ctx); err != nil || c != 0 {
		t.Errorf("checkpoint after the reset: %d, %v", c, err)
	}
	if _, err := db.Facts(ctx, 1); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("facts after the reset: %v", err)
	}
}
