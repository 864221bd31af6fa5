package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/webauth"
)

// TokenPrefix starts every token secret, so leaked tokens are easy to spot.
const TokenPrefix = "sbt_"

// Principal is the authenticated caller of a request.
type Principal struct {
	service.Caller
	// login is the browser login of a cookie-authenticated request.
	login *sb.Login
}

type principalKey struct{}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// NewTokenSecret returns a fresh random token secret.
func NewTokenSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken returns the stored hash of a token secret.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// authenticator resolves bearer tokens, caching them in memory. Revocations
// made through this server drop the cache at once; those made elsewhere
// (another node of a cluster) when ForgetTokens is called.
type authenticator struct {
	store sb.ConfigStore
	mu    sync.RWMutex
	cache map[string]*sb.Token
	// gen counts the forgets: a lookup that read the store before a
	// forget must not cache what it read, which may predate a revocation.
	gen uint64
}

func (a *authenticator) lookup(ctx context.Context, secret string) (*sb.Token, error) {
	key := string(HashToken(secret))
	a.mu.RLock()
	t, ok := a.cache[key]
	gen := a.gen
	a.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := a.store.TokenByHash(ctx, []byte(key))
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.gen == gen {
		if len(a.cache) > 10000 {
			clear(a.cache)
		}
		a.cache[key] = t
	}
	a.mu.Unlock()
	return t, nil
}

func (a *authenticator) forget() {
	a.mu.Lock()
	a.gen++
	clear(a.cache)
	a.mu.Unlock()
}

// ForgetTokens drops every API token the server has cached, so that the
// next request with each reads it from the store again: a cluster node
// calls it when another node created or revoked a token, and then
// EndRevoked.
func (s *Server) ForgetTokens() { s.auth.forget() }

// apiFunc is a handler that returns its refusal; authed writes it.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// authed wraps h so that it runs only for an authenticated caller with one
// of roles (admins always), and answers any error h returns as a JSON error.
func (s *Server) authed(h apiFunc, roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.Role != sb.RoleAdmin && !slices.Contains(roles, p.Role) {
			s.writeError(w, r, sb.Errorf(sb.EFORBIDDEN, "the %s role may not do this", p.Role))
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// authenticate resolves the caller of r from, in this order: a ticket
// (?ticket=, on the event streams and the WebSocket only: browsers cannot
// send headers there; see tickets.go), an Authorization: Bearer header (an
// API token or a visitor token), or the login cookie — which requests
// other than GET, HEAD and OPTIONS must pair with X-CSRF-Token. Tokens in
// the URL are refused: they end up in logs.
func (s *Server) authenticate(r *http.Request) (Principal, error) {
	q := r.URL.Query()
	if q.Has("access_token") {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED,
			"credentials in the URL are not accepted: send Authorization: Bearer, or on an event stream or the WebSocket a ticket from POST /api/v1/tickets")
	}
	if q.Has("ticket") {
		return s.ticketPrincipal(r, q.Get("ticket"))
	}
	if header := r.Header.Get("Authorization"); header != "" {
		secret, ok := strings.CutPrefix(header, "Bearer ")
		if secret = strings.TrimSpace(secret); !ok || secret == "" {
			return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "an Authorization: Bearer token is required")
		}
		return s.bearer(r.Context(), secret)
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return s.cookieLogin(r, c.Value)
	}
	return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "an Authorization: Bearer token or a login is required")
}

// bearer resolves an API token or a visitor token.
func (s *Server) bearer(ctx context.Context, secret string) (Principal, error) {
	if strings.HasPrefix(secret, webauth.VisitorTokenPrefix) {
		return s.visitorPrincipal(ctx, secret)
	}
	t, err := s.auth.lookup(ctx, secret)
	if err != nil || t.RevokedAt != nil {
		if err != nil && sb.ErrorCode(err) != sb.ENOTFOUND {
			return Principal{}, err
		}
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "the token is not valid")
	}
	return Principal{Caller: service.Caller{TokenID: t.ID, Name: t.Name, Role: t.Role, AgentID: t.AgentID}}, nil
}

// Role sets used by the routes. Admins may do everything.
var (
	anyRole    = []string{sb.RoleSupervisor, sb.RoleAgent, sb.RoleIntegration}
	operators  = anyRole // who may change sessions: today everyone who may read them
	adminsOnly = []string{}
	// staffAndVisitors may use a session route; the visitor policy
	// (visitor.go) keeps visitors to their own web chats.
	staffAndVisitors = []string{sb.RoleSupervisor, sb.RoleAgent, sb.RoleIntegration, sb.RoleVisitor}
	// everyone is any authenticated caller.
	everyone = staffAndVisitors
)

// CreateToken stores a new token and returns it with its secret, which is
// shown only this once. An empty secret generates one.
func CreateToken(ctx context.Context, store sb.ConfigStore, clock sb.Clock, name, role string, agentID int64, secret string) (sb.Token, string, error) {
	if secret == "" {
		secret = NewTokenSecret()
	}
	t := sb.Token{Name: name, Role: role, AgentID: agentID, Hash: HashToken(secret), CreatedAt: clock.Now().UTC().Truncate(time.Millisecond)}
	if err := store.CreateToken(ctx, &t); err != nil {
		return t, "", err
	}
	return t, secret, nil
}
