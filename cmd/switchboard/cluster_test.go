package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/natstest"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/internal/s3test"
	"github.com/switchboardhq/switchboard/postgres"
)

// freeAddr is a loopback address nothing listens on just now.
// testCluster is server processes on one PostgreSQL and NATS.
type testCluster struct {
	nodes []*server // node-1, node-2, …
	db    *postgres.DB
}

// startCluster starts n server processes named node-1 … node-n on a new
// PostgreSQL database and a NATS server, with the lease's ttl and extra
// flags, and waits for node-1 to lead.
func startCluster(t *testing.T, n int, ttl time.Duration, flags ...string) *testCluster {
	t.Helper()
	bin := buildBinary(t)
	store := pgtest.New(t)
	bus := natstest.Start(t, t.TempDir()).ClientURL()
	c := &testCluster{nodes: make([]*server, n)}
	for i := range c.nodes {
		c.nodes[i] = startServer(t, bin, filepath.Join(t.TempDir(), "data"), append([]string{"--store", store, "--bus", bus,
			"--cluster-addr", freeAddr(t), "--cluster-secret", "s3cret", "--node-name", fmt.Sprintf("node-%d", i+1),
			"--lease-ttl", ttl.String()}, flags...)...)
	}
	db, err := postgres.Open(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.db = db
	waitFor(t, func() bool { return c.holder() == "node-1" })
	return c
}

// holder is the node that holds an unexpired leader lease, or "".
func (c *testCluster) holder() string {
	h, err := c.db.Lease(postgres.LeaderLease, "test", "", time.Second, clock.Real{}).Holder(context.Background())
	if err != nil || !h.Expires.After(time.Now()) {
		return ""
	}
	return h.Node
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Three server processes on one PostgreSQL and NATS, with clients on every
// node. SIGKILL the leader in the middle: no acknowledged command is lost,
// none applies twice, and a surviving node takes commands again within
// the lease's TTL and a margin.
func TestClusterSurvivesTheLeadersSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three server processes")
	}
	s3, bucket := s3test.NewBucket(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	const ttl = 2 * time.Second
	c := startCluster(t, 3, ttl, "--files", s3.URL(bucket, "acme"))
	nodes, db, holder := c.nodes, c.db, c.holder
	waitFor(t, func() bool { return holder() == "node-1" })
	// Made on the leader, after the followers started: the one that leads
	// next reads it from the store when it takes over.
	nodes[0].must("POST", "/api/v1/queues", map[string]any{"name": "售后"}, 201)

	// Clients create sessions through every node, each with its own
	// idempotency key, and retry a failed one under the same key.
	var mu sync.Mutex
	acked := map[int64]string{} // session → the key that created it
	var wg sync.WaitGroup
	stopLoad := make(chan struct{})
	killed := make(chan time.Time, 1)
	var firstAfter time.Time
	for c := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				key := fmt.Sprintf("c%d-%d", c, i)
				for try := 0; try < 200; try++ {
					n := nodes[1+(c+try)%2] // the survivors; node-1 takes the direct load below
					if c%3 == 0 {
						n = nodes[(c+try)%3]
					}
					code, body, err := n.callKeyed("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1}, key)
					if err == nil && code == 201 {
						var out struct{ Session sb.Session }
						json.Unmarshal(body, &out)
						mu.Lock()
						if prev, dup := acked[out.Session.ID]; dup && prev != key {
							t.Errorf("session %d acknowledged for %s and %s", out.Session.ID, prev, key)
						}
						acked[out.Session.ID] = key
						select {
						case at := <-killed:
							if firstAfter.IsZero() {
								firstAfter = time.Now()
								killed <- at
							}
						default:
						}
						mu.Unlock()
						break
					}
					time.Sleep(50 * time.Millisecond) // a client's back-off between retries
				}
			}
		}()
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 100 })
	nodes[0].cmd.Process.Signal(syscall.SIGKILL)
	<-nodes[0].done
	killedAt := time.Now()
	killed <- killedAt
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return !firstAfter.IsZero() && len(acked) >= 300 })
	close(stopLoad)
	wg.Wait()

	if wait := firstAfter.Sub(killedAt); wait > ttl+5*time.Second {
		t.Errorf("the first command after the kill took %s, want within the TTL (%s) and a margin", wait, ttl)
	}
	t.Logf("%d sessions acknowledged; the first after the kill %s later; now led by %s", len(acked), firstAfter.Sub(killedAt).Round(time.Millisecond), holder())
	n, err := db.CountSessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(acked)) {
		t.Errorf("the store holds %d sessions, %d were acknowledged (each key once)", n, len(acked))
	}
	for id := range acked {
		if _, err := db.Session(context.Background(), id); err != nil {
			t.Errorf("acknowledged session %d: %v", id, err)
		}
	}
}
