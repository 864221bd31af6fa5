package cluster_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/service"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// proxy sends r through f on a goroutine, advancing c while f pauses
// between tries, and returns what the client got.
func proxy(t *testing.T, f *cluster.Forwarder, c *clock.Virtual, r *http.Request, after func(context.Context, int)) *httptest.ResponseRecorder {
	t.Helper()
	return proxyLocal(t, f, c, r, nil, after)
}

// proxyLocal is proxy with local as the node's own handler.
func proxyLocal(t *testing.T, f *cluster.Forwarder, c *clock.Virtual, r *http.Request, local http.Handler, after func(context.Context, int)) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	done := make(chan struct{})
	go func() { f.Proxy(w, r, local, after); close(done) }()
	for {
		select {
		case <-done:
			return w
		default:
		}
		if c.Timers() > 0 { // the forwarder pauses between tries
			c.Advance(time.Second)
		}
		time.Sleep(time.Millisecond) // waiting for the forwarder's goroutine, not test logic
	}
}

// A request only the leader serves goes to it as the client made it —
// method, path and query, credentials, body — under APIPath with the
// cluster's secret; a node that answers that it does not lead (421) ran
// nothing, so the request goes to the next leader; after sees the answer
// before the client does.
func TestProxySendsTheClientsRequestToTheLeader(t *testing.T) {
	c := clock.NewVirtual(t0)
	var tries atomic.Int64
	leader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries.Add(1) == 1 {
			w.WriteHeader(http.StatusMisdirectedRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if r.Method != "PUT" || r.URL.RequestURI() != cluster.APIPath+"/api/v1/queues/3?x=1" ||
			r.Header.Get("Authorization") != "Bearer sbt_admin" || r.Header.Get(cluster.SecretHeader) != "s3cret" ||
			string(body) != `{"name":"售后"}` {
			t.Errorf("the leader got %s %s %v %s", r.Method, r.URL.RequestURI(), r.Header, body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"7"`)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id":3,"name":"售后"}`)
	}))
	defer leader.Close()
	f := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return leader.URL, nil }, Secret: "s3cret", Clock: c,
		Patience: 10 * time.Second, Pause: time.Second}
	r := httptest.NewRequest("PUT", "/api/v1/queues/3?x=1", strings.NewReader(`{"name":"售后"}`))
	r.Header.Set("Authorization", "Bearer sbt_admin")
	var afterStatus int
	w := proxy(t, f, c, r, func(_ context.Context, status int) { afterStatus = status })
	if w.Code != 200 || w.Body.String() != `{"id":3,"name":"售后"}` || w.Header().Get("ETag") != `"7"` {
		t.Errorf("the client got %d %v %s", w.Code, w.Header(), w.Body)
	}
	if tries.Load() != 2 || afterStatus != 200 {
		t.Errorf("%d tries, after saw %d: want 2 tries and 200", tries.Load(), afterStatus)
	}
}

// A request whose answer was lost after it reached a leader may have run:
// it is not sent again (a configuration write has no idempotency key),
// and the client gets 503 to look before it tries again.
func TestProxyDoesNotResendWhatMayHaveRun(t *testing.T) {
	c := clock.NewVirtual(t0)
	var tries atomic.Int64
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries.Add(1)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer cut.Close()
	f := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return cut.URL, nil }, Secret: "s3cret", Clock: c,
		Patience: 10 * time.Second, Pause: time.Second}
	called := false
	w := proxy(t, f, c, httptest.NewRequest("POST", "/api/v1/queues", strings.NewReader(`{"name":"售后"}`)),
		func(context.Context, int) { called = true })
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"code":"unavailable"`) {
		t.Errorf("the client got %d %s, want 503 unavailable", w.Code, w.Body)
	}
	if tries.Load() != 1 || called {
		t.Errorf("%d tries, after called %v: want one try and no after", tries.Load(), called)
	}
}

// A node that comes to lead while its request waits for a leader (a node
// that leads alone and was starting, or the next leader) serves the
// request itself, body and all, instead of sending it anywhere.
func TestProxyServesHereOnceThisNodeLeads(t *testing.T) {
	c := clock.NewVirtual(t0)
	var asked atomic.Int64
	f := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return "", errors.New("the leader takes no forwarded commands") },
		Secret: "s3cret", Clock: c, Patience: 10 * time.Second, Pause: time.Second,
		Here: func() (service.Commands, bool) { return nil, asked.Add(1) > 1 }}
	local := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	})
	called := false
	w := proxyLocal(t, f, c, httptest.NewRequest("POST", "/api/v1/queues", strings.NewReader(`{"name":"售后"}`)), local,
		func(context.Context, int) { called = true })
	if w.Code != http.StatusCreated || w.Body.String() != `{"name":"售后"}` || called {
		t.Errorf("got %d %s (after called: %v), want the local handler's 201 with the body, and no after", w.Code, w.Body, called)
	}
}
