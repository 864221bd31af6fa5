package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgconn"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/datadir"
	"github.com/switchboardhq/switchboard/internal/redact"
)

// migrateCmd copies a store into an empty one (app.Migrate): the log and
// everything else not derived from it, then rebuilds what is and checks
// the copy as verify does. Neither store may be in use: a SQLite store's
// data directory is locked, a PostgreSQL store's leader lease held, for
// the whole copy.
func migrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("SWITCHBOARD_DATA", "./data"), "data directory of a sqlite: store (env SWITCHBOARD_DATA)")
	from := fs.String("from", "sqlite:", "store to copy: sqlite: (the data directory's), sqlite:PATH or a postgres:// URL")
	to := fs.String("to", "", "empty store to copy into: a postgres:// URL, sqlite: or sqlite:PATH")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		return errors.New("usage: switchboard migrate [--data DIR] [--from sqlite:|sqlite:PATH|postgres://…] --to postgres://…|sqlite:PATH")
	}
	same, err := sameStore(*from, *to, *data)
	if err != nil {
		return err
	}
	if same {
		return fmt.Errorf("--from and --to name the same store (%s): migrate copies into another, empty store", describeStore(*to, *data))
	}
	ctx := context.Background()

	var locks []*datadir.Lock
	defer func() {
		for _, l := range locks {
			l.Release()
		}
	}()
	src, closeSrc, err := openForMigrate(ctx, *from, *data, true, &locks, stderr)
	if err != nil {
		return fmt.Errorf("source %s: %w", describeStore(*from, *data), err)
	}
	defer closeSrc()
	dst, closeDst, err := openForMigrate(ctx, *to, *data, false, &locks, stderr)
	if err != nil {
		return fmt.Errorf("target %s: %w", describeStore(*to, *data), err)
	}
	defer closeDst()

	logOut := stderr
	if *quiet {
		logOut = io.Discard
	}
	log := slog.New(slog.NewTextHandler(logOut, nil))
	log.Info("migrate: copying", "from", describeStore(*from, *data), "to", describeStore(*to, *data))
	rep, err := app.Migrate(ctx, src, dst, log)
	if sb.ErrorCode(err) == sb.ECONFLICT {
		return fmt.Errorf("target %s: %w; migrate copies into an empty store only (a new database, never served from)",
			describeStore(*to, *data), err)
	}
	if err != nil {
		return err
	}
	return printJSON(stdout, rep)
}

// openForMigrate opens a store for migrate. SQLite: the file's data
// directory is locked first (a source must exist; a target's file is
// created), unless this migrate already holds that lock. PostgreSQL: the
// cluster's leader lease is held until the returned func.
func openForMigrate(ctx context.Context, store, data string, source bool, locks *[]*datadir.Lock, stderr io.Writer) (app.Store, func(), error) {
	if isPostgres(store) {
		return openCluster(ctx, store, true, stderr)
	}
	path := sqlitePath(store, data)
	if source {
		if _, err := os.Stat(path); err != nil {
			return nil, nil, fmt.Errorf("no database at %s: %w", path, err)
		}
	}
	dir := filepath.Dir(path)
	if store == "sqlite:" {
		dir = data
	}
	held := false
	for _, l := range *locks {
		held = held || l.Dir() == dir
	}
	if !held {
		l, err := datadir.Acquire(dir)
		if err != nil {
			return nil, nil, err
		}
		*locks = append(*locks, l)
	}
	db, err := app.OpenStore(ctx, "sqlite:"+path, path, app.StoreOptions{})
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// sameStore says whether two store names mean the same database: the
// same SQLite file, or the same PostgreSQL host, port and database.
func sameStore(a, b, data string) (bool, error) {
	if isPostgres(a) != isPostgres(b) {
		return false, nil
	}
	if !isPostgres(a) {
		pa, pb := canonicalPath(sqlitePath(a, data)), canonicalPath(sqlitePath(b, data))
		return pa == pb, nil
	}
	ca, err := pgconn.ParseConfig(a)
	if err != nil {
		return false, fmt.Errorf("store %s: %w", redact.URL(a), err)
	}
	cb, err := pgconn.ParseConfig(b)
	if err != nil {
		return false, fmt.Errorf("store %s: %w", redact.URL(b), err)
	}
	return ca.Host == cb.Host && ca.Port == cb.Port && ca.Database == cb.Database, nil
}

// canonicalPath is path made absolute, with symbolic links resolved when
// it exists.
func canonicalPath(path string) string {
	if p, err := filepath.Abs(path); err == nil {
		path = p
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	return path
}
