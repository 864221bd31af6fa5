package natsbus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/natstest"
	"github.com/switchboardhq/switchboard/natsbus"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlite.DB
	url   string
	clock *clock.Virtual
	seq   map[int64]int64 // each session's last seq
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := natstest.Start(t, t.TempDir())
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{t: t, ctx: context.Background(), db: db, url: srv.ClientURL(), clock: clock.NewVirtual(t0), seq: map[int64]int64{}}
}

func (f *fixture) bus() *natsbus.Bus {
	f.t.Helper()
	b, err := natsbus.Connect(f.ctx, f.url, natsbus.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(b.Close)
	return b
}

// commit stores one event of session id, as the leader's engine does,
// and returns it with its position.
func (f *fixture) commit(id int64) []sb.Event {
	f.t.Helper()
	seq := f.seq[id] + 1
	f.seq[id] = seq
	s := &sb.Session{ID: id, UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", id), Type: sb.TypeChatWeb, Medium: sb.MediumChat,
		Direction: sb.Inbound, Channel: sb.ChannelWeb, Lang: "en", Status: sb.StatusQueued, Seq: seq, CreatedAt: t0, UpdatedAt: t0}
	typ := "session_created"
	if seq > 1 {
		typ = "custom_data"
	}
	ch := &sb.Change{Session: s, ExpectedSeq: seq - 1, Events: []sb.Event{{SessionID: id, Seq: seq, Type: sb.EventType(typ), Version: 1, Time: t0,
		Actor: sb.Actor{Kind: sb.ActorSystem}, Data: json.RawMessage(`{"n":` + fmt.Sprint(seq) + `}`)}}}
	if err := f.db.Commit(f.ctx, []*sb.Change{ch}); err != nil {
		f.t.Fatal(err)
	}
	return ch.Events
}

// follower relays the bus into its own broker and returns what its
// subscribers see.
func (f *fixture) follower(b *natsbus.Bus, after int64) (<-chan sb.Event, context.CancelFunc) {
	f.t.Helper()
	local := broker.New()
	sub := local.Subscribe(0, 10000)
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := b.Relay(ctx, f.db, local, after, f.clock, time.Second); err != nil {
			f.t.Errorf("relay: %v", err)
		}
	}()
	f.t.Cleanup(func() { cancel(); <-done; local.Close() })
	return sub.C(), cancel
}

// expect reads the next n events and checks they are positions from..from+n-1.
func (f *fixture) expect(c <-chan sb.Event, from int64, n int) {
	f.t.Helper()
	for i := range n {
		select {
		case e := <-c:
			if e.ID != from+int64(i) {
				f.t.Fatalf("event %d: got position %d, want %d", i, e.ID, from+int64(i))
			}
		case <-time.After(10 * time.Second):
			f.t.Fatalf("waited for position %d", from+int64(i))
		}
	}
}

// quiet checks that nothing more arrives: a duplicate would come right
// behind the events before it, so a sentinel event is sent and must be
// the next one seen.
func (f *fixture) quiet(c <-chan sb.Event, p *natsbus.Publisher) {
	f.t.Helper()
	ev := f.commit(999)
	p.Publish(ev)
	f.expect(c, ev[0].ID, 1)
}

// Every event the leader publishes reaches a follower's subscribers once,
// in position order; the leader's own subscribers get it at once.
func TestRelayDeliversEveryEventOnceInOrder(t *testing.T) {
	f := newFixture(t)
	leaderLocal := broker.New()
	defer leaderLocal.Close()
	mine := leaderLocal.Subscribe(0, 1000)
	pub := f.bus().Publisher(leaderLocal)
	defer pub.Close()
	seen, _ := f.follower(f.bus(), 0)
	var sent []sb.Event
	for i := range 60 {
		ev := f.commit(int64(i%7) + 1)
		pub.Publish(ev)
		sent = append(sent, ev...)
	}
	f.expect(mine.C(), 1, 60)
	f.expect(seen, 1, 60)
	// The same events again (a publisher retrying): dropped.
	pub.Publish(sent[10:20])
	f.quiet(seen, pub)
}

// Events the stream never carried (the publisher's queue full, NATS down)
// still arrive: from the store, before the next event the stream carries,
// or at the next poll when none follows.
func TestRelayFillsGapsFromTheStore(t *testing.T) {
	f := newFixture(t)
	pub := f.bus().Publisher(broker.New())
	defer pub.Close()
	seen, _ := f.follower(f.bus(), 0)
	pub.Publish(f.commit(1))
	f.expect(seen, 1, 1)
	for range 5 {
		f.commit(2) // committed, never published
	}
	pub.Publish(f.commit(3)) // position 7
	f.expect(seen, 2, 6)

	f.commit(4) // the last commit, never published, nothing after it
	f.commit(4)
	select {
	case e := <-seen:
		t.Fatalf("position %d arrived before any poll", e.ID)
	default:
	}
	f.clock.Advance(time.Second)
	f.expect(seen, 8, 2)
	f.quiet(seen, pub)
}

// A follower that starts after events were published catches up from the
// store from its position, then follows the stream.
func TestRelayStartsFromItsPosition(t *testing.T) {
	f := newFixture(t)
	pub := f.bus().Publisher(broker.New())
	defer pub.Close()
	for range 10 {
		pub.Publish(f.commit(1))
	}
	seen, _ := f.follower(f.bus(), 4)
	f.expect(seen, 5, 6)
	pub.Publish(f.commit(2))
	f.expect(seen, 11, 1)
	f.quiet(seen, pub)
}

// Two stores on one NATS, each with its own namespace, whose positions
// are the same numbers (a database made anew): a relay sees its own
// store's events only, and none of them is taken for a resend of the
// other's.
func TestNamespacesKeepStoresApart(t *testing.T) {
	f := newFixture(t)
	other, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "other.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	bus := func(ns string) *natsbus.Bus {
		b, err := natsbus.Connect(f.ctx, f.url, natsbus.Options{Namespace: ns, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(b.Close)
		return b
	}
	old := bus("3f2a").Publisher(broker.New())
	for range 5 {
		old.Publish(f.commit(1)) // positions 1..5 of the old store
	}
	newer := bus("9c1d")
	seen, _ := f.follower(newer, 0) // relays the store f.db, in namespace 9c1d
	f.expect(seen, 1, 5)            // from the store, as it starts
	// The new store's leader publishes positions 6.. of f.db; meanwhile
	// the old namespace publishes more of its own: not seen here.
	pub := newer.Publisher(broker.New())
	defer pub.Close()
	for id := range int64(3) {
		old.Publish([]sb.Event{{ID: 6 + id, SessionID: 1, Seq: 6 + id, Type: "custom_data", Version: 1, Time: t0, Data: json.RawMessage(`{}`)}})
	}
	old.Close() // sent and stored before the new store's leader sends
	for range 3 {
		pub.Publish(f.commit(2)) // positions 6, 7, 8: the same numbers
	}
	for i := range int64(3) {
		select {
		case e := <-seen:
			if e.ID != 6+i || e.SessionID != 2 {
				t.Fatalf("got position %d of session %d, want position %d of this store's session 2", e.ID, e.SessionID, 6+i)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("waited for position %d: taken for a resend of the other store's", 6+i)
		}
	}
	f.quiet(seen, pub)
}
