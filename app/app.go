// Package app wires Switchboard together: store, directory, engine,
// metadata files, outbox worker and HTTP API. The server and the replay
// command build the same stack through it, on the wall clock or a virtual one.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/dispatch"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/metadata"
	"github.com/switchboardhq/switchboard/outbox"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/web"
)

// Options configure an App.
type Options struct {
	// Store names the database (see OpenStore): "" is the SQLite file at
	// DBPath.
	Store string
	// DBPath is the SQLite file; ":memory:" for a private in-memory store.
	DBPath string
	// Files names where files are kept (see openFiles): "" for ExportsDir
	// and FilesDir, or an s3:// URL.
	Files string
	// ExportsDir receives metadata files (<session id>/metadata.json).
	ExportsDir string
	// FilesDir keeps private files: chat attachments under
	// attachments/<session id>/<id>. Kept apart from ExportsDir, which
	// other systems collect. Empty: attachments are switched off.
	FilesDir string
	Clock    sb.Clock
	Logger   *slog.Logger
	// NewUUID generates session UUIDs (random when nil).
	NewUUID func() string
	// MetadataDelay is the wait after a session ends before its metadata
	// file is written (zero: at once).
	MetadataDelay time.Duration
	// Location is the time zone of metadata timestamps (default UTC).
	Location *time.Location
	// Synchronous is SQLite's synchronous mode (default NORMAL).
	Synchronous string
	// TrustProxy takes clients' addresses from X-Forwarded-For (behind a
	// reverse proxy).
	TrustProxy bool
	// ChatLimits caps the chats visitors start (zero fields: defaults).
	ChatLimits httpapi.ChatLimits
	// MaxPageCount caps the database's size in pages (see
	// sqlite.Options.MaxPageCount); zero: no cap.
	MaxPageCount int64
	// BodyTimeout, UploadTimeout and StreamWriteTimeout bound request
	// bodies and event streams in time (zero: httpapi's defaults).
	BodyTimeout, UploadTimeout, StreamWriteTimeout time.Duration
}

// App is a running Switchboard.
type App struct {
	DB         Store
	Directory  *directory.Directory
	Dispatcher *dispatch.Dispatcher
	Engine     *engine.Engine
	Broker     *broker.Broker
	// Files keeps the metadata exports.
	Files sb.BlobStore
	// Uploads keeps chat attachments; nil when they are switched off.
	Uploads sb.BlobStore
	Outbox  *outbox.Worker
	// Reports keeps the report facts up to date with the event log.
	Reports *report.Projector
	API     *httpapi.Server
	opt     Options
	roles   *roles
	remote  Remote // a follower's leader; nil in one process
	// remoteRouting is the leader's routing as the API sees it while
	// this node follows.
	remoteRouting *remoteRouting
	closeOnce     sync.Once
}

// Open builds the stack of one process, which runs the writer.
func Open(ctx context.Context, opt Options) (*App, error) {
	a, err := open(ctx, opt)
	if err != nil {
		return nil, err
	}
	if err := a.Lead(ctx, a.Broker); err != nil {
		a.DB.Close()
		return nil, err
	}
	return a, nil
}

// OpenFollower builds the stack of a cluster node that does not run the
// writer: remote runs its commands and routing, and the node's broker
// hands on the events something else relays into it (Broker.Publish).
// Lead makes it the writer.
func OpenFollower(ctx context.Context, opt Options, remote Remote) (*App, error) {
	a, err := open(ctx, opt)
	if err != nil {
		return nil, err
	}
	a.remote = remote
	a.remoteRouting = &remoteRouting{Routing: remote, clock: a.opt.Clock}
	a.roles.set(remote, a.remoteRouting, storedFreshness(a.DB), func() {})
	return a, nil
}

// open builds what every node has: the store, the directory, the files,
// the broker and the API.
func open(ctx context.Context, opt Options) (*App, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	db, err := OpenStore(ctx, opt.Store, opt.DBPath, StoreOptions{Synchronous: opt.Synchronous, MaxPageCount: opt.MaxPageCount, Logger: opt.Logger})
	if err != nil {
		return nil, err
	}
	a := &App{DB: db, Broker: broker.New(), opt: opt, roles: new(roles)}
	if a.Directory, err = directory.Open(ctx, db, opt.Clock); err != nil {
		db.Close()
		return nil, err
	}
	if a.Files, a.Uploads, err = openFiles(ctx, opt); err != nil {
		db.Close()
		return nil, err
	}
	cfg := httpapi.Config{
		Commands: a.roles, Routing: a.roles, Events: db, Clock: opt.Clock, PokeDeliveries: a.roles.pokeDeliveries,
		Reports: db, ReportSync: a.roles.reportSync, Feed: a.Broker,
		Directory: a.Directory, Config: db, Offline: db, Logger: opt.Logger, Metadata: a.render,
		TrustProxy: opt.TrustProxy, ChatLimits: opt.ChatLimits,
		BodyTimeout: opt.BodyTimeout, UploadTimeout: opt.UploadTimeout, StreamWriteTimeout: opt.StreamWriteTimeout,
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			if _, err := db.SchemaVersion(ctx); err != nil {
				return fmt.Errorf("schema: %w", err)
			}
			return db.CheckWrite(ctx)
		},
	}
	if a.Uploads != nil {
		cfg.Files = a.Uploads
	}
	if rl, ok := db.(sb.RateLimitStore); ok {
		// A store the nodes share (PostgreSQL) keeps the rate limits'
		// counts, so that they hold for the cluster rather than per
		// node; with SQLite they stay in memory.
		cfg.RateLimits = rl
	}
	a.API = httpapi.New(cfg)
	return a, nil
}

// render renders a session's metadata file as of now.
func (a *App) render(s *sb.Session, now time.Time) ([]byte, error) {
	return metadata.Render(s, now, a.opt.Location)
}

// Lead makes this node the writer: it builds the router from the store,
// starts the engine, whose commits pub hands on (the broker, or a bus
// publisher in front of it), and takes the commands and routing from the
// remote leader, if any. Run then runs the writer's loops. A cluster node
// calls it once it holds the leader's lease, with the store fenced.
func (a *App) Lead(ctx context.Context, pub sb.Publisher) error {
	opt, db := a.opt, a.DB
	if a.remote != nil {
		// While it followed, other nodes may have changed the
		// configuration this node cached: routing starts from the store's.
		if err := a.Directory.Reload(ctx); err != nil {
			return err
		}
	}
	dispatcher := dispatch.New(db, a.Directory, opt.Clock, opt.Logger)
	eng, err := engine.New(ctx, db, engine.Options{
		Clock: opt.Clock, Directory: a.Directory, Publisher: pub, Logger: opt.Logger, NewUUID: opt.NewUUID,
		MetadataDelay: opt.MetadataDelay, Dispatcher: dispatcher, Timers: dispatcher.TimerHandlers(),
		Metadata: func(s *sb.Session) ([]byte, error) { return a.render(s, opt.Clock.Now()) },
	})
	if err != nil {
		return err
	}
	a.Dispatcher, a.Engine = dispatcher, eng
	a.Outbox = &outbox.Worker{Store: db, Clock: opt.Clock, Logger: opt.Logger, Deliverers: map[string]outbox.Deliverer{
		engine.OutboxMetadata: outbox.BlobDeliverer(a.Files, func(it sb.OutboxItem) string { return engine.MetadataKey(it.SessionID) }),
	}}
	a.Reports = &report.Projector{Events: db, Reports: db, Log: opt.Logger, Clock: opt.Clock}
	if ix, ok := db.(messageIndexer); ok {
		a.Reports.Index = ix.IndexMessages
	}
	var att service.Attachments
	if a.Uploads != nil {
		att = db
	}
	sessions := service.NewSessions(eng, a.Directory, service.Options{Attachments: att})
	a.roles.set(sessions, newRouting(a), a.Reports.Sync, eng.PokeDeliveries)
	return nil
}

// LocalCommands returns this process's own commands while it runs the
// writer (Open, or Lead until Follow), and false while another node does.
func (a *App) LocalCommands() (service.Commands, bool) {
	c, _ := a.roles.get()
	if a.remote != nil && c == service.Commands(a.remote) {
		return nil, false
	}
	return c, true
}

// Follow gives the writer up: commands and routing go to the remote
// leader again, and the engine stops after its in-flight commands. The
// writer's loops (Run) must have ended first.
func (a *App) Follow() {
	if a.remote == nil {
		return
	}
	a.roles.set(a.remote, a.remoteRouting, storedFreshness(a.DB), func() {})
	if a.Engine != nil {
		a.Engine.Close()
	}
}

// Handler returns the HTTP handler: the browser pages and the API.
func (a *App) Handler() http.Handler { return web.Handler(a.API) }

// Run fires timers, delivers the outbox, keeps the report facts current
// and sweeps ended logins on the wall clock until ctx ends.
func (a *App) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); a.Engine.RunTimers(ctx) }()
	go func() { defer wg.Done(); a.Reports.Run(ctx, a.Broker) }()
	go func() { defer wg.Done(); a.Outbox.Run(ctx, a.Engine.Deliveries()) }()
	go func() { defer wg.Done(); a.sweepLogins(ctx) }()
	wg.Wait()
}

// EnsureAdminToken creates an admin token when the store has none. It uses
// secret when given (for example from the environment) and returns the
// secret of a created token, or "" when tokens existed already.
func (a *App) EnsureAdminToken(ctx context.Context, secret string) (string, error) {
	tokens, err := a.DB.Tokens(ctx)
	if err != nil {
		return "", err
	}
	if len(tokens) > 0 {
		return "", nil
	}
	_, secret, err = httpapi.CreateToken(ctx, a.DB, a.opt.Clock, "bootstrap admin", sb.RoleAdmin, 0, secret)
	return secret, err
}

// Close stops the engine after in-flight commands and closes the store.
func (a *App) Close() error {
	var err error
	a.closeOnce.Do(func() {
		a.Broker.Close()
		if a.Engine != nil {
			a.Engine.Close()
		}
		err = a.DB.Close()
	})
	return err
}

// DataPaths returns the database file and exports directory under dir.
func DataPaths(dir string) (db, exports string) {
	return filepath.Join(dir, "switchboard.db"), filepath.Join(dir, "exports")
}

// FilesPath returns the private files directory under dir, beside the
// exports: attachments live in its attachments/ subdirectory.
func FilesPath(dir string) string { return filepath.Join(dir, "files") }
