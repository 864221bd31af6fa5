package report_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/sqlite"
)

// countingStore is a real store that counts how often the projector reads
// one session's log, or a range of them; block, when set, holds every
// range read until it is closed.
type countingStore struct {
	*sqlite.DB
	sessionReads, rangeReads atomic.Int64
	reading                  chan struct{} // receives once a range read waits on block
	block                    chan struct{}
}

func (c *countingStore) SessionEvents(ctx context.Context, id, after int64, limit int) ([]sb.Event, error) {
	c.sessionReads.Add(1)
	return c.DB.SessionEvents(ctx, id, after, limit)
}

func (c *countingStore) SessionsEvents(ctx context.Context, from, to int64) ([]sb.Event, error) {
	c.rangeReads.Add(1)
	if c.block != nil {
		select {
		case c.reading <- struct{}{}:
		default:
		}
		<-c.block
	}
	return c.DB.SessionsEvents(ctx, from, to)
}

func openStore(t *testing.T) *countingStore {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "switchboard.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &countingStore{DB: db}
}

// commitNew commits the chat's events since the last commit, as the engine
// would: the projection with the new events, on the version before them.
func commitNew(t *testing.T, st sb.EventStore, c *chat, done *int) {
	t.Helper()
	if *done == len(c.events) {
		return
	}
	events := make([]sb.Event, 0, len(c.events)-*done)
	for _, e := range c.events[*done:] {
		e.ID = 0
		events = append(events, e)
	}
	s := lifecycle.Clone(c.s)
	s.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", c.id) // the chats share one
	ch := &sb.Change{Session: s, ExpectedSeq: c.events[*done].Seq - 1, Events: events}
	if err := st.Commit(context.Background(), []*sb.Change{ch}); err != nil {
		t.Fatal(err)
	}
	*done = len(c.events)
}

func hold(c *chat, at time.Duration) {
	h, _ := lifecycle.NewCommand("hold")
	r, _ := lifecycle.NewCommand("resume")
	c.do(at, h).do(at+10*sec, r)
}

// Catching up after every commit, as the server does, the projector reads
// no session's log: each event is folded into the session's log kept in
// memory, so an event costs the same however long the session is. The
// facts stored equal those derived from the whole log.
func TestProjectorDoesNotReadTheLogAgain(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := &report.Projector{Events: st, Reports: st}
	a, b := newChat(t, 1, 0, 1), newChat(t, 2, sec, 1)
	var doneA, doneB int
	step := func() {
		commitNew(t, st, a, &doneA)
		commitNew(t, st, b, &doneB)
		if _, err := p.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	step()
	a.assign(10*sec, 7)
	b.assign(11*sec, 8)
	step()
	for i := range 30 {
		at := time.Duration(20+30*i) * sec
		hold(a, at)
		a.say(at+15*sec, 7, "one moment")
		hold(b, at+sec)
		step()
	}
	a.end(20*min, lifecycle.ByEndUser)
	step()
	if n := st.sessionReads.Load(); n != 0 {
		t.Errorf("the projector read a session's log %d times, want 0", n)
	}
	for _, c := range []*chat{a, b} {
		got, err := st.Facts(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.facts(); got.Seq != want.Seq || !reflect.DeepEqual(got.Session, want.Session) || !reflect.DeepEqual(got.Agents, want.Agents) {
			t.Errorf("session %d: stored facts\n %+v\nwant\n %+v", c.id, got, want)
		}
	}
}

// A projector that starts over an existing log (a restart) reads a
// session's log once, when it first meets the session, and not again for
// the events that follow.
func TestProjectorReadsALogOnceAfterAStart(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	c := newChat(t, 1, 0, 1).assign(10*sec, 7)
	done := 0
	for i := range 10 {
		hold(c, time.Duration(20+30*i)*sec)
	}
	commitNew(t, st, c, &done)
	if _, err := (&report.Projector{Events: st, Reports: st}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	p := &report.Projector{Events: st, Reports: st} // a new process
	for i := range 10 {
		hold(c, time.Duration(400+30*i)*sec)
		commitNew(t, st, c, &done)
		if _, err := p.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := st.sessionReads.Load(); n != 1 {
		t.Errorf("the projector read the session's log %d times, want 1", n)
	}
	got, err := st.Facts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.facts(); got.Seq != want.Seq || !reflect.DeepEqual(got.Agents, want.Agents) {
		t.Errorf("stored facts %+v, want %+v", got.Agents, want.Agents)
	}
}

// A projector that keeps few logs forgets the older ones and reads them
// again when their sessions go on: the facts are the same.
func TestProjectorForgetsAndRereadsLogs(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	p := &report.Projector{Events: st, Reports: st, Keep: 2}
	chats := make([]*chat, 6)
	done := make([]int, 6)
	for round := range 3 {
		for i := range chats {
			at := time.Duration(round*100+i) * sec
			if round == 0 {
				chats[i] = newChat(t, int64(i+1), at, 1).assign(at+sec, int64(7+i))
			} else {
				hold(chats[i], at)
			}
			commitNew(t, st, chats[i], &done[i])
			if _, err := p.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := st.sessionReads.Load(); n == 0 {
		t.Error("a projector keeping 2 logs of 6 sessions never read one again")
	}
	for _, c := range chats {
		got, err := st.Facts(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.facts(); got.Seq != want.Seq || !reflect.DeepEqual(got.Session, want.Session) || !reflect.DeepEqual(got.Agents, want.Agents) {
			t.Errorf("session %d: stored %+v, want %+v", c.id, got.Agents, want.Agents)
		}
	}
}

// While the facts are rebuilt, Sync answers at once that they are being
// rebuilt, how far along; once the rebuild is done they are current, and
// equal the facts kept incrementally.
func TestSyncDoesNotWaitForARebuild(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var want []sb.SessionFacts
	for id := int64(1); id <= 2100; id++ { // three rebuild batches
		c := newChat(t, id, time.Duration(id)*sec, 1).assign(time.Duration(id)*sec+5*sec, 7)
		if id%3 == 0 {
			c.end(time.Duration(id)*sec+time.Minute, lifecycle.ByEndUser)
		}
		done := 0
		commitNew(t, st, c, &done)
		want = append(want, c.facts())
	}
	p := &report.Projector{Events: st, Reports: st}
	if _, err := p.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// A rebuild as at a start: by a projector that has not caught up.
	p = &report.Projector{Events: st, Reports: st}
	last, err := st.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.reading, st.block = make(chan struct{}, 1), make(chan struct{})
	rebuilt := make(chan error, 1)
	go func() { _, err := p.Rebuild(ctx); rebuilt <- err }()
	<-st.reading
	f, err := p.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Current || !f.Rebuilding || f.SessionsTotal != 2100 || f.SessionsBuilt > 2100 || f.LastEvent != last {
		t.Errorf("during the rebuild Sync says %+v", f)
	}
	close(st.block)
	if err := <-rebuilt; err != nil {
		t.Fatal(err)
	}
	if n := st.rangeReads.Load(); n != 3 {
		t.Errorf("the rebuild read %d ranges of sessions, want 3", n)
	}
	if f, err := p.Sync(ctx); err != nil || !f.Current {
		t.Errorf("after the rebuild Sync says %+v, %v", f, err)
	}
	for _, w := range []sb.SessionFacts{want[0], want[999], want[1000], want[2099]} {
		got, err := st.Facts(ctx, w.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != w.Seq || !reflect.DeepEqual(got.Session, w.Session) || !reflect.DeepEqual(got.Agents, w.Agents) {
			t.Errorf("session %d rebuilt: %+v, want %+v", w.SessionID, got, w)
		}
	}
}

// steppingStore signals every page of events the projector has read.
type steppingStore struct {
	*countingStore
	reads chan int64 // the checkpoint each read started from, once it is done
}

func (s *steppingStore) Events(ctx context.Context, after int64, limit int) ([]sb.Event, error) {
	events, err := s.countingStore.Events(ctx, after, limit)
	s.reads <- after
	return events, err
}

// Run lets the events that woke it settle for Settle on its clock, so
// under load a step stores many events' facts at once; then it catches up.
func TestRunLetsEventsSettle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := &steppingStore{countingStore: openStore(t), reads: make(chan int64, 16)}
	clk := clock.NewVirtual(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	b := broker.New()
	indexed := make(chan struct{}, 16)
	p := &report.Projector{Events: st, Reports: st, Clock: clk, Settle: 250 * time.Millisecond,
		Index: func(context.Context) error { indexed <- struct{}{}; return nil }}
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx, b) }()
	defer func() { cancel(); <-done }()
	if from := <-st.reads; from != 0 { // the first catch-up has read the empty log
		t.Fatalf("first read from %d", from)
	}
	<-indexed // and Index ran after it

	a := newChat(t, 1, 0, 1)
	a.assign(10*sec, 7)
	var doneA int
	commitNew(t, st, a, &doneA)
	events, err := st.SessionEvents(ctx, a.id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	b.Publish(events)
	// Wait for Run to start settling: its timer is the clock's only one.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for deadline := time.After(10 * time.Second); clk.Timers() != 1; {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("Run did not start settling")
		}
	}
	clk.Advance(249 * time.Millisecond)
	select {
	case from := <-st.reads:
		t.Fatalf("Run caught up from %d before the events settled", from)
	default:
	}
	if _, err := st.Facts(ctx, a.id); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Fatalf("facts before settling: %v", err)
	}
	select {
	case <-indexed:
		t.Fatal("Index ran before the events settled")
	default:
	}
	clk.Advance(time.Millisecond)
	if from := <-st.reads; from != 0 {
		t.Fatalf("caught up from %d, want 0", from)
	}
	var got sb.SessionFacts
	for deadline := time.After(10 * time.Second); ; { // the step's PutFacts
		if got, err = st.Facts(ctx, a.id); err == nil {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("facts not stored after settling: %v", err)
		}
	}
	if want := a.facts(); got.Seq != want.Seq || !reflect.DeepEqual(got.Agents, want.Agents) {
		t.Errorf("stored facts\n %+v\nwant\n %+v", got, want)
	}
	select { // Index follows the settled catch-up
	case <-indexed:
	case <-time.After(10 * time.Second):
		t.Fatal("Index did not run after the settled catch-up")
	}
}
