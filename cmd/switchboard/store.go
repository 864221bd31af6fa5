package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/datadir"
	"github.com/switchboardhq/switchboard/internal/redact"
	"github.com/switchboardhq/switchboard/postgres"
)

// storeHelp is the help of --store, the same on every command.
const storeHelp = "database: sqlite: for the data directory's switchboard.db, or a postgres:// URL of the cluster's database (env SWITCHBOARD_STORE)"

// addStoreFlag adds --store to fs.
func addStoreFlag(fs *flag.FlagSet) *string {
	return fs.String("store", env("SWITCHBOARD_STORE", "sqlite:"), storeHelp)
}

// isPostgres says whether store names a PostgreSQL database.
func isPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// sqlitePath is the file of a SQLite store: the data directory's, or the
// one named by sqlite:PATH.
func sqlitePath(store, data string) string {
	if p := strings.TrimPrefix(store, "sqlite:"); p != "" && p != store {
		return p
	}
	dbPath, _ := app.DataPaths(data)
	return dbPath
}

// describeStore is the store as a log line names it.
func describeStore(store, data string) string {
	if isPostgres(store) {
		return redact.URL(store)
	}
	return "sqlite:" + sqlitePath(store, data)
}

// openExisting opens a store that exists already, for a command.
//
// SQLite: the data directory's file (or sqlite:PATH) must be there. A
// command that writes takes the data directory's lock first, so that it
// cannot run beside a server or another command that writes; one that only
// reads runs beside them.
//
// PostgreSQL: a command that writes holds the cluster's leader lease while
// it runs (see holdLeader), and so refuses to run beside a running
// cluster; one that only reads runs beside it.
//
// The returned func closes the store and gives up the lock or the lease.
func openExisting(ctx context.Context, data, store string, writes bool, stderr io.Writer) (app.Store, func(), error) {
	if isPostgres(store) {
		return openCluster(ctx, store, writes, stderr)
	}
	dbPath := sqlitePath(store, data)
	if _, err := os.Stat(dbPath); err != nil {
		return nil, nil, fmt.Errorf("no database at %s: %w", dbPath, err)
	}
	var lock *datadir.Lock
	if writes {
		var err error
		if lock, err = datadir.Acquire(data); err != nil {
			return nil, nil, err
		}
	}
	db, err := app.OpenStore(ctx, "sqlite:"+dbPath, dbPath, app.StoreOptions{})
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	return db, func() { db.Close(); lock.Release() }, nil
}

// openCluster opens the cluster's PostgreSQL database; for a command that
// writes, under the leader lease.
func openCluster(ctx context.Context, store string, writes bool, stderr io.Writer) (app.Store, func(), error) {
	s, err := app.OpenStore(ctx, store, "", app.StoreOptions{})
	if err != nil {
		return nil, nil, err
	}
	if !writes {
		return s, func() { s.Close() }, nil
	}
	db, ok := s.(*postgres.DB)
	if !ok {
		s.Close()
		return nil, nil, fmt.Errorf("store %s is not a PostgreSQL database", redact.URL(store))
	}
	release, err := holdLeader(ctx, db, stderr)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, func() { release(); db.Close() }, nil
}

// cliLeaseTTL is how long a command's term of the leader lease lasts
// without renewal: a command that dies leaves the cluster free this soon.
const cliLeaseTTL = 15 * time.Second

// cliNode is the node name a command holds the leader lease as. It names
// the host and the process: two commands are two nodes, so the second is
// refused rather than handed the first one's lease.
func cliNode() string {
	node := "switchboard-cli"
	if h, err := os.Hostname(); err == nil && h != "" {
		node += "@" + h
	}
	return node + ":" + strconv.Itoa(os.Getpid())
}

// holdLeader acquires the cluster's leader lease for a command that
// writes, fences db's writes with its term, and renews the term every
// third of its TTL until the returned func, which releases it. While
// another node holds the lease it refuses, naming that node: the cluster
// is running. Should the term be lost all the same (the command paused
// past the TTL), the fence refuses its later writes.
func holdLeader(ctx context.Context, db *postgres.DB, stderr io.Writer) (release func(), err error) {
	l := db.Lease(postgres.LeaderLease, cliNode(), "", cliLeaseTTL, clock.Real{})
	term, ok, err := l.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		h, err := l.Holder(ctx)
		if err != nil {
			return nil, fmt.Errorf("another node holds the cluster's leader lease: the cluster is running (%v)", err)
		}
		return nil, fmt.Errorf("node %s holds the cluster's leader lease (until %s): the cluster is running; stop it before running this command",
			h.Node, h.Expires.Format(time.RFC3339))
	}
	db.SetFence(postgres.Fence{Lease: postgres.LeaderLease, Epoch: term.Epoch})
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(cliLeaseTTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			next, err := l.Renew(ctx, term)
			if errors.Is(err, postgres.ErrLeaseLost) {
				fmt.Fprintln(stderr, "switchboard: lost the cluster's leader lease: the writes from now on are refused")
				return
			}
			if err != nil {
				fmt.Fprintln(stderr, "switchboard: renew the leader lease:", err)
				continue // the next tick tries again, within the TTL
			}
			term = next
		}
	}()
	return func() {
		close(stop)
		<-done
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.Release(rctx, term); err != nil {
			fmt.Fprintln(stderr, "switchboard: release the leader lease:", err)
		}
	}, nil
}
