package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/lifecycle"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// eachStore runs test on a new SQLite store and on a new PostgreSQL
// database, named by their URLs.
func eachStore(t *testing.T, test func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "sqlite:"+filepath.Join(t.TempDir(), "sb.db")) })
	t.Run("postgres", func(t *testing.T) { test(t, pgtest.New(t)) })
}

// populate opens an App on the new store at url, runs a few sessions
// through their lifecycle, closes it and returns the session IDs.
func populate(t *testing.T, url string) []int64 {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c := clock.NewVirtual(t0)
	n := 0
	a, err := app.Open(ctx, app.Options{Store: url, ExportsDir: filepath.Join(dir, "exports"), Clock: c,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewUUID: func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	system := sb.Actor{Kind: sb.ActorIntegration, ID: "1"}
	agent := sb.Actor{Kind: sb.ActorAgent, ID: fmt.Sprint(ag.ID)}
	create := func() int64 {
		t.Helper()
		res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, system)
		if err != nil {
			t.Fatal(err)
		}
		return res.Session.ID
	}
	do := func(id int64, cmd lifecycle.Command) {
		t.Helper()
		c.Advance(time.Minute)
		by := agent
		if _, ok := cmd.(*lifecycle.Assign); ok {
			by = system // Ann is offline: the chat is given to her
		}
		if _, err := a.Engine.Execute(ctx, id, cmd, by, nil); err != nil {
			t.Fatalf("%s on session %d: %v", cmd.Name(), id, err)
		}
	}
	connect, _ := lifecycle.NewStatusCommand("connect")

	ended := create()
	do(ended, &lifecycle.Assign{AgentID: ag.ID})
	do(ended, connect)
	do(ended, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	do(ended, &lifecycle.Rate{Rating: 5})

	assigned := create()
	do(assigned, &lifecycle.Assign{AgentID: ag.ID})
	// Messages the store folds on read: its row holds an older projection.
	for i := range 3 {
		do(assigned, &lifecycle.Message{From: sb.FromEndUser, Text: fmt.Sprintf("你好 %d", i)})
	}

	queued := create()

	failed := create()
	do(failed, &lifecycle.Fail{Reason: "carrier_error"})
	return []int64{ended, assigned, queued, failed}
}

func openStore(t *testing.T, url string) app.Store {
	t.Helper()
	db, err := app.OpenStore(context.Background(), url, "", app.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countEvents(t *testing.T, db app.Store, ids []int64) int {
	t.Helper()
	total := 0
	for _, id := range ids {
		events, err := db.SessionEvents(context.Background(), id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) < 2 {
			t.Fatalf("session %d has only %d events", id, len(events))
		}
		total += len(events)
	}
	all, err := db.Events(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != total {
		t.Fatalf("the store holds %d events, the sessions %d", len(all), total)
	}
	return total
}

func verify(t *testing.T, db app.Store, fix bool) app.VerifyReport {
	t.Helper()
	rep, err := app.Verify(context.Background(), db, fix)
	if err != nil {
		t.Fatalf("Verify(fix=%v): %v", fix, err)
	}
	return rep
}

func TestVerifyAcceptsAnIntactStore(t *testing.T) { eachStore(t, verifyAcceptsAnIntactStore) }

func verifyAcceptsAnIntactStore(t *testing.T, url string) {
	ids := populate(t, url)
	db := openStore(t, url)
	events := countEvents(t, db, ids)
	rep := verify(t, db, false)
	if rep.Sessions != len(ids) || rep.Events != events || len(rep.Mismatch) != 0 || rep.Orphans != 0 {
		t.Errorf("report %+v, want %d sessions, %d events, no mismatch, no orphans", rep, len(ids), events)
	}
}

func TestVerifyFindsAndFixesACorruptProjection(t *testing.T) {
	eachStore(t, verifyFindsAndFixesACorruptProjection)
}

func verifyFindsAndFixesACorruptProjection(t *testing.T, url string) {
	ids := populate(t, url)
	db := openStore(t, url)
	ctx := context.Background()
	events := countEvents(t, db, ids)
	victim := ids[1]

	orig, err := db.Session(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	if orig.Status != sb.StatusAssigned {
		t.Fatalf("session %d is %s, want assigned", victim, orig.Status)
	}
	want, err := db.StoredProjection(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	bad := *orig
	bad.Status = sb.StatusFinished
	if err := db.ReplaceProjection(ctx, &bad); err != nil {
		t.Fatal(err)
	}
	if s, _ := db.Session(ctx, victim); s.Status != sb.StatusFinished {
		t.Fatalf("corruption did not take: status %s", s.Status)
	}

	// Without fix it is reported, and left as it is.
	for i := 0; i < 2; i++ {
		rep := verify(t, db, false)
		if !slices.Equal(rep.Mismatch, []int64{victim}) || rep.Sessions != len(ids) || rep.Events != events {
			t.Fatalf("pass %d: report %+v, want mismatch [%d] over %d sessions and %d events", i+1, rep, victim, len(ids), events)
		}
	}
	if s, _ := db.Session(ctx, victim); s.Status != sb.StatusFinished {
		t.Fatalf("Verify without fix changed the projection to %s", s.Status)
	}

	// With fix it is reported once and rewritten from the log.
	rep := verify(t, db, true)
	if !slices.Equal(rep.Mismatch, []int64{victim}) {
		t.Fatalf("fixing pass: mismatch %v, want [%d]", rep.Mismatch, victim)
	}
	if rep := verify(t, db, false); len(rep.Mismatch) != 0 || rep.Sessions != len(ids) || rep.Events != events {
		t.Errorf("after fix: report %+v, want no mismatch", rep)
	}
	got, err := db.StoredProjection(ctx, victim)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("fixed projection\n%s\nwant\n%s", got, want)
	}
	// The indexed columns were rewritten too: the session lists as assigned again.
	assigned := sb.StatusAssigned
	listed, err := db.Sessions(ctx, sb.SessionFilter{Status: &assigned})
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].ID != victim {
		var got []int64
		for _, s := range listed {
			got = append(got, s.ID)
		}
		t.Errorf("assigned sessions %v, want [%d]", got, victim)
	}
	// The other sessions were not touched.
	for _, id := range ids {
		s, err := db.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := db.SessionEvents(ctx, id, 0, 0)
		folded, err := lifecycle.Fold(events)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(s)
		b, _ := json.Marshal(folded)
		if string(a) != string(b) {
			t.Errorf("session %d differs from the fold of its log", id)
		}
	}
}

// A session row without a log is counted as an orphan, not folded.
func TestVerifyCountsOrphans(t *testing.T) { eachStore(t, verifyCountsOrphans) }

func verifyCountsOrphans(t *testing.T, url string) {
	ids := populate(t, url)
	db := openStore(t, url)
	ctx := context.Background()
	orphan := &sb.Session{ID: 99, UUID: "00000000-0000-4000-8000-000000000099", Type: sb.TypeChatWeb, Medium: sb.MediumChat,
		Direction: sb.Inbound, Channel: sb.ChannelWeb, Lang: "en", Status: sb.StatusQueued, CreatedAt: t0, UpdatedAt: t0}
	if err := db.Commit(ctx, []*sb.Change{{Session: orphan}}); err != nil {
		t.Fatal(err)
	}
	rep := verify(t, db, true)
	if rep.Orphans != 1 || rep.Sessions != len(ids) || len(rep.Mismatch) != 0 {
		t.Errorf("report %+v, want 1 orphan, %d sessions, no mismatch", rep, len(ids))
	}
}
