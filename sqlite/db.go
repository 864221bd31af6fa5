// Package sqlite is the embedded store: session events, projections, durable
// timers, the outbox, configuration and tokens in one SQLite file in WAL
// mode. Writes go through a single connection; reads use a pool.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/agentindex"
	"github.com/switchboardhq/switchboard/internal/recent"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the store.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "NORMAL" (the default)
	// survives a process crash; "FULL" also survives power loss.
	Synchronous string
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	// MaxPageCount caps the database at this many pages (SQLite's
	// max_page_count): a write that would grow it further fails with
	// EUNAVAILABLE, as on a full disk. Zero leaves SQLite's default.
	MaxPageCount int64
	// Logger logs what the store does on its own (its checkpoints);
	// default slog.Default().
	Logger *slog.Logger
}

// DB is an open SQLite store.
type DB struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// stmts are the write connection's prepared statements (statements),
	// reads the read pool's (readStatements), by name.
	stmts map[string]*sql.Stmt
	reads map[string]*sql.Stmt
	// indexed remembers committed session_agents rows, so that a commit
	// writes each pair once (see Commit).
	indexed agentindex.Index
	// facts are the report facts PutFacts stored last for the sessions
	// it wrote lately (report_write.go), under factsMu, which PutFacts
	// and ResetFacts hold from before their transaction to after the
	// cache matches what they committed.
	factsMu sync.Mutex
	facts   recent.Cache[int64, *sb.SessionFacts]
	// Statements prepared on first use and kept (stmtcache.go).
	readStmts, writeStmts stmtCache
	// writeFailed is set when a write failed because the store cannot
	// write (see classify), and cleared by a successful CheckWrite.
	writeFailed atomic.Bool
	// textPending says a message may have been committed since
	// IndexMessages last ran; textMu serialises its runs (messagetext.go).
	textMu      sync.Mutex
	textPending atomic.Bool
	// ckpt checkpoints the log beside the writer (checkpoint.go); nil for
	// a memory store. commits counts the writer's commits.
	ckpt    *checkpointer
	commits atomic.Int64
}

// Open opens (creating if needed) the database file at path and applies
// any pending migrations. Use ":memory:" for a private in-memory store.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if opt.Synchronous == "" {
		opt.Synchronous = "NORMAL"
	}
	switch strings.ToUpper(opt.Synchronous) {
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return nil, fmt.Errorf("open store: synchronous must be OFF, NORMAL, FULL or EXTRA, not %q", opt.Synchronous)
	}
	if opt.ReadConns <= 0 {
		opt.ReadConns = 4
	}
	db := &DB{path: path}
	// Messages committed before the last run of IndexMessages (or before
	// a crash) may still wait for it.
	db.textPending.Store(true)
	memory := path == ":memory:"
	if !memory {
		if err := privateFiles(path); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	dsn := func(readOnly bool) string {
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "synchronous(" + opt.Synchronous + ")"} {
			q.Add("_pragma", p)
		}
		if !memory {
			q.Add("_pragma", "journal_mode(WAL)")
		}
		if readOnly {
			q.Add("_pragma", "query_only(1)")
		} else {
			if opt.MaxPageCount > 0 {
				q.Add("_pragma", "max_page_count("+strconv.FormatInt(opt.MaxPageCount, 10)+")")
			}
			q.Add("_pragma", "wal_autocheckpoint("+strconv.Itoa(writerCheckpointPages)+")")
		}
		q.Set("_txlock", "immediate")
		if memory {
			// One shared in-memory database per DB value.
			return "file:" + fmt.Sprintf("mem%p", db) + "?mode=memory&cache=shared&" + q.Encode()
		}
		abs, _ := filepath.Abs(path)
		return "file:" + abs + "?" + q.Encode()
	}
	var err error
	if db.write, err = sql.Open(driverName, dsn(false)); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if memory {
		// A shared-cache memory database cannot mix a writer with readers
		// without locking errors; one connection serves both.
		db.read = db.write
	} else {
		if db.read, err = sql.Open(driverName, dsn(true)); err != nil {
			db.write.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
		db.read.SetMaxOpenConns(opt.ReadConns)
		db.read.SetMaxIdleConns(opt.ReadConns)
	}
	if !memory {
		conn, err := sql.Open(driverName, dsn(false))
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
		conn.SetMaxOpenConns(1)
		db.ckpt = startCheckpointer(conn, opt.Logger)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.warmWriteStmts(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare report statements: %w", err)
	}
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// privateFiles creates the database file readable by its owner only
// (0600) when it does not exist, and narrows the database and its
// companion files to 0600 when an earlier version made them wider. SQLite
// gives the -wal and -shm files it creates the database file's mode.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&^0o600 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	for _, s := range db.stmts {
		s.Close()
	}
	for _, s := range db.reads {
		s.Close()
	}
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	if db.read != nil && db.read != db.write {
		if e := db.read.Close(); e != nil {
			err = e
		}
	}
	if db.write != nil {
		if e := db.write.Close(); e != nil {
			err = e
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// SchemaVersion returns the number of the last applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migrate applies the embedded migrations not yet recorded, each in its
// own transaction, in the order of their number.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: bad migration name %s", base)
		}
		var done int
		if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, n).Scan(&done); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if done > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, n); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", base, err)
		}
	}
	return nil
}

// driverName is the database/sql driver the store opens; tests count its
// prepares through a driver of their own.
var driverName = "sqlite"

// statements are the queries of the command path on the write connection,
// prepared once at open: SQLite parses each of them once per connection,
// not once per call. Inside a transaction, Tx.StmtContext hands out the
// statement already prepared on the connection (database/sql re-prepares
// only for another connection), so Commit takes each once per transaction.
var statements = map[string]string{
	"insertSession": `INSERT INTO sessions (id, uuid, type, medium, status, seq, agent_id, queue_id, created_at, updated_at, ended_at, state, channel, end_user)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"indexAgent": `INSERT OR IGNORE INTO session_agents (agent_id, session_id) VALUES (?, ?)`,
	"updateSession": `UPDATE sessions SET status = ?, seq = ?, agent_id = ?, queue_id = ?, updated_at = ?, ended_at = ?, state = ?, state_seq = NULL
		WHERE id = ? AND seq = ?`,
	// The row moves on and its state stays at the version it holds
	// (projection.go); on the right, seq is the row's version before.
	"updateSessionTail": `UPDATE sessions SET status = ?, seq = ?, agent_id = ?, queue_id = ?, updated_at = ?, ended_at = ?, state_seq = COALESCE(state_seq, seq)
		WHERE id = ? AND seq = ?`,
	"insertEvent":       `INSERT INTO events (session_id, seq, type, v, time, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	"setTimer":          `INSERT INTO timers (session_id, kind, due_at, data) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, kind) DO UPDATE SET due_at = excluded.due_at, data = excluded.data`,
	"ensureTimer":       `INSERT INTO timers (session_id, kind, due_at, data) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, kind) DO NOTHING`,
	"cancelTimer":       `DELETE FROM timers WHERE session_id = ? AND kind = ?`,
	"firedTimer":        `DELETE FROM timers WHERE session_id = ? AND kind = ? AND due_at = ?`,
	"insertOutbox":      `INSERT INTO outbox (kind, session_id, key, payload, state, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (key) DO NOTHING`,
	"insertIdempotency": `INSERT INTO idempotency_keys (key, fingerprint, session_id, from_seq, to_seq, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
	"advanceSequence": `INSERT INTO id_sequences (name, last) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET last = MAX(last, excluded.last)`,
	"reserveSessionIDs": `INSERT INTO id_sequences (name, last)
		VALUES (?, (SELECT COALESCE(MAX(id), 0) FROM sessions) + ?)
		ON CONFLICT (name) DO UPDATE SET last = last + ? RETURNING last`,
}

// readStatements are the hot queries on the read pool: a session the
// engine does not hold, and the events a live subscription catches up on.
// database/sql prepares each once on every pooled connection it runs on.
var readStatements = map[string]string{
	"session": `SELECT ` + sessionColumns + ` FROM sessions WHERE id = ?`,
	"sessionEvents": `SELECT id, session_id, seq, type, v, time, actor, data FROM events
		WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
	"events": `SELECT id, session_id, seq, type, v, time, actor, data FROM events
		WHERE id > ? ORDER BY id LIMIT ?`,
}

func (db *DB) prepare(ctx context.Context) (err error) {
	if db.stmts, err = prepareAll(ctx, db.write, statements, textStatements); err != nil {
		return err
	}
	db.reads, err = prepareAll(ctx, db.read, readStatements)
	return err
}

// prepareAll prepares every named query of sets on pool.
func prepareAll(ctx context.Context, pool *sql.DB, sets ...map[string]string) (map[string]*sql.Stmt, error) {
	stmts := make(map[string]*sql.Stmt)
	for _, queries := range sets {
		for name, q := range queries {
			s, err := pool.PrepareContext(ctx, q)
			if err != nil {
				return stmts, fmt.Errorf("prepare %s: %w", name, err)
			}
			stmts[name] = s
		}
	}
	return stmts, nil
}
