package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// A command the client sent without a key goes with a key the forwarder
// makes, marked fresh on its first try only: the leader need not look a
// fresh key up, but a try after a lost answer may follow one that ran. A
// client's own key is never fresh.
func TestForwarderMarksOnlyTheFirstTryOfItsOwnKeyFresh(t *testing.T) {
	c := clock.NewVirtual(t0)
	var mu sync.Mutex
	var got []cluster.Request
	leader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req cluster.Request
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		got = append(got, req)
		n := len(got)
		mu.Unlock()
		if n == 1 {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close() // the first answer is lost
			}
			return
		}
		json.NewEncoder(w).Encode(cluster.Result{Session: &sb.Session{ID: 7}})
	}))
	defer leader.Close()
	f := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return leader.URL, nil }, Secret: "s3cret", Clock: c,
		Patience: 10 * time.Second, Pause: time.Second}
	run := func(opt service.RunOptions) {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			_, err := f.Create(context.Background(), service.Caller{Role: sb.RoleIntegration}, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, opt)
			done <- err
		}()
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				return
			default:
			}
			if c.Timers() > 0 { // the forwarder pauses between tries
				c.Advance(time.Second)
			}
			time.Sleep(time.Millisecond) // waiting for the forwarder's goroutine, not test logic
		}
	}
	run(service.RunOptions{})
	if len(got) != 2 || !got[0].FreshKey || got[1].FreshKey || got[0].IdempotencyKey == "" || got[0].IdempotencyKey != got[1].IdempotencyKey {
		t.Fatalf("tries %+v: want the same made key, fresh on the first try only", got)
	}
	got = nil
	run(service.RunOptions{IdempotencyKey: "client-key-1"})
	if len(got) != 2 || got[0].FreshKey || got[1].FreshKey || got[0].IdempotencyKey != "client-key-1" {
		t.Fatalf("tries %+v: want the client's key, never fresh", got)
	}
}

// localCommands stands for this node's own writer: it answers creates
// with session 9, or refuses with err.
type localCommands struct {
	err   error
	calls int
	opts  []service.RunOptions
}

func (l *localCommands) Create(_ context.Context, _ service.Caller, _ *lifecycle.Create, opt service.RunOptions) (engine.Result, error) {
	l.calls++
	l.opts = append(l.opts, opt)
	if l.err != nil {
		err := l.err
		l.err = nil
		return engine.Result{}, err
	}
	return engine.Result{Session: &sb.Session{ID: 9}}, nil
}

func (l *localCommands) Run(ctx context.Context, c service.Caller, _ int64, cmd lifecycle.Command, opt service.RunOptions) (engine.Result, error) {
	return l.Create(ctx, c, nil, opt)
}

// A command waiting for a leader runs on this node once this node leads
// (a node that leads alone, starting; the next leader): not sent to
// itself. A writer that is stopping (unavailable) is not an answer: the
// command waits for the next leader, under the same key.
func TestForwarderRunsHereOnceThisNodeLeads(t *testing.T) {
	c := clock.NewVirtual(t0)
	local := &localCommands{err: sb.Errorf(sb.EUNAVAILABLE, "the server is shutting down")}
	asked := 0
	f := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return "", errors.New("the leader takes no forwarded commands") },
		Secret: "s3cret", Clock: c, Patience: 10 * time.Second, Pause: time.Second,
		Here: func() (service.Commands, bool) { asked++; return local, asked > 1 }}
	done := make(chan struct{})
	var res engine.Result
	var err error
	go func() {
		res, err = f.Create(context.Background(), service.Caller{Role: sb.RoleIntegration}, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, service.RunOptions{})
		close(done)
	}()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		default:
			if c.Timers() > 0 { // the forwarder pauses between tries
				c.Advance(time.Second)
			}
			time.Sleep(time.Millisecond) // waiting for the forwarder's goroutine, not test logic
		}
	}
	if err != nil || res.Session == nil || res.Session.ID != 9 {
		t.Fatalf("got %+v %v, want session 9 from this node", res, err)
	}
	// The first try went for the leader: no later try is fresh.
	if local.calls != 2 || local.opts[0].IdempotencyKey == "" || local.opts[0].IdempotencyKey != local.opts[1].IdempotencyKey ||
		local.opts[0].FreshKey || local.opts[1].FreshKey {
		t.Errorf("local runs %+v: want two under the forwarder's key, neither fresh", local.opts)
	}
}
