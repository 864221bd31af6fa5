// Package postgres is the store for a cluster: session events,
// projections, durable timers, the outbox, configuration, tokens, users,
// attachments and offline messages in a PostgreSQL database (15 or newer),
// which every node of the cluster shares. It implements the same store
// interfaces as package sqlite and passes the same conformance suites
// (storetest).
//
// The schema is applied by numbered, embedded migrations at Open, under
// an advisory lock, so that nodes starting together migrate once.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/agentindex"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key under which Open migrates.
const migrationLock = 0x5357_4244 // "SWBD"

// DB is an open PostgreSQL store.
type DB struct {
	pool *pgxpool.Pool
	// indexed remembers committed session_agents rows, so that a commit
	// writes each pair once (agentindex.go, Commit).
	indexed agentindex.Index
	// timersOpByOp makes Commit write every timer op as a statement of
	// its own, in order, instead of planning them (timerplan.go): the
	// tests compare the two.
	timersOpByOp bool
	// fence is the term the leader's writes check (SetFence); nil: none.
	fence atomic.Pointer[Fence]
	// ratesPruned is when (µs, by the callers' clock) this node last
	// pruned the rate-limit windows (ratelimit.go).
	ratesPruned atomic.Int64
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string, as pgx reads them) and applies pending migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Pool is the connection pool, for the packages of the cluster that keep
// their own tables beside the store's (the leader lease).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// migrate applies the embedded migrations not yet applied, each in its own
// transaction, holding an advisory lock so that one node migrates while
// the others wait.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := migrationFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		if applied[f.version] {
			continue
		}
		sql, err := fs.ReadFile(migrations, "migrations/"+f.name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, f.version, f.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate: %s: %w", f.name, err)
		}
	}
	return nil
}

type migration struct {
	version int
	name    string
}

// migrationFiles lists the embedded migrations in order: NNNN_name.sql.
func migrationFiles() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migrate: %s is not named NNNN_name.sql", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrate: %s and %s have the same number", other, e.Name())
		}
		seen[v] = e.Name()
		out = append(out, migration{v, e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return sb.Errorf(sb.EUNAVAILABLE, "the store does not answer: %v", err)
	}
	return nil
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for other errors.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// classify turns an error that means the database cannot be reached or
// cannot write now (connection lost, server shutting down, disk full,
// read-only) into an EUNAVAILABLE error that still wraps it. Use it as
// defer classify(&err) in every method.
func classify(err *error) {
	if *err == nil || sb.ErrorCode(*err) != sb.EINTERNAL {
		return // no error, or one the store already gave a code
	}
	code := pgCode(*err)
	var msg string
	switch {
	case code == "53100": // disk_full
		msg = "the store cannot write: the database's disk is full"
	case code == "25006": // read_only_sql_transaction
		msg = "the store cannot write: the database is read-only (a standby?)"
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "57P"): // connection exceptions, shutdown
		msg = "the store does not answer: the database connection failed"
	case code == "" && pgconn.SafeToRetry(*err):
		msg = "the store does not answer: the database connection failed"
	default:
		var ce *pgconn.ConnectError
		if !errors.As(*err, &ce) {
			return
		}
		msg = "the store does not answer: cannot connect to the database"
	}
	*err = fmt.Errorf("%w: %w", sb.Errorf(sb.EUNAVAILABLE, "%s", msg), *err)
}

// CheckWrite reports whether the store takes writes: it commits a small
// update.
func (db *DB) CheckWrite(ctx context.Context) (err error) {
	defer classify(&err)
	if _, err := db.pool.Exec(ctx, `UPDATE write_probe SET at = at + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	return nil
}

// bootstrapLock is the advisory lock key under which Exclusively runs.
const bootstrapLock = 0x5357_4245 // "SWBE"

// Exclusively runs fn while no other process runs fn under Exclusively on
// the same database: nodes starting together make the first admin token
// and user once, not once each. fn may use the store as usual.
func (db *DB) Exclusively(ctx context.Context, fn func(context.Context) error) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("exclusively: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, bootstrapLock); err != nil {
		return fmt.Errorf("exclusively: lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, bootstrapLock)
	return fn(ctx)
}
