package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
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

var _ Store = (*sqlite.DB)(nil)

// StoreOptions tune the store OpenStore opens.
type StoreOptions struct {
	// Synchronous is SQLite's synchronous mode (default NORMAL).
	Synchronous string
	// MaxPageCount caps a SQLite database's size in pages; zero: no cap.
	MaxPageCount int64
}

// OpenStore opens the store named by url: "" or "sqlite:" for the SQLite
// file at dbPath, "sqlite:PATH" for another file.
func OpenStore(ctx context.Context, url, dbPath string, opt StoreOptions) (Store, error) {
	switch {
	case url == "" || url == "sqlite:":
		return sqlite.Open(ctx, dbPath, sqlite.Options{Synchronous: opt.Synchronous, MaxPageCount: opt.MaxPageCount})
	case strings.HasPrefix(url, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(url, "sqlite:"), sqlite.Options{Synchronous: opt.Synchronous, MaxPageCount: opt.MaxPageCount})
	}
	return nil, fmt.Errorf("store %q: want sqlite: or sqlite:PATH", redact(url))
}

// redact hides the password of a URL in messages.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	auth, host, ok := strings.Cut(rest, "@")
	if !ok {
		return url
	}
	if user, _, ok := strings.Cut(auth, ":"); ok {
		return scheme + "://" + user + ":***@" + host
	}
	return url
}
