package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

// The timers a batch leaves are the same whether Commit plans its timer
// ops (four statements) or writes them op by op in order, and so is
// whether it refuses the batch: random batches of fired, cancelled, set
// and ensured timers, over random stored timers, on two stores.
func TestTimerPlanMatchesOpByOp(t *testing.T) {
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, pgtest.New(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	planned, opByOp := open(), open()
	opByOp.timersOpByOp = true
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"a", "b"}
	timer := func(id int64) sb.Timer {
		n := r.IntN(3)
		return sb.Timer{SessionID: id, Kind: kinds[r.IntN(len(kinds))], DueAt: t0.Add(time.Duration(n) * time.Minute),
			Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, r.IntN(100)))}
	}
	refusals := 0
	for id := int64(1); id <= 150; id++ {
		s := &sb.Session{ID: id, UUID: fmt.Sprint("u-", id), Type: sb.TypeChatWeb, Medium: sb.MediumChat, Seq: 1, CreatedAt: t0, UpdatedAt: t0}
		create := &sb.Change{Session: s, Events: []sb.Event{{SessionID: id, Seq: 1, Type: "session_created", Version: 1, Time: t0, Data: []byte(`{}`)}}}
		for range r.IntN(3) {
			create.SetTimers = append(create.SetTimers, timer(id))
		}
		var batch []*sb.Change
		for range 1 + r.IntN(3) {
			c := &sb.Change{Session: s, ExpectedSeq: 1}
			for range r.IntN(4) {
				switch r.IntN(4) {
				case 0:
					c.FiredTimers = append(c.FiredTimers, timer(id))
				case 1:
					c.CancelTimers = append(c.CancelTimers, kinds[r.IntN(len(kinds))])
				case 2:
					c.SetTimers = append(c.SetTimers, timer(id))
				case 3:
					c.EnsureTimers = append(c.EnsureTimers, timer(id))
				}
			}
			batch = append(batch, c)
		}
		var results [2]string
		for i, db := range []*DB{planned, opByOp} {
			if err := db.Commit(ctx, []*sb.Change{create}); err != nil {
				t.Fatal(err)
			}
			err := db.Commit(ctx, batch)
			if err != nil && sb.ErrorCode(err) != sb.EPRECONDITION {
				t.Fatalf("session %d: %v", id, err)
			}
			due, err2 := db.DueTimers(ctx, t0.Add(time.Hour), 100)
			if err2 != nil {
				t.Fatal(err2)
			}
			var left []string
			for _, tm := range due {
				if tm.SessionID == id {
					left = append(left, fmt.Sprintf("%s@%s%s", tm.Kind, tm.DueAt.Format("15:04"), tm.Data))
				}
			}
			results[i] = fmt.Sprintf("refused %t, timers %v", err != nil, left)
			if err != nil && i == 0 {
				refusals++
			}
		}
		if results[0] != results[1] {
			t.Errorf("session %d: planned: %s; op by op: %s\nstored %+v\nbatch %s", id, results[0], results[1],
				create.SetTimers, describe(batch))
		}
	}
	if refusals == 0 || refusals == 150 {
		t.Errorf("%d of 150 batches refused: the test does not try both outcomes", refusals)
	}
}

func describe(batch []*sb.Change) string {
	var out string
	for _, c := range batch {
		out += fmt.Sprintf("[fired %v cancel %v set %v ensure %v] ", c.FiredTimers, c.CancelTimers, c.SetTimers, c.EnsureTimers)
	}
	return out
}
