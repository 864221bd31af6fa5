package cluster_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
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
