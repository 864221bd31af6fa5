// Package httpapi serves the public REST API under /api/v1 (DESIGN §6): the
// same API for the agent desk, the visitor widget, the admin console and
// integrators. Every route checks the caller's role on the server.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/docs"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/ratelimit"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/webauth"
)

// Config wires a Server.
type Config struct {
	// Engine is the writer of a node that runs it (one process, or a
	// cluster's leader): Commands, Events, Clock and PokeDeliveries
	// default from it. A node without one (a cluster's follower) sets
	// those four instead.
	Engine *engine.Engine
	// Commands runs session commands; nil runs them on Engine, deciding
	// with Directory, Settings and Attachments.
	Commands service.Commands
	// Events reads the sessions and their logs; nil: Engine's store.
	Events sb.EventStore
	// Clock is the node's clock; nil: Engine's.
	Clock sb.Clock
	// PokeDeliveries wakes the outbox after a change that adds a
	// delivery outside a session command; nil: Engine's.
	PokeDeliveries func()
	// Feed hands this node's followers (WebSocket, SSE, queue positions)
	// the events the engine publishes.
	Feed      sb.EventFeed
	Directory *directory.Directory
	Config    sb.ConfigStore
	// Metadata renders a session's metadata file as of now.
	Metadata func(s *sb.Session, now time.Time) ([]byte, error)
	Logger   *slog.Logger
	// Ready reports whether the store is open, migrated and takes writes;
	// /readyz answers 503 with its error's message when it fails.
	Ready func(ctx context.Context) error
	// KeepAlive is the interval of comment lines on event streams (default 15 s).
	KeepAlive time.Duration
	// SlowClient is how long a WebSocket client may leave its send queue
	// full before it is disconnected (default 10 s).
	SlowClient time.Duration
	// PositionInterval is the most often a queue-position stream sends
	// (default 1 s).
	PositionInterval time.Duration
	// Routing is the router's node's: agent and settings changes and
	// queue reads (the app's, or a follower's forwarder to the leader).
	// Nil: routing is off; agents and settings are saved on Directory and
	// the queue reads answer 503.
	Routing service.Routing
	// Users keeps users, logins and the visitor-token key; nil uses
	// Config when it implements sb.UserStore.
	Users sb.UserStore
	// LeaveMessageTemplate resolves a web plugin's offline-message form
	// (id 0: the default one); a not_found answer gives the built-in form.
	// Nil uses the directory's templates.
	LeaveMessageTemplate func(ctx context.Context, id int64) (*sb.LeaveMessageTemplate, error)
	// TrustProxy takes a client's address from the last X-Forwarded-For
	// entry, as a reverse proxy in front of the server sets it. Off, the
	// connection's address is the client's.
	TrustProxy bool
	// Attachments keeps attachment records and Files their bytes; without
	// both, the attachment routes answer 503. Nil Attachments uses Config
	// when it keeps attachments too.
	Attachments sb.AttachmentStore
	Files       sb.BlobStore
	// Offline keeps offline messages; nil uses Config when it keeps them
	// too (the SQLite store does).
	Offline sb.OfflineStore
	// Reports keeps the report facts and adds them up; nil uses Config
	// when it keeps them too. Without it the report routes answer 503 and
	// the wallboard leaves the day's figures out.
	Reports sb.ReportStore
	// ReportSync brings the report facts up to date with the event log;
	// the report routes call it before they read, when set, and say in
	// their answer when it reports the facts are not current.
	ReportSync func(context.Context) (report.Freshness, error)
	// ChatLimits caps the chats visitors start; zero fields take
	// DefaultChatLimits.
	ChatLimits ChatLimits
	// RateLimits keeps the counts of the login, offline-message and chat
	// limits; nil keeps them in this server's memory. The nodes of a
	// cluster share one (the PostgreSQL store), so that the limits hold
	// for the cluster as a whole rather than per node.
	RateLimits sb.RateLimitStore
	// BodyTimeout is how long a request body may take to arrive, from
	// the end of its headers (default 30 s); UploadTimeout the same for an
	// attachment upload (default 10 min). A slower body is answered 408.
	BodyTimeout   time.Duration
	UploadTimeout time.Duration
	// StreamWriteTimeout is how long each write of an event stream may
	// take to reach the client before the stream is cut off (default 30 s).
	StreamWriteTimeout time.Duration
}

// QueueState is a queue as routing sees it now.
type QueueState = service.QueueState

// Availability is what a visitor may know of a queue: whether it is open,
// how many agents are online (invisible agents count as offline), how many
// wait and the estimated wait of the next arrival.
type Availability struct {
	QueueID      int64 `json:"queue_id"`
	Open         bool  `json:"open"`
	AgentsOnline int   `json:"agents_online"`
	Waiting      int   `json:"waiting"`
	// EstimatedWaitSeconds is for a session that would join now.
	EstimatedWaitSeconds *int64 `json:"estimated_wait_seconds,omitempty"`
}

// Member is an agent of a queue as routing sees it.
type Member = service.Member

// QueuePosition is a waiting session's place in its queue.
type QueuePosition = service.QueuePosition

// Server is the HTTP API.
type Server struct {
	Config
	log    *slog.Logger
	auth   *authenticator
	mux    *http.ServeMux
	routes []string
	// typingHub relays typing notices between WebSocket connections.
	typingHub *typingHub

	limiter *webauth.Limiter
	hashing chan struct{} // bounds concurrent password hashing
	keyMu   sync.Mutex
	vkey    []byte // the visitor-token key, once read
	// offlineLimit caps the offline messages visitors leave, chatLimit
	// the chats they start.
	offlineLimit *windowLimiter
	chatLimit    *windowLimiter
	// tickets stand in for credentials in the URLs of streams.
	tickets *webauth.Tickets[Principal]
	// live are the connections to end when their token is revoked.
	live liveConns
	// wallboard serves the wallboard's WebSocket subscribers.
	wallboard *wallboardHub
	// wsCatchUp, if set, runs before (read false) and after (read true)
	// each store read of a WebSocket subscription catching up, with its
	// session and position (tests).
	wsCatchUp func(sessionID, after int64, read bool)
}

// handle registers a route and remembers its pattern for Routes.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, pattern)
	s.mux.HandleFunc(pattern, h)
}

// Routes returns the registered route patterns ("GET /api/v1/sessions/{id}").
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// New returns a server for cfg.
func New(cfg Config) *Server {
	if cfg.Engine != nil {
		if cfg.Events == nil {
			cfg.Events = cfg.Engine.Store()
		}
		if cfg.Clock == nil {
			cfg.Clock = cfg.Engine.Clock()
		}
		if cfg.PokeDeliveries == nil {
			cfg.PokeDeliveries = cfg.Engine.PokeDeliveries
		}
	}
	if cfg.Events == nil || cfg.Clock == nil || cfg.Feed == nil || cfg.Engine == nil && cfg.Commands == nil {
		panic("httpapi: Config.Feed and either Config.Engine or Commands, Events and Clock are required")
	}
	if cfg.PokeDeliveries == nil {
		cfg.PokeDeliveries = func() {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = 15 * time.Second
	}
	if cfg.SlowClient == 0 {
		cfg.SlowClient = 10 * time.Second
	}
	if cfg.PositionInterval == 0 {
		cfg.PositionInterval = time.Second
	}
	if us, ok := cfg.Config.(sb.UserStore); ok && cfg.Users == nil {
		cfg.Users = us
	}
	if as, ok := cfg.Config.(sb.AttachmentStore); ok && cfg.Attachments == nil {
		cfg.Attachments = as
	}
	if o, ok := cfg.Config.(sb.OfflineStore); ok && cfg.Offline == nil {
		cfg.Offline = o
	}
	if rs, ok := cfg.Config.(sb.ReportStore); ok && cfg.Reports == nil {
		cfg.Reports = rs
	}
	if cfg.Commands == nil {
		var att service.Attachments
		if cfg.Attachments != nil && cfg.Files != nil {
			att = cfg.Attachments
		}
		cfg.Commands = service.NewSessions(cfg.Engine, cfg.Directory, service.Options{Attachments: att})
	}
	cfg.ChatLimits = cfg.ChatLimits.withDefaults()
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.UploadTimeout == 0 {
		cfg.UploadTimeout = DefaultUploadTimeout
	}
	if cfg.StreamWriteTimeout == 0 {
		cfg.StreamWriteTimeout = DefaultStreamWriteTimeout
	}
	if cfg.LeaveMessageTemplate == nil && cfg.Directory != nil {
		cfg.LeaveMessageTemplate = directoryForms(cfg.Directory)
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = ratelimit.NewMemory(maxLimiterKeys)
	}
	s := &Server{Config: cfg, log: cfg.Logger, auth: &authenticator{store: cfg.Config, cache: map[string]*sb.Token{}},
		mux: http.NewServeMux(), limiter: webauth.NewSharedLimiter(cfg.Clock, cfg.RateLimits), hashing: make(chan struct{}, maxHashing),
		offlineLimit: newWindowLimiter(cfg.Clock, cfg.RateLimits, "offline", OfflineWindow), typingHub: newTypingHub()}
	s.chatLimit = newWindowLimiter(cfg.Clock, cfg.RateLimits, "chat", cfg.ChatLimits.Window)
	s.tickets = webauth.NewTickets[Principal](cfg.Clock)
	s.wallboard = newWallboardHub(s)
	s.register()
	return s
}

func (s *Server) register() {
	s.handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.handle("GET /readyz", s.ready)
	s.handle("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(docs.OpenAPI)
	})

	// Visitors reach these session routes for their own web chats only:
	// ownSession guards the reads, visitor.go's policy the writes.
	s.handle("POST /api/v1/sessions", s.authed(s.limitVisitorChats(s.createSession), staffAndVisitors...))
	s.handle("GET /api/v1/sessions", s.authed(s.listSessions, staffAndVisitors...))
	s.handle("GET /api/v1/sessions/{id}", s.authed(s.ownSession(s.getSession), staffAndVisitors...))
	s.handle("GET /api/v1/sessions/{id}/events", s.authed(s.ownSession(s.sessionEvents), staffAndVisitors...))
	s.handle("POST /api/v1/sessions/{id}/events", s.authed(s.recordEvent, operators...))
	s.handle("GET /api/v1/sessions/{id}/events/stream", s.authed(s.ownSession(s.streamSession), staffAndVisitors...))
	s.handle("GET /api/v1/sessions/{id}/metadata", s.authed(s.sessionMetadata, anyRole...))
	s.handle("GET /api/v1/sessions/{id}/report-facts", s.authed(s.sessionFacts, anyRole...))
	s.handle("GET /api/v1/sessions/{id}/messages", s.authed(s.ownSession(s.messages), staffAndVisitors...))
	s.handle("POST /api/v1/sessions/{id}/{command}", s.authed(s.command, staffAndVisitors...))
	s.handle("GET /api/v1/events", s.authed(s.allEvents, anyRole...))
	s.handle("GET /api/v1/events/stream", s.authed(s.streamAll, anyRole...))
	s.handle("GET /api/v1/ws", s.authed(s.serveWS, staffAndVisitors...))
	s.handle("GET /api/v1/event-types", s.authed(s.eventTypes, anyRole...))
	s.handle("GET /api/v1/sessions/{id}/queue-position", s.authed(s.ownSession(s.queuePosition), staffAndVisitors...))
	s.handle("GET /api/v1/sessions/{id}/queue-position/stream", s.authed(s.ownSession(s.streamQueuePosition), staffAndVisitors...))
	s.handle("GET /api/v1/queues/{id}/members", s.authed(s.queueMembers, anyRole...))
	s.handle("GET /api/v1/queues/{id}/availability", s.authed(s.queueAvailability, anyRole...))
	s.handle("POST /api/v1/agents/{id}/status", s.authed(s.setAgentStatus, sb.RoleSupervisor, sb.RoleAgent))
	s.handle("GET /api/v1/settings/routing", s.authed(s.getRoutingSettings, anyRole...))
	s.handle("PUT /api/v1/settings/routing", s.authed(s.putRoutingSettings, adminsOnly...))
	s.handle("GET /api/v1/wallboard", s.authed(s.getWallboard, sb.RoleSupervisor))

	s.configRoutes()
	s.loginRoutes()
	s.ticketRoutes()
	s.userRoutes()
	s.pluginRoutes()
	s.widgetRoutes()
	s.attachmentRoutes()
	s.chatRoutes()
	s.reportRoutes()
}

// ServeHTTP implements http.Handler. Unknown routes and methods get JSON
// errors like every other refusal; bodies are capped at MaxBodyBytes,
// except on the upload route, which applies the chat settings' own limit,
// and must arrive within BodyTimeout (UploadTimeout).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			s.writeError(w, r, sb.Errorf(sb.EINTERNAL, "internal error"))
		}
	}()
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.noRoute(w, r)
		return
	}
	s.limitBody(w, r, pattern)
	if r.Body != nil && pattern != uploadRoute {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		for _, m := range allowed {
			w.Header().Add("Allow", m)
		}
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: r.Method + " is not allowed here"}})
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: sb.ENOTFOUND, Message: "no such route: " + r.URL.Path}})
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.writeError(w, r, notReady(err))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// pathID parses a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, sb.Errorf(sb.EINVALID, "%s must be a positive integer, not %q", name, v)
	}
	return id, nil
}

// queryInt parses an optional non-negative integer query parameter.
func queryInt(r *http.Request, name string, def, max int64) (int64, error) {
	return queryRange(r, name, def, 0, max)
}

// queryLimit parses the limit of a list: 1 to 1000.
func queryLimit(r *http.Request, def int64) (int64, error) {
	return queryRange(r, "limit", def, 1, 1000)
}

func queryRange(r *http.Request, name string, def, min, max int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || (max > 0 && n > max) {
		if max > 0 {
			return 0, sb.Errorf(sb.EINVALID, "%s must be an integer from %d to %d", name, min, max)
		}
		return 0, sb.Errorf(sb.EINVALID, "%s must be a non-negative integer", name)
	}
	return n, nil
}
