package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/storetest"
)

// dumpFacts returns every fact and rollup row of the store, table by table.
func dumpFacts(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{"report_sessions": dumpRows(t, db, "SELECT * FROM report_sessions ORDER BY session_id")}
	for _, table := range factTables {
		out[table] = dumpRows(t, db, "SELECT * FROM "+table+" ORDER BY session_id, "+
			map[bool]string{true: "1", false: "n"}[table == "report_session_facts"])
	}
	for _, r := range rollups() {
		out[r.table] = dumpRows(t, db, "SELECT * FROM "+r.table+" ORDER BY day, "+strings.Join(r.keys, ", "))
	}
	return out
}

// tweak returns f with one kind of fact changed, the others as they were:
// the usual step of a live session.
func tweak(r *rand.Rand, f sb.SessionFacts) sb.SessionFacts {
	f.Seq++
	f.Agents, f.Groups, f.Waits = append([]sb.AgentFact(nil), f.Agents...), append([]sb.GroupFact(nil), f.Groups...), append([]sb.WaitFact(nil), f.Waits...)
	f.Ratings, f.Transfers = append([]sb.RatingFact(nil), f.Ratings...), append([]sb.TransferFact(nil), f.Transfers...)
	switch r.IntN(6) {
	case 0:
		f.Session.HoldMS += 1000
	case 1:
		if len(f.Agents) > 0 {
			f.Agents[0].Messages++
		} else {
			f.Agents = append(f.Agents, sb.AgentFact{AgentID: 3, At: f.Session.At, Channel: f.Session.Channel, PickUps: 1})
		}
	case 2:
		f.Groups = append(f.Groups, sb.GroupFact{GroupID: 2, At: f.Session.At, Channel: f.Session.Channel, PickUps: 1})
	case 3:
		if len(f.Waits) > 0 {
			f.Waits = f.Waits[:len(f.Waits)-1]
		}
	case 4:
		f.Ratings = append(f.Ratings, sb.RatingFact{At: f.Session.At, Channel: f.Session.Channel, Rating: 4})
	case 5:
		f.Transfers = nil
	}
	return f
}

// PutFacts takes the stored facts from memory for the sessions it wrote
// lately and rewrites only the tables that changed; a store that must read
// them back (as after a restart) ends in exactly the same rows.
func TestPutFactsFromMemoryEqualsFromTheStore(t *testing.T) {
	ctx := context.Background()
	warm, cold := openTest(t), openTest(t)
	r := rand.New(rand.NewPCG(31, 32))
	cur := map[int64]sb.SessionFacts{}
	for round := range 12 {
		var batch []sb.SessionFacts
		for range 60 {
			id := 1 + r.Int64N(80)
			f, ok := cur[id]
			switch {
			case !ok || r.IntN(4) == 0:
				f = storetest.RandomFacts(r, id)
			default:
				f = tweak(r, f)
			}
			cur[id] = f
			batch = append(batch, f)
		}
		if err := warm.PutFacts(ctx, batch, int64(round+1)); err != nil {
			t.Fatal(err)
		}
		cold.facts.Reset()
		if err := cold.PutFacts(ctx, batch, int64(round+1)); err != nil {
			t.Fatal(err)
		}
		w, c := dumpFacts(t, warm), dumpFacts(t, cold)
		for table := range c {
			if !reflect.DeepEqual(w[table], c[table]) {
				t.Fatalf("round %d: %s differs:\nfrom memory %v\nread back   %v", round, table, w[table], c[table])
			}
		}
		checkRollups(t, warm)
	}
	for id, f := range cur {
		got, err := warm.Facts(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(factRows(&f)); fmt.Sprint(factRows(&got)) != want {
			t.Errorf("session %d stored\n%v\nwant\n%v", id, factRows(&got), want)
		}
	}
}

// countDeletes counts, on the write connection, the rows deleted from
// each fact table from now on.
func countDeletes(t *testing.T, db *DB) func() map[string]int {
	t.Helper()
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TEMP TABLE fact_deletes (tbl TEXT)`); err != nil {
		t.Fatal(err)
	}
	for _, table := range factTables {
		q := fmt.Sprintf(`CREATE TEMP TRIGGER count_%[1]s AFTER DELETE ON main.%[1]s
			BEGIN INSERT INTO fact_deletes VALUES ('%[1]s'); END`, table)
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() map[string]int {
		rows, err := db.write.QueryContext(ctx, `SELECT tbl, count(*) FROM fact_deletes GROUP BY tbl`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int{}
		for rows.Next() {
			var table string
			var n int
			if err := rows.Scan(&table, &n); err != nil {
				t.Fatal(err)
			}
			got[table] = n
		}
		if _, err := db.write.ExecContext(ctx, `DELETE FROM fact_deletes`); err != nil {
			t.Fatal(err)
		}
		return got
	}
}

func TestPutFactsRewritesOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	queue := int64(40_000)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := sb.SessionFacts{SessionID: 7, Seq: 3,
		Session:   sb.SessionFact{Channel: sb.ChannelWeb, At: at, PickedUp: 1},
		Agents:    []sb.AgentFact{{AgentID: 1, Channel: sb.ChannelWeb, At: at, PickUps: 1}},
		Groups:    []sb.GroupFact{{GroupID: 2, Channel: sb.ChannelWeb, At: at, PickUps: 1}},
		Waits:     []sb.WaitFact{{GroupID: 2, Channel: sb.ChannelWeb, At: at, WaitMS: 40_000, Outcome: sb.WaitOutcomePickedUp}},
		Transfers: []sb.TransferFact{{TransferID: 1, Kind: "group", Channel: sb.ChannelWeb, At: at, QueueMS: &queue}},
	}
	if err := db.PutFacts(ctx, []sb.SessionFacts{f}, 3); err != nil {
		t.Fatal(err)
	}
	deletes := countDeletes(t, db)

	// A hold changes the session and its agent; the rest stays.
	f.Seq = 4
	f.Session.HoldMS = 5000
	f.Agents = []sb.AgentFact{f.Agents[0]}
	f.Agents[0].HoldMS = 5000
	if err := db.PutFacts(ctx, []sb.SessionFacts{f}, 4); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"report_session_facts": 1, "report_agent_facts": 1}
	if got := deletes(); !reflect.DeepEqual(got, want) {
		t.Errorf("a hold deleted %v, want %v", got, want)
	}

	// The caller's own values change under PutFacts' feet: what was
	// stored must not change with them, and a later PutFacts of the new
	// values must store them.
	queue = 55_000
	f.Seq = 5
	if err := db.PutFacts(ctx, []sb.SessionFacts{f}, 5); err != nil {
		t.Fatal(err)
	}
	if got := deletes(); !reflect.DeepEqual(got, map[string]int{"report_transfer_facts": 1}) {
		t.Errorf("a transfer's queue time that changed deleted %v, want the transfer row alone", got)
	}
	got, err := db.Facts(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != 5 || got.Session.HoldMS != 5000 || got.Agents[0].HoldMS != 5000 || *got.Transfers[0].QueueMS != 55_000 {
		t.Errorf("stored %+v", got)
	}
	checkRollups(t, db)

	// Facts forgotten by ResetFacts are not taken from memory either.
	if err := db.ResetFacts(ctx); err != nil {
		t.Fatal(err)
	}
	deletes()
	if err := db.PutFacts(ctx, []sb.SessionFacts{f}, 6); err != nil {
		t.Fatal(err)
	}
	if got := deletes(); len(got) != 0 {
		t.Errorf("after a reset PutFacts deleted %v", got)
	}
	if got, err := db.Facts(ctx, 7); err != nil || len(got.Waits) != 1 || len(got.Transfers) != 1 {
		t.Errorf("after a reset stored %+v, %v", got, err)
	}
	checkRollups(t, db)
}
