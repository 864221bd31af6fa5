// Package node runs one node of a cluster: every node serves the whole
// API on a shared PostgreSQL store, and the node that holds the leader's
// lease also runs the writer (the engine, routing, timers, the outbox and
// the report projector), fenced by the lease's epoch. The others forward
// commands and routing's calls to it and relay its events from NATS
// JetStream into their own broker, so a subscriber on any node sees every
// event of its sessions. When the leader's lease lapses (the leader died,
// paused or lost the database) another node takes it, rebuilds routing
// from the store and leads; a deposed leader's writes are refused by the
// fence and it rejoins as a follower.
package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/natsbus"
	"github.com/switchboardhq/switchboard/postgres"
	"github.com/switchboardhq/switchboard/service"
)

// busNamespaceKey names the store's server key that is its namespace on
// the bus (natsbus.Options.Namespace).
const busNamespaceKey = "bus_namespace"

// DefaultLeaseTTL is how long a leader's term lasts without renewal: the
// longest a cluster goes without a writer after its leader dies.
const DefaultLeaseTTL = 5 * time.Second

// Options configure a node.
type Options struct {
	// App configures the stack; its Store must be a postgres:// URL.
	App app.Options
	// Bus is the NATS URL the leader publishes its events to; without
	// one, followers read the leader's events from the store every Poll.
	Bus string
	// Name names the node, unique in the cluster (a host name and port).
	Name string
	// Address is host:port where the other nodes reach this node's
	// cluster listener (ClusterHandler), and Secret the cluster's shared
	// secret. Without them the node leads alone: while it leads, another
	// node cannot forward commands to it.
	Address string
	Secret  string
	// LeaseTTL is the leader's term without renewal (default
	// DefaultLeaseTTL); the leader renews it every third of it.
	LeaseTTL time.Duration
	// Poll is how often a follower's relay reads the store's last
	// position, besides the stream (default 1 s).
	Poll time.Duration
}

// Node is a running node.
type Node struct {
	// App is the node's stack; App.Engine is set while it leads.
	App *app.App
	opt Options
	log *slog.Logger
	db  *postgres.DB
	bus *natsbus.Bus

	lease   *postgres.Lease
	fwd     *cluster.Forwarder
	leading atomic.Bool
	// local hands events to the node's broker and remembers the newest
	// position it handed on, where a relay starts.
	local *tracker

	leaderMu sync.Mutex
	leader   cachedLeader

	// stalled stops the leader renewing its lease, and releasing it on the
	// way out, while everything else runs: the tests' stand-in for a
	// process paused past its term, or killed.
	stalled atomic.Bool
}

// Open connects the node to the store and the bus and builds its stack as
// a follower; Run takes part in the election.
func Open(ctx context.Context, opt Options) (*Node, error) {
	if !strings.HasPrefix(opt.App.Store, "postgres://") && !strings.HasPrefix(opt.App.Store, "postgresql://") {
		return nil, errors.New("a cluster node needs a postgres:// store")
	}
	if opt.Name == "" {
		return nil, errors.New("a cluster node needs a name")
	}
	if (opt.Address == "") != (opt.Secret == "") {
		return nil, errors.New("a cluster node takes forwarded commands with both a cluster address and a secret, or neither")
	}
	if opt.LeaseTTL <= 0 {
		opt.LeaseTTL = DefaultLeaseTTL
	}
	if opt.Poll <= 0 {
		opt.Poll = time.Second
	}
	if opt.App.Logger == nil {
		opt.App.Logger = slog.Default()
	}
	store, err := boundIdleTransactions(opt.App.Store, opt.LeaseTTL)
	if err != nil {
		return nil, err
	}
	opt.App.Store = store
	n := &Node{opt: opt, log: opt.App.Logger.With("node", opt.Name)}
	n.fwd = &cluster.Forwarder{Leader: n.leaderURL, Secret: opt.Secret, Clock: opt.App.Clock,
		Patience: 3 * opt.LeaseTTL, Here: n.localCommands}
	a, err := app.OpenFollower(ctx, opt.App, n.fwd)
	if err != nil {
		return nil, err
	}
	db, ok := a.DB.(*postgres.DB)
	if !ok {
		a.Close()
		return nil, errors.New("a cluster node needs a postgres:// store")
	}
	db.SetFence(postgres.Fence{Lease: postgres.LeaderLease}) // a follower writes none of the leader's state
	n.App, n.db = a, db
	n.local = &tracker{to: a.Broker}
	if n.local.last, err = db.LastEventID(ctx); err != nil {
		a.Close()
		return nil, fmt.Errorf("node: %w", err)
	}
	if opt.Bus != "" {
		// The store's own namespace on the bus: a database made anew
		// starts its positions again, and they must not be taken for
		// resends of an earlier one's events.
		fresh := make([]byte, 8)
		rand.Read(fresh)
		ns, err := db.ServerKey(ctx, busNamespaceKey, fresh)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("node: the bus namespace: %w", err)
		}
		if n.bus, err = natsbus.Connect(ctx, opt.Bus, natsbus.Options{Namespace: hex.EncodeToString(ns), Logger: n.log}); err != nil {
			a.Close()
			return nil, err
		}
	}
	n.lease = db.Lease(postgres.LeaderLease, opt.Name, opt.Address, opt.LeaseTTL, opt.App.Clock)
	return n, nil
}

// localCommands returns the node's own commands while it leads: a command
// that waited for a leader runs here once this node is the one.
func (n *Node) localCommands() (service.Commands, bool) {
	if !n.leading.Load() {
		return nil, false
	}
	return n.App.LocalCommands()
}

// boundIdleTransactions sets PostgreSQL's idle_in_transaction_session_timeout
// on the node's connections to the lease's TTL, unless the store URL sets
// it. A leader's commit holds a share lock on the lease row (the fence) and
// the next leader's acquisition waits for it: a leader paused (SIGSTOP, a
// frozen VM) in the middle of a transaction would otherwise keep the lock,
// and the cluster leaderless, for as long as it stays paused. The
// database ends such a session once it has been idle that long, and the
// acquisition goes through. No transaction of the store waits on its
// client for anything near a TTL.
func boundIdleTransactions(store string, ttl time.Duration) (string, error) {
	u, err := url.Parse(store)
	if err != nil {
		return "", fmt.Errorf("node: the store URL: %w", err)
	}
	q := u.Query()
	if q.Get("idle_in_transaction_session_timeout") == "" {
		q.Set("idle_in_transaction_session_timeout", strconv.FormatInt(ttl.Milliseconds(), 10))
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Leading reports whether the node leads now.
func (n *Node) Leading() bool { return n.leading.Load() }

// Handler is the public API and pages, the same on every node. A node
// that does not lead sends on what only the leader serves (a write to the
// shared configuration or the tokens, httpapi.Server.LeaderOnly) and,
// before it answers, reloads what the leader changed, so the client reads
// its own write here next.
func (n *Node) Handler() http.Handler {
	public, api := n.App.Handler(), n.App.API
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.leading.Load() || !api.LeaderOnly(r) {
			public.ServeHTTP(w, r)
			return
		}
		n.fwd.Proxy(w, r, public, func(ctx context.Context, status int) {
			if status >= 300 {
				return
			}
			api.ForgetTokens()
			if err := n.App.Directory.Reload(ctx); err != nil {
				n.log.Warn("reload the directory after a change on the leader", "err", err)
			}
		})
	})
}

// ClusterHandler is the cluster listener: the leader's side of forwarded
// commands and routing calls. A node that does not lead answers 421, so
// the forwarder asks the next leader.
func (n *Node) ClusterHandler() http.Handler {
	h := n.App.API.ClusterHandler(n.opt.Secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !n.leading.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMisdirectedRequest)
			fmt.Fprintf(w, `{"error":{"code":%q,"message":"node %s does not lead"}}`+"\n", sb.EUNAVAILABLE, n.opt.Name)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Close releases the lease if the node holds it and closes the stack.
func (n *Node) Close() error {
	if n.bus != nil {
		n.bus.Close()
	}
	return n.App.Close()
}

// tracker hands events to the broker and keeps the newest position.
type tracker struct {
	mu   sync.Mutex
	to   sb.Publisher
	last int64
}

// Publish implements sb.Publisher.
func (t *tracker) Publish(events []sb.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fresh := events[:0:0]
	for _, e := range events {
		if e.ID > t.last {
			fresh = append(fresh, e)
			t.last = e.ID
		}
	}
	if len(fresh) > 0 {
		t.to.Publish(fresh)
	}
}

func (t *tracker) position() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// cachedLeader is the lease's holder as last read.
type cachedLeader struct {
	url  string
	read time.Time
}

// leaderURL is the base URL of the leader's cluster listener, read from
// the lease at most every tenth of its TTL.
func (n *Node) leaderURL(ctx context.Context) (string, error) {
	now := n.opt.App.Clock.Now()
	n.leaderMu.Lock()
	defer n.leaderMu.Unlock()
	if n.leader.url != "" && now.Sub(n.leader.read) < n.opt.LeaseTTL/10 {
		return n.leader.url, nil
	}
	h, err := n.lease.Holder(ctx)
	if err != nil {
		return "", err
	}
	if h.Node == "" || !h.Expires.After(now) {
		n.leader = cachedLeader{}
		return "", errors.New("no node holds the leader's lease")
	}
	if h.Address == "" {
		n.leader = cachedLeader{}
		return "", fmt.Errorf("node %s leads without a cluster address: it takes no forwarded commands", h.Node)
	}
	n.leader = cachedLeader{url: "http://" + h.Address, read: now}
	return n.leader.url, nil
}

// sleep waits d on the node's clock, or until ctx ends.
func (n *Node) sleep(ctx context.Context, d time.Duration) bool {
	done := make(chan struct{})
	t := clock.AfterFunc(n.opt.App.Clock, d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}
