package node

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/natstest"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

const ttl = 3 * time.Second

// testNode is a node with its public API and cluster listener on loopback.
type testNode struct {
	*Node
	api    *httptest.Server
	cancel context.CancelFunc
	done   chan struct{}

	hitsMu sync.Mutex
	hits   map[string]int // requests to the cluster listener, by path
}

// clusterHits returns how many requests the node's cluster listener took
// on path.
func (n *testNode) clusterHits(path string) int {
	n.hitsMu.Lock()
	defer n.hitsMu.Unlock()
	return n.hits[path]
}

func startNode(t *testing.T, name, store, bus string, c *clock.Virtual) *testNode {
	t.Helper()
	return startNodeTTL(t, name, store, bus, c, ttl)
}

// startNodeTTL starts a node whose leader's term lasts leaseTTL: a test
// that moves the virtual clock on fast, without wanting a failover, gives
// a long one, so that a leader slow to renew under load keeps its term.
func startNodeTTL(t *testing.T, name, store, bus string, c *clock.Virtual, leaseTTL time.Duration) *testNode {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Open(context.Background(), Options{Name: name, Address: ln.Addr().String(), Secret: "s3cret", Bus: bus,
		LeaseTTL: leaseTTL, App: app.Options{Store: store, ExportsDir: t.TempDir(), Clock: c,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{Node: n, api: httptest.NewServer(n.Handler()), done: make(chan struct{}), hits: map[string]int{}}
	ch := n.ClusterHandler()
	cl := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tn.hitsMu.Lock()
		tn.hits[r.URL.Path]++
		tn.hitsMu.Unlock()
		ch.ServeHTTP(w, r)
	})}
	go cl.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	tn.cancel = cancel
	go func() { n.Run(ctx); close(tn.done) }()
	t.Cleanup(func() { tn.stop(); cl.Close(); tn.api.CloseClientConnections(); tn.api.Close(); n.Close() })
	return tn
}

// stop ends the node's part in the election.
func (n *testNode) stop() {
	n.cancel()
	<-n.done
}

// waitFor polls cond (other goroutines' work: the election, the relay) in
// a bounded loop, advancing the virtual clock a little each round when
// advance is set.
func waitFor(t *testing.T, c *clock.Virtual, advance bool, what string, cond func() bool) {
	t.Helper()
	for range 3000 {
		if cond() {
			return
		}
		if advance {
			c.Advance(100 * time.Millisecond)
		}
		time.Sleep(2 * time.Millisecond) // other goroutines' work, not test logic
	}
	t.Fatalf("timed out waiting for %s", what)
}

// call sends a JSON request to a node's public API.
func call(t *testing.T, n *testNode, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, n.api.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// follower reads a node's stream of every event, keeping the positions.
type follower struct {
	mu  sync.Mutex
	ids []int64
}

func follow(t *testing.T, n *testNode, token string) *follower {
	t.Helper()
	req, _ := http.NewRequest("GET", n.api.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v %v", resp, err)
	}
	f := &follower{}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				id, _ := strconv.ParseInt(v, 10, 64)
				f.mu.Lock()
				f.ids = append(f.ids, id)
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *follower) seen() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.ids...)
}

// A command sent to a follower runs on the leader and its events reach
// the follower's subscribers; when the leader goes, the other node leads,
// and the subscriber on it sees every event once, in order, across the
// change. A leader that stops renewing (paused) is deposed once its term
// expires: its writes are refused, and it rejoins as a follower.
func TestFailoverAndFencing(t *testing.T) {
	t.Run("nats", func(t *testing.T) { failoverAndFencing(t, natstest.Start(t, t.TempDir()).ClientURL()) })
	t.Run("store-polling", func(t *testing.T) { failoverAndFencing(t, "") })
}

func failoverAndFencing(t *testing.T, bus string) {
	store := pgtest.New(t)
	c := clock.NewVirtual(t0)
	ctx := context.Background()

	a := startNode(t, "node-a", store, bus, c)
	waitFor(t, c, false, "node-a to lead", a.Leading)
	token, err := a.App.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.App.Directory.SaveQueue(ctx, sb.Queue{Name: "售后"}); err != nil {
		t.Fatal(err)
	}
	b := startNode(t, "node-b", store, bus, c)
	sub := follow(t, b, token)

	create := func(n *testNode, name string) int64 {
		t.Helper()
		code, out := call(t, n, token, "POST", "/api/v1/sessions", fmt.Sprintf(`{"type":"chat_web","queue_id":1,"end_user":{"name":%q}}`, name))
		if code != 201 {
			t.Fatalf("create on %s: %d %v", n.opt.Name, code, out)
		}
		return int64(out["session"].(map[string]any)["id"].(float64))
	}
	first := create(b, "韩梅梅") // forwarded to node-a
	if b.Leading() || !a.Leading() {
		t.Fatal("node-b leads")
	}
	last := func() int64 { id, _ := a.db.LastEventID(ctx); return id }
	waitFor(t, c, true, "node-b's subscriber to see node-a's events", func() bool {
		s := sub.seen()
		return len(s) > 0 && s[len(s)-1] == last()
	})

	// node-a shuts down: it releases its term and node-b leads at its next try.
	a.stop()
	waitFor(t, c, true, "node-b to lead", b.Leading)
	second := create(b, "李雷") // on node-b's own engine now
	if second != first+1 {
		t.Errorf("the session after the failover is %d, want %d", second, first+1)
	}

	// node-b stalls: it leads on, but stops renewing. node-c takes the
	// lease once the term expires, and node-b's writes are refused.
	b.stalled.Store(true)
	cn := startNode(t, "node-c", store, bus, c)
	waitFor(t, c, true, "node-c to lead", cn.Leading)
	if !b.Leading() {
		t.Fatal("node-b stepped down without trying to renew")
	}
	before := last()
	code, out := call(t, b, token, "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`)
	if code != http.StatusServiceUnavailable {
		t.Errorf("a command on the deposed leader: %d %v, want 503", code, out)
	}
	if last() != before {
		t.Fatalf("the deposed leader's command landed: last event %d, was %d", last(), before)
	}
	b.stalled.Store(false) // it wakes, finds its term lost and follows
	waitFor(t, c, true, "node-b to follow", func() bool { return !b.Leading() })
	third := create(b, "Lucy") // forwarded to node-c
	if third <= second {       // the refused create may have used an ID: gaps are allowed
		t.Errorf("the session on node-c is %d, want one after %d", third, second)
	}

	waitFor(t, c, true, "node-b's subscriber to catch up", func() bool {
		s := sub.seen()
		return len(s) > 0 && s[len(s)-1] == last()
	})
	seen := sub.seen()
	for i, id := range seen {
		if id != int64(i+1) {
			t.Fatalf("node-b's subscriber saw %v: want every position from 1 to %d once, in order", seen, last())
		}
	}
}
