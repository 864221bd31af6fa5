package sqlite

import (
	"context"
	"fmt"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// BenchmarkIndexMessages measures one IndexMessages run over the messages
// of 100 ms at 5,000 messages/s (500 messages, one per commit).
func BenchmarkIndexMessages(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, b.TempDir()+"/sb.db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sessions := make([]*sb.Session, 50)
	for i := range sessions {
		s := chatAt(int64(i+1), 1)
		if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{eventAt(s.ID, 1, "session_created", `{}`)}}}); err != nil {
			b.Fatal(err)
		}
		sessions[i] = s
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		for i := 0; i < 500; i++ {
			s := sessions[i%len(sessions)]
			next := *s
			next.Seq++
			data := fmt.Sprintf(`{"id":%d,"from":"end_user","kind":"text","text":"message %d: where is my parcel 包裹 %d?"}`, next.Seq, n*500+i, i)
			ev := eventAt(s.ID, next.Seq, textEvent, data)
			if err := db.Commit(ctx, []*sb.Change{{Session: &next, Events: []sb.Event{ev}, ExpectedSeq: s.Seq}}); err != nil {
				b.Fatal(err)
			}
			sessions[i%len(sessions)] = &next
		}
		b.StartTimer()
		if err := db.IndexMessages(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
