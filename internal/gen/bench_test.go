package gen

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard/sqlite"
)

// BenchmarkGenerate measures generating 10,000 sessions over 7 days into
// a fresh file store, commits included.
func BenchmarkGenerate(b *testing.B) {
	const n = 10000
	var events int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sb.db"), sqlite.Options{Synchronous: "OFF"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := Generate(context.Background(), db, Options{Sessions: n, Days: 7, Seed: uint64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "sessions/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
