package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

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
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	sessions := make([]*sb.Session, 50)
	for i := range sessions {
		s := &sb.Session{ID: int64(i + 1), UUID: fmt.Sprint("u-", i), Type: sb.TypeChatWeb, Medium: sb.MediumChat,
			Channel: sb.ChannelWeb, Status: sb.StatusQueued, Seq: 1, CreatedAt: t0, UpdatedAt: t0}
		ev := sb.Event{SessionID: s.ID, Seq: 1, Type: "session_created", Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(`{}`)}
		if err := db.Commit(ctx, []*sb.Change{{Session: s, Events: []sb.Event{ev}}}); err != nil {
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
			ev := sb.Event{SessionID: s.ID, Seq: next.Seq, Type: textEvent, Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(data)}
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
