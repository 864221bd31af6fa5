package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/redact"
	"github.com/switchboardhq/switchboard/postgres"
	"github.com/switchboardhq/switchboard/sqlite"
)

// Store is everything the stack keeps in its database, whichever backend
// holds it: the embedded SQLite file or a PostgreSQL database.
type Store interface {
	sb.EventStore
	sb.ConfigStore
	sb.UserStore
	sb.AttachmentStore
	sb.OfflineStore
	sb.ReportStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// SchemaVersion is the number of the last migration applied.
	SchemaVersion(ctx context.Context) (int, error)
	// CheckWrite reports whether the database takes writes.
	CheckWrite(ctx context.Context) error
	// Verification (Verify): every log, and the stored projections.
	ForEachLog(ctx context.Context, fn func(sessionID int64, events []sb.Event) error) error
	StoredProjection(ctx context.Context, id int64) ([]byte, error)
	ReplaceProjection(ctx context.Context, s *sb.Session) error
	CountSessions(ctx context.Context) (int64, error)
	// The queue threshold the report rollups count waits with.
	QueueThreshold(ctx context.Context) (time.Duration, error)
	SetQueueThreshold(ctx context.Context, d time.Duration) error
	Close() error
}

// messageIndexer is a store that indexes message text after the commit
// (the SQLite store); the report projector runs it after each catch-up.
type messageIndexer interface {
	IndexMessages(ctx context.Context) error
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// StoreOptions tune the store OpenStore opens.
type StoreOptions struct {
	// Synchronous is SQLite's synchronous mode (default NORMAL).
	Synchronous string
	// MaxPageCount caps a SQLite database's size in pages; zero: no cap.
	MaxPageCount int64
	// Logger logs what the store does on its own; default slog.Default().
	Logger *slog.Logger
}

// OpenStore opens the store named by url: "" or "sqlite:" for the SQLite
// file at dbPath, "sqlite:PATH" for another file, a postgres:// (or
// postgresql://) URL for a PostgreSQL database, which it migrates.
func OpenStore(ctx context.Context, url, dbPath string, opt StoreOptions) (Store, error) {
	switch {
	case url == "" || url == "sqlite:":
		return sqlite.Open(ctx, dbPath, sqlite.Options{Synchronous: opt.Synchronous, MaxPageCount: opt.MaxPageCount, Logger: opt.Logger})
	case strings.HasPrefix(url, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(url, "sqlite:"), sqlite.Options{Synchronous: opt.Synchronous, MaxPageCount: opt.MaxPageCount, Logger: opt.Logger})
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err := postgres.Open(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", redact.URL(url), err)
		}
		return db, nil
	}
	return nil, fmt.Errorf("store %q: want sqlite:, sqlite:PATH or a postgres:// URL", redact.URL(url))
}
