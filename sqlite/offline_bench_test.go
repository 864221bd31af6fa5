package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// benchOffline is how many offline messages the list benchmarks read from:
// a busy site's year.
const benchOffline = 100_000

// openOfflineBench returns a store holding benchOffline messages: a third
// per status, one in five unassigned, the rest spread over 50 agents, one
// in a hundred mentioning a refund.
func openOfflineBench(b *testing.B) *DB {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO offline_messages (name, email, phone, content, status, assignee_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	statuses := []string{sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed}
	for i := range benchOffline {
		content := fmt.Sprintf("Order %d has not arrived yet, please call me back.", i)
		if i%100 == 0 {
			content = fmt.Sprintf("I want a refund for order %d.", i)
		}
		assignee := int64(0)
		if i%5 != 0 {
			assignee = int64(i%50 + 1)
		}
		at := ms(t0.Add(time.Duration(i) * time.Minute))
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("Visitor %d", i), fmt.Sprintf("v%d@example.com", i),
			fmt.Sprintf("+1222%07d", i), content, statuses[i%3], assignee, at, at); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkOfflineMessages(b *testing.B) {
	db := openOfflineBench(b)
	ctx := context.Background()
	zero, seven := int64(0), int64(7)
	for _, c := range []struct {
		name string
		f    sb.OfflineFilter
	}{
		{"newest", sb.OfflineFilter{Limit: 50}},
		{"unprocessed", sb.OfflineFilter{Status: sb.OfflineUnprocessed, Limit: 50}},
		{"unassigned", sb.OfflineFilter{Assignee: &zero, Limit: 50}},
		{"mine_processing", sb.OfflineFilter{Assignee: &seven, Status: sb.OfflineProcessing, Limit: 50}},
		{"deep_cursor", sb.OfflineFilter{Status: sb.OfflineProcessed, BeforeID: 1000, Limit: 50}},
		{"search", sb.OfflineFilter{Query: "refund", Limit: 50}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				list, err := db.OfflineMessages(ctx, c.f)
				if err != nil || len(list) == 0 {
					b.Fatal(len(list), err)
				}
			}
		})
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if c, err := db.CountOfflineMessages(ctx, 7); err != nil || c.All != benchOffline {
				b.Fatal(c, err)
			}
		}
	})
}
