package gen

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard/sqlite"
)

// BenchmarkGenerate measures generating 10,000 sessions over 7 days into
// a fresh file store, commits included, with about 1,000, 10,000 or
// 40,000 events per transaction (the default).
func BenchmarkGenerate(b *testing.B) {
	const n = 10000
	for _, batch := range []int{1000, 10000, 40000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			var events int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sb.db"), sqlite.Options{Synchronous: "OFF"})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				st, err := Generate(context.Background(), db, Options{Sessions: n, Days: 7, Seed: uint64(i + 1), BatchEvents: batch})
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
		})
	}
}
