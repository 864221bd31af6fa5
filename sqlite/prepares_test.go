package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"

	sqlitedrv "modernc.org/sqlite"

	sb "github.com/switchboardhq/switchboard"
)

// countingDriver is the SQLite driver with a count of the statements its
// connections prepare: every Prepare, and every Exec or Query called on a
// connection rather than on a prepared statement, which the driver prepares
// and finalizes for that call alone.
type countingDriver struct{ sqlitedrv.Driver }

var (
	registerCounting sync.Once
	preparesMu       sync.Mutex
	prepares         = map[string]int{}
)

func countPrepare(q string) {
	preparesMu.Lock()
	prepares[q]++
	preparesMu.Unlock()
}

func preparesSoFar() map[string]int {
	preparesMu.Lock()
	defer preparesMu.Unlock()
	return maps.Clone(prepares)
}

func (d *countingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingConn{c}, nil
}

type countingConn struct{ driver.Conn }

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	countPrepare(q)
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	countPrepare(q)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	countPrepare(q)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *countingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *countingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *countingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// openCounting opens a store whose connections count their prepares.
func openCounting(t *testing.T) *DB {
	t.Helper()
	registerCounting.Do(func() { sql.Register("sqlite-counting", &countingDriver{}) })
	old := driverName
	driverName = "sqlite-counting"
	defer func() { driverName = old }()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCommandPathPreparesOnce checks that the store's part of a command —
// commits of every kind of change, the session a command loads, the events
// a live subscription catches up on, new session IDs — prepares no
// statement per call: the count after a first round does not grow however
// many rounds follow.
func TestCommandPathPreparesOnce(t *testing.T) {
	ctx := context.Background()
	db := openCounting(t)
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var id, seq int64 = 100, 0
	round := func(n int) {
		t.Helper()
		id++
		first, err := db.ReserveSessionIDs(ctx, 1)
		if err != nil || first <= 0 {
			t.Fatalf("reserve: %d, %v", first, err)
		}
		s := &sb.Session{ID: id, UUID: fmt.Sprintf("u-%d", id), Type: sb.TypeChatWeb, Medium: sb.MediumChat, Channel: sb.ChannelWeb,
			Status: sb.StatusQueued, Seq: 1, CreatedAt: t0, UpdatedAt: t0, Agent: &sb.AgentRef{ID: 7}}
		ev := func(s *sb.Session, typ sb.EventType, data string) sb.Event {
			return sb.Event{SessionID: s.ID, Seq: s.Seq, Type: typ, Version: 1, Time: t0, Actor: sb.SystemActor, Data: json.RawMessage(data)}
		}
		due := t0.Add(time.Minute)
		create := &sb.Change{Session: s, Events: []sb.Event{ev(s, "session_created", `{}`)},
			SetTimers:    []sb.Timer{{SessionID: id, Kind: "no_reply", DueAt: due}},
			EnsureTimers: []sb.Timer{{SessionID: id, Kind: "inactive", DueAt: due}},
			Outbox:       []sb.OutboxItem{{Kind: "metadata", SessionID: id, Key: fmt.Sprintf("k-%d", id), Payload: []byte(`{}`), CreatedAt: t0, NextAttemptAt: t0}}}
		if err := db.Commit(ctx, []*sb.Change{create}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			next := *s
			next.Seq = s.Seq + 1
			msg := &sb.Change{Session: &next, ExpectedSeq: s.Seq,
				Events:       []sb.Event{ev(&next, textEvent, `{"id":1,"from":"end_user","kind":"text","text":"where is my parcel?"}`)},
				CancelTimers: []string{"inactive"},
				FiredTimers:  []sb.Timer{{SessionID: id, Kind: "no_reply", DueAt: due}},
				SetTimers:    []sb.Timer{{SessionID: id, Kind: "no_reply", DueAt: due}}}
			if err := db.Commit(ctx, []*sb.Change{msg}); err != nil {
				t.Fatal(err)
			}
			s = &next
		}
		if _, err := db.Session(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionEvents(ctx, id, 0, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Events(ctx, seq, 10); err != nil {
			t.Fatal(err)
		}
		seq++
	}
	round(1)
	before := preparesSoFar()
	for i := 0; i < 20; i++ {
		round(5)
	}
	after := preparesSoFar()
	for q, n := range after {
		if n > before[q] {
			t.Errorf("prepared %d times in 20 rounds (%d before them): %s", n-before[q], before[q], q)
		}
	}
}
