package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/internal/redact"
	"github.com/switchboardhq/switchboard/node"
)

// clusterFlags are serve's settings for a node of a cluster.
type clusterFlags struct {
	bus, addr, secret, name *string
	ttl                     *time.Duration
}

func addClusterFlags(fs *flag.FlagSet) clusterFlags {
	ttl, _ := time.ParseDuration(env("SWITCHBOARD_LEASE_TTL", node.DefaultLeaseTTL.String()))
	return clusterFlags{
		bus:    fs.String("bus", env("SWITCHBOARD_BUS", ""), "NATS URL (nats://host:4222) the leader publishes events to and the other nodes relay from; empty: they read them from the store each second (env SWITCHBOARD_BUS; needs a postgres:// store)"),
		addr:   fs.String("cluster-addr", env("SWITCHBOARD_CLUSTER_ADDR", ""), "host:port this node takes forwarded commands on, reachable by the other nodes and not by the public (env SWITCHBOARD_CLUSTER_ADDR; needs a postgres:// store)"),
		secret: fs.String("cluster-secret", env("SWITCHBOARD_CLUSTER_SECRET", ""), "the secret every node of the cluster shares, for forwarded commands (env SWITCHBOARD_CLUSTER_SECRET)"),
		name:   fs.String("node-name", env("SWITCHBOARD_NODE_NAME", ""), "this node's name in the cluster, unique (env SWITCHBOARD_NODE_NAME; default host:port of --addr)"),
		ttl:    fs.Duration("lease-ttl", ttl, "how long the leader's term lasts unrenewed: the longest wait for a new leader (env SWITCHBOARD_LEASE_TTL)"),
	}
}

// check refuses cluster settings without a PostgreSQL store.
func (c clusterFlags) check(store string) error {
	if isPostgres(store) {
		if (*c.addr == "") != (*c.secret == "") {
			return errors.New("--cluster-addr and --cluster-secret go together")
		}
		if *c.ttl < time.Second {
			return errors.New("--lease-ttl must be at least 1s")
		}
		return nil
	}
	if *c.bus != "" || *c.addr != "" {
		return errors.New("--bus and --cluster-addr need a postgres:// --store: a SQLite store is one process's")
	}
	return nil
}

// stack is what serve runs: one process on its SQLite store, or a node of
// a cluster on PostgreSQL.
type stack struct {
	app *app.App
	// handler serves the public API and pages: a node's sends on to the
	// leader what only the leader serves.
	handler http.Handler
	run     func(ctx context.Context)
	close   func() error
}

// openStack opens one process's stack, or a node with its cluster
// listener.
func openStack(ctx context.Context, opt app.Options, c clusterFlags, listen string, log *slog.Logger) (*stack, error) {
	if !isPostgres(opt.Store) {
		a, err := app.Open(ctx, opt)
		if err != nil {
			return nil, err
		}
		return &stack{app: a, handler: a.Handler(), run: a.Run, close: a.Close}, nil
	}
	name := *c.name
	if name == "" {
		host, _ := os.Hostname()
		_, port, _ := net.SplitHostPort(listen)
		name = host + ":" + port
	}
	n, err := node.Open(ctx, node.Options{App: opt, Bus: *c.bus, Name: name, Address: *c.addr, Secret: *c.secret, LeaseTTL: *c.ttl})
	if err != nil {
		return nil, err
	}
	st := &stack{app: n.App, handler: n.Handler(), run: n.Run, close: n.Close}
	if *c.addr != "" {
		ln, err := net.Listen("tcp", *c.addr)
		if err != nil {
			n.Close()
			return nil, fmt.Errorf("cluster listener: %w", err)
		}
		srv := &http.Server{Handler: n.ClusterHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("cluster listener", "err", err)
			}
		}()
		st.close = func() error { srv.Close(); return n.Close() }
	}
	log.Info("cluster node", "node", name, "cluster_addr", *c.addr, "bus", redact.URL(*c.bus), "lease_ttl", c.ttl.String())
	return st, nil
}
