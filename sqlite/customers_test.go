package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fill commits n ended sessions of ten customers, each handled by an
// agent and then another.
func fill(t *testing.T, db *DB, n int) {
	t.Helper()
	var changes []*sb.Change
	for i := 1; i <= n; i++ {
		s := &sb.Session{ID: int64(i), UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Type: sb.TypeChatWeb,
			Medium: sb.MediumChat, Channel: sb.ChannelWeb, Status: sb.StatusFinished, Seq: 1,
			CreatedAt: t0.Add(time.Duration(i) * time.Minute), UpdatedAt: t0.Add(time.Duration(i) * time.Minute),
			EndUser: sb.EndUser{Email: fmt.Sprintf("Customer%d@Example.com", i%10)},
			Agent:   &sb.AgentRef{ID: int64(i%7 + 1)},
			Handles: []sb.HandleSegment{{Agent: sb.AgentRef{ID: int64(i%5 + 1)}}, {Agent: sb.AgentRef{ID: int64(i%7 + 1)}}}}
		ended := s.UpdatedAt
		s.EndedAt = &ended
		changes = append(changes, &sb.Change{Session: s, Events: []sb.Event{{SessionID: s.ID, Seq: 1, Type: "session_created",
			Version: 1, Time: s.CreatedAt, Actor: sb.Actor{Kind: sb.ActorSystem}, Data: []byte(`{}`)}}})
	}
	if err := db.Commit(context.Background(), changes); err != nil {
		t.Fatal(err)
	}
}

// What a start runs — opening the store, the directory, routing's rebuild,
// the timers and the outbox, readiness — searches an index or reads a
// bounded one (the sessions not ended): none of it reads every session
// or event, so a start takes as long on a store of a million sessions as
// on an empty one.
func TestStartQueriesSearchIndexes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	fill(t, db, 200)
	queries := []struct {
		q    string
		args []any
		// bounded is a scan that reads a bounded part of an index: the
		// partial index of live sessions, or the first entries in its order.
		bounded string
	}{
		{q: servedCustomerQuery, args: []any{"email:customer3@example.com", 0}},
		{q: liveSessionsQuery, bounded: "SCAN sessions USING INDEX sessions_live"},
		// The store's other start-up reads, as timers.go, config.go and
		// sessions.go write them.
		{q: `SELECT COALESCE(MAX(id), 0) FROM sessions`},
		{q: `SELECT COALESCE(MAX(id), 0) FROM events`},
		{q: `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`},
		{q: `SELECT doc FROM config WHERE kind = ? ORDER BY id`, args: []any{"agent"}},
		{q: `SELECT session_id, kind, due_at, data FROM timers ORDER BY due_at, session_id, kind LIMIT 1`,
			bounded: "SCAN timers USING INDEX timers_due"},
		{q: `SELECT session_id, kind, due_at, data FROM timers WHERE due_at <= ? ORDER BY due_at, session_id, kind LIMIT ?`,
			args: []any{0, 100}},
		{q: `SELECT MIN(next_attempt_at) FROM outbox WHERE state = ?`, args: []any{"pending"}},
	}
	for _, c := range queries {
		rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.q, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") && step != c.bounded {
				t.Errorf("%s\nreads a whole table or index: %s", c.q, strings.Join(plan, "; "))
			}
		}
	}
}

// A store written before customer_agents existed gets its rows from the
// sessions' projections on upgrade, as Commit would have written them.
func TestCustomerAgentsMigrationFillsExistingSessions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 30)
	want := map[string]string{}
	for i := range 10 {
		key := fmt.Sprintf("email:customer%d@example.com", i)
		got, err := db.ServedCustomer(ctx, key, t0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatalf("no history for %s", key)
		}
		want[key] = fmt.Sprint(got)
	}
	// Back to the schema before the migration.
	if _, err := db.write.ExecContext(ctx, `DROP TABLE customer_agents; DELETE FROM schema_migrations WHERE version = 12`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(ctx, path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for key, w := range want {
		got, err := db.ServedCustomer(ctx, key, t0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != w {
			t.Errorf("after the upgrade %s: %v, want %s", key, got, w)
		}
	}
}

// BenchmarkServedCustomerGenerated reads the history of customers of a
// store filled by "switchboard generate" (SB_STORE_BENCH names its
// switchboard.db): what routing reads when it first meets a customer.
//
//	SB_STORE_BENCH=/tmp/gen/switchboard.db go test ./sqlite/ -run '^$' -bench ServedCustomerGenerated
func BenchmarkServedCustomerGenerated(b *testing.B) {
	path := os.Getenv("SB_STORE_BENCH")
	if path == "" {
		b.Skip("set SB_STORE_BENCH to a generated store's switchboard.db")
	}
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var keys []string
	rows, err := db.read.QueryContext(ctx, `SELECT customer FROM customer_agents LIMIT 1000 OFFSET 400000`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			b.Fatal(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) == 0 {
		b.Fatal("no customers")
	}
	b.ResetTimer()
	served := 0
	for i := 0; i < b.N; i++ {
		s, err := db.ServedCustomer(ctx, keys[i%len(keys)], time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		served += len(s)
	}
	b.ReportMetric(float64(served)/float64(b.N), "agents/op")
}

// Routing reads customers' histories on the engine's writer: a read
// prepares no statement per call.
func TestCustomerHistoryPreparesOnce(t *testing.T) {
	ctx := context.Background()
	db := openCounting(t)
	fill(t, db, 10)
	if _, err := db.ServedCustomer(ctx, "email:customer1@example.com", t0); err != nil {
		t.Fatal(err)
	}
	before := preparesSoFar()
	for i := range 50 {
		if _, err := db.ServedCustomer(ctx, fmt.Sprintf("email:customer%d@example.com", i%10), t0); err != nil {
			t.Fatal(err)
		}
	}
	for q, n := range preparesSoFar() {
		if n > before[q] {
			t.Errorf("prepared %d times in 50 reads: %s", n-before[q], q)
		}
	}
}
