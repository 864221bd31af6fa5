package directory_test

import (
	"context"
	"errors"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
)

// hookedStore lets a test step into the store's reads: docs runs after
// every ConfigDocs, with what the store read, and may change the result.
type hookedStore struct {
	sb.ConfigStore
	docs func(kind string, docs [][]byte, err error) ([][]byte, error)
}

func (s *hookedStore) ConfigDocs(ctx context.Context, kind string) ([][]byte, error) {
	docs, err := s.ConfigStore.ConfigDocs(ctx, kind)
	if s.docs != nil {
		return s.docs(kind, docs, err)
	}
	return docs, err
}

// Two directories over one store (two nodes): what one writes, the other
// sees once it reloads, with the paths and checks that rest on it.
func TestReloadBringsInAnotherDirectorysWrites(t *testing.T) {
	e := newEnv(t)
	other := e.reopen()
	sales := e.queue(sb.Queue{Name: "Sales"})
	doomed := e.queue(sb.Queue{Name: "Doomed"})
	if err := other.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}

	en := e.queue(sb.Queue{Name: "Sales EN", ParentID: sales.ID})
	if err := e.dir.DeleteQueue(e.ctx, doomed.ID); err != nil {
		t.Fatal(err)
	}
	s := e.dir.RoutingSettings()
	s.FamiliarCustomer, s.TransferTimeoutSeconds = "last_agent", 90
	if _, err := e.dir.SaveRoutingSettings(e.ctx, s); err != nil {
		t.Fatal(err)
	}
	chat := e.dir.ChatSettings()
	chat.DispatcherNickname = "Front desk"
	if _, err := e.dir.SaveChatSettings(e.ctx, chat); err != nil {
		t.Fatal(err)
	}

	if _, err := other.GetQueue(en.ID); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Fatalf("before the reload the other directory has queue %d (err %v)", en.ID, err)
	}
	if err := other.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	ref, err := other.Queue(en.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := asJSON(t, sales.ID) + "/" + asJSON(t, en.ID); ref.Path != want {
		t.Errorf("path = %q, want %q", ref.Path, want)
	}
	if _, err := other.GetQueue(doomed.ID); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("the deleted queue is still there after the reload (err %v)", err)
	}
	if got := other.RoutingSettings(); got.FamiliarCustomer != "last_agent" || got.TransferTimeoutSeconds != 90 {
		t.Errorf("routing settings = %+v, want the saved ones", got)
	}
	if got := other.ChatSettings().DispatcherNickname; got != "Front desk" {
		t.Errorf("dispatcher nickname = %q, want the saved one", got)
	}
	// The other directory's checks use what it reloaded: the new queue
	// takes members, and its name is taken.
	if _, err := other.SaveAgent(e.ctx, sb.Agent{Name: "Ann", Email: "ann@example.com", Groups: []int64{en.ID}}); err != nil {
		t.Errorf("an agent in the reloaded queue: %v", err)
	}
	if _, err := other.SaveQueue(e.ctx, sb.Queue{Name: "Sales EN"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("a second queue named Sales EN: err %v, want %s", err, sb.ECONFLICT)
	}
}

// A reload that fails leaves the directory as it was, whole.
func TestReloadKeepsWhatItHadOnError(t *testing.T) {
	e := newEnv(t)
	sales := e.queue(sb.Queue{Name: "Sales"})
	store := &hookedStore{ConfigStore: e.db}
	d, err := directory.Open(e.ctx, store, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	e.queue(sb.Queue{Name: "Support"})
	broken := errors.New("disk on fire")
	store.docs = func(kind string, docs [][]byte, err error) ([][]byte, error) {
		if kind == directory.KindSessionTag {
			return nil, broken
		}
		return docs, err
	}
	if err := d.Reload(e.ctx); !errors.Is(err, broken) {
		t.Fatalf("Reload = %v, want the store's error", err)
	}
	if got := d.Queues(); len(got) != 1 || got[0].ID != sales.ID {
		t.Errorf("after a failed reload the queues are %+v, want only Sales", got)
	}

	// A document that does not load is refused the same way.
	store.docs = nil
	if err := e.db.PutConfig(e.ctx, directory.KindAgent, 99, []byte(`{"id": "not a number"}`)); err != nil {
		t.Fatal(err)
	}
	if err := d.Reload(e.ctx); err == nil {
		t.Fatal("Reload took an agent document that does not load")
	}
	if got := d.Queues(); len(got) != 1 {
		t.Errorf("after a failed reload there are %d queues, want 1", len(got))
	}
}

// A reload whose read of the store predates a write this directory makes
// meanwhile does not undo that write: it reads again.
func TestReloadKeepsALocalWriteThatRacedIt(t *testing.T) {
	e := newEnv(t)
	store := &hookedStore{ConfigStore: e.db}
	d, err := directory.Open(e.ctx, store, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	var local sb.Queue
	raced := false
	store.docs = func(kind string, docs [][]byte, err error) ([][]byte, error) {
		// The reload has read the queues; before it puts them in
		// place, the directory saves one (once).
		if kind == directory.KindQueue && !raced {
			raced = true
			var serr error
			if local, serr = d.SaveQueue(e.ctx, sb.Queue{Name: "Local"}); serr != nil {
				t.Errorf("SaveQueue: %v", serr)
			}
		}
		return docs, err
	}
	if err := d.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if !raced {
		t.Fatal("the reload never read the queues")
	}
	if _, err := d.GetQueue(local.ID); err != nil {
		t.Errorf("the queue saved during the reload is gone: %v", err)
	}
}

// A reload that keeps racing local writes ends by reading holding the
// lock, so that it neither fails nor undoes them.
func TestReloadReadsUnderTheLockAfterRepeatedRaces(t *testing.T) {
	e := newEnv(t)
	store := &hookedStore{ConfigStore: e.db}
	d, err := directory.Open(e.ctx, store, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	var saved []sb.Queue
	store.docs = func(kind string, docs [][]byte, err error) ([][]byte, error) {
		if kind != directory.KindQueue {
			return docs, err
		}
		reads++
		// Each read without the lock races a save; the read holding
		// the lock cannot (the save would wait for the lock forever).
		if reads <= directory.ReloadTries {
			q, serr := d.SaveQueue(e.ctx, sb.Queue{Name: "Local " + asJSON(t, reads)})
			if serr != nil {
				t.Errorf("SaveQueue: %v", serr)
			}
			saved = append(saved, q)
		}
		return docs, err
	}
	if err := d.Reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if reads != directory.ReloadTries+1 {
		t.Errorf("the reload read the queues %d times, want %d", reads, directory.ReloadTries+1)
	}
	for _, q := range saved {
		if _, err := d.GetQueue(q.ID); err != nil {
			t.Errorf("queue %d, saved during the reload, is gone: %v", q.ID, err)
		}
	}
}

// Of two reloads, the one that began after a write elsewhere leaves the
// directory with it, even when the one that began before it finishes
// last: reloads run one at a time.
func TestAnEarlierReloadDoesNotUndoALaterOne(t *testing.T) {
	e := newEnv(t)
	store := &hookedStore{ConfigStore: e.db}
	d, err := directory.Open(e.ctx, store, e.clock)
	if err != nil {
		t.Fatal(err)
	}
	paused, resume := make(chan struct{}), make(chan struct{})
	first := true
	store.docs = func(kind string, docs [][]byte, err error) ([][]byte, error) {
		if kind == directory.KindQueue && first {
			first = false
			close(paused) // the first reload has read the queues: none
			<-resume
		}
		return docs, err
	}
	earlier := make(chan error, 1)
	go func() { earlier <- d.Reload(e.ctx) }()
	<-paused
	// Another node writes a queue; this node reloads because of it.
	q := e.queue(sb.Queue{Name: "售后"})
	later := make(chan error, 1)
	go func() { later <- d.Reload(e.ctx) }()
	close(resume)
	if err := <-earlier; err != nil {
		t.Fatal(err)
	}
	if err := <-later; err != nil {
		t.Fatal(err)
	}
	if _, err := d.GetQueue(q.ID); err != nil {
		t.Errorf("the queue written before the later reload began is gone: %v", err)
	}
}
