package sqlite

import (
	"context"
	"os"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// BenchmarkReportsGenerated reads the reports of a store filled by
// "switchboard generate" whose facts were built by "switchboard reports
// rebuild" (SB_REPORT_BENCH_STORE names its switchboard.db), over all
// time and over one day in the middle of its history:
//
//	switchboard generate --data /tmp/gen --sessions 1000000 --days 90 --seed 1
//	switchboard reports rebuild --data /tmp/gen
//	SB_REPORT_BENCH_STORE=/tmp/gen/switchboard.db go test ./sqlite/ -run '^$' -bench ReportsGenerated -count 5
func BenchmarkReportsGenerated(b *testing.B) {
	path := os.Getenv("SB_REPORT_BENCH_STORE")
	if path == "" {
		b.Skip("set SB_REPORT_BENCH_STORE to a generated store's switchboard.db")
	}
	ctx := context.Background()
	db, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	maxID, err := db.MaxSessionID(ctx)
	if err != nil || maxID == 0 {
		b.Fatalf("no sessions in %s: %v", path, err)
	}
	mid, err := db.Facts(ctx, maxID/2)
	if err != nil {
		b.Fatalf("no report facts (run switchboard reports rebuild): %v", err)
	}
	day := mid.Session.At.UTC().Truncate(24 * time.Hour)
	ranges := []struct {
		name string
		q    sb.ReportQuery
	}{
		{"all", sb.ReportQuery{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"day", sb.ReportQuery{From: day, To: day.Add(24 * time.Hour)}},
	}
	reports := []struct {
		name string
		run  func(sb.ReportQuery) error
	}{
		{"agent-workload", func(q sb.ReportQuery) error { _, err := db.AgentWorkload(ctx, q); return err }},
		{"group-workload", func(q sb.ReportQuery) error { _, err := db.GroupWorkload(ctx, q); return err }},
		{"queues", func(q sb.ReportQuery) error { _, err := db.QueueReport(ctx, q); return err }},
		{"channels", func(q sb.ReportQuery) error { _, err := db.ChannelReport(ctx, q); return err }},
		{"transfers-page", func(q sb.ReportQuery) error { q.Limit = 100; _, err := db.Transfers(ctx, q); return err }},
	}
	for _, rg := range ranges {
		for _, r := range reports {
			b.Run(rg.name+"/"+r.name, func(b *testing.B) {
				for b.Loop() {
					if err := r.run(rg.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	b.Run("day/service-level", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ServiceLevel(ctx, ranges[1].q, sb.ServiceLevelOptions{Interval: 15 * time.Minute, Within: 20 * time.Second, ShortAbandon: 5 * time.Second}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
