package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// The append benchmarks write what a session command writes: one event row
// and the updated projection row, in WAL mode with synchronous=NORMAL (the
// server's default, durable across a process crash). The raw benchmarks
// insert the same event rows into a table of the same shape with nothing
// else, through the same connection: the ceiling the appends are held to.

const benchSessions = 1024

var benchData = json.RawMessage(`{"type":"sentiment_score","score":52}`)

func benchSession(id int64) *sb.Session {
	t := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	a := sb.AgentRef{ID: 7, Name: "Noam B", Email: "noam@example.com"}
	q := sb.QueueRef{ID: 2, Name: "Support", Path: "1/2", Priority: 2}
	return &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb,
		Medium: sb.MediumChat, Direction: sb.Inbound, Channel: sb.ChannelWeb, Lang: "en", Status: sb.StatusConnected,
		CreatedAt: t, UpdatedAt: t, QueuedAt: &t, AssignedAt: &t, ConnectedAt: &t, Queue: &q, MenuPath: []sb.QueueRef{q}, Agent: &a,
		Participants: []sb.Participant{{ID: 1, Type: "end_user", Status: "connected", ConnectedAt: &t}, {ID: 2, Type: "agent", Status: "connected", UserID: 7, Name: "Noam B", ConnectedAt: &t}},
		QueueWaits:   []sb.QueueWait{{Queue: q, StartedAt: t, EndedAt: &t, Outcome: "assigned", AgentID: 7}},
		Handles:      []sb.HandleSegment{{Agent: a, AssignedAt: t, ConnectedAt: &t}}}
}

func openBench(b *testing.B) (*DB, []*sb.Session) {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE raw_events (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL,
		seq INTEGER NOT NULL, type TEXT NOT NULL, v INTEGER NOT NULL, time INTEGER NOT NULL, actor BLOB NOT NULL,
		data BLOB NOT NULL, UNIQUE (session_id, seq))`); err != nil {
		b.Fatal(err)
	}
	sessions := make([]*sb.Session, benchSessions)
	var changes []*sb.Change
	for i := range sessions {
		s := benchSession(int64(i + 1))
		s.Seq = 1
		sessions[i] = s
		changes = append(changes, &sb.Change{Session: s, Events: []sb.Event{event(s)}})
	}
	if err := db.Commit(ctx, changes); err != nil {
		b.Fatal(err)
	}
	return db, sessions
}

func event(s *sb.Session) sb.Event {
	return sb.Event{SessionID: s.ID, Seq: s.Seq, Type: "sentiment_score", Version: 1, Time: s.UpdatedAt,
		Actor: sb.Actor{Kind: sb.ActorAgent, ID: "7"}, Data: benchData}
}

// next returns the change that appends one event to session s.
func next(s *sb.Session) *sb.Change {
	c := &sb.Change{ExpectedSeq: s.Seq}
	s.Seq++
	s.UpdatedAt = s.UpdatedAt.Add(time.Second)
	c.Session = s
	c.Events = []sb.Event{event(s)}
	return c
}

func BenchmarkAppend(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, sessions := openBench(b)
			ctx := context.Background()
			changes := make([]*sb.Change, 0, batch)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				changes = changes[:0]
				for j := 0; j < batch && i+j < b.N; j++ {
					changes = append(changes, next(sessions[(i+j)%benchSessions]))
				}
				if err := db.Commit(ctx, changes); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func BenchmarkRawInsert(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, sessions := openBench(b)
			ctx := context.Background()
			stmt, err := db.write.PrepareContext(ctx, `INSERT INTO raw_events (session_id, seq, type, v, time, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			actor, _ := json.Marshal(sb.Actor{Kind: sb.ActorAgent, ID: "7"})
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				tx, err := db.write.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				st := tx.StmtContext(ctx, stmt)
				for j := 0; j < batch && i+j < b.N; j++ {
					s := sessions[(i+j)%benchSessions]
					s.Seq++
					if _, err := st.ExecContext(ctx, s.ID, s.Seq, "sentiment_score", 1, s.UpdatedAt.UnixMilli(), actor, []byte(benchData)); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
