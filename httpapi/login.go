package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/webauth"
)

// Login cookie and session settings.
const (
	// SessionCookie holds a browser login's secret.
	SessionCookie = "sb_session"
	// CSRFHeader carries the login's CSRF token on state-changing requests.
	CSRFHeader = "X-CSRF-Token"
	// LoginTTL is how long a login lasts.
	LoginTTL = 12 * time.Hour
	// LoginPrefix starts every login secret.
	LoginPrefix = "sbl_"
)

// maxHashing bounds the password hashes computed at once: each takes
// about 19 MiB and tens of milliseconds of one core.
const maxHashing = 4

func (s *Server) loginRoutes() {
	s.handle("POST /api/v1/login", s.api(s.login))
	s.handle("POST /api/v1/logout", s.api(s.logout))
	s.handle("GET /api/v1/me", s.authed(s.me, everyone...))
	s.handle("PUT /api/v1/me/password", s.authed(s.changePassword, sb.RoleSupervisor, sb.RoleAgent))
}

// api wraps a handler that needs no authentication.
func (s *Server) api(h apiFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// userStore returns the user store, or an error when none is configured.
func (s *Server) userStore() (sb.UserStore, error) {
	if s.Users == nil {
		return nil, sb.Errorf(sb.EUNAVAILABLE, "logins are not configured")
	}
	return s.Users, nil
}

// randomSecret returns prefix and 32 random bytes in base64url.
func randomSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// normalizeEmail trims and lower-cases an e-mail address.
func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// clientIP is the address the request came from: the connection's, or
// behind a trusted proxy the last address the proxy added.
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// overTLS reports whether the client reached the server over HTTPS,
// directly or through a proxy that says so.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// verifyPassword checks pw against phc, at most maxHashing at a time.
func (s *Server) verifyPassword(ctx context.Context, pw, phc string) error {
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-ctx.Done():
		return ctx.Err()
	}
	if phc == "" {
		webauth.Waste(pw)
		return webauth.ErrMismatch
	}
	return webauth.Verify(pw, phc)
}

// hashPassword hashes pw, at most maxHashing at a time.
func (s *Server) hashPassword(ctx context.Context, pw string) (string, error) {
	select {
	case s.hashing <- struct{}{}:
		defer func() { <-s.hashing }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return webauth.Hash(pw)
}

// LoginRequest is the body of POST /api/v1/login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginResponse answers a successful login.
type LoginResponse struct {
	User  sb.User   `json:"user"`
	Agent *sb.Agent `json:"agent"`
	// CSRFToken must be sent as X-CSRF-Token with every request the
	// login cookie authenticates, except GET, HEAD and OPTIONS.
	CSRFToken string `json:"csrf_token"`
}

var errWrongLogin = sb.Errorf(sb.EUNAUTHORIZED, "e-mail or password is wrong")

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	users, err := s.userStore()
	if err != nil {
		return err
	}
	var in LoginRequest
	if err := decode(r, &in, false); err != nil {
		return err
	}
	email, ip := normalizeEmail(in.Email), s.clientIP(r)
	if email == "" || in.Password == "" {
		return sb.Errorf(sb.EINVALID, "email and password are required")
	}
	if len(email) > 254 || len(in.Password) > 4*webauth.MaxPasswordLen {
		return errWrongLogin
	}
	if ok, wait, err := s.limiter.Allow(r.Context(), email, ip); err != nil {
		return err
	} else if !ok {
		return s.rateLimited(w, wait)
	}
	u, err := users.UserByEmail(r.Context(), email)
	if err != nil && sb.ErrorCode(err) != sb.ENOTFOUND {
		return err
	}
	phc := ""
	if u != nil && !u.Disabled {
		phc = u.PasswordHash
	}
	if err := s.verifyPassword(r.Context(), in.Password, phc); err != nil {
		if !errors.Is(err, webauth.ErrMismatch) {
			s.log.Warn("password check failed", "user", u.ID, "err", err)
		}
		if err := s.limiter.Fail(r.Context(), email, ip); err != nil {
			return err
		}
		return errWrongLogin
	}
	if err := s.limiter.Succeed(r.Context(), email, ip); err != nil {
		s.log.Warn("login limits: record a login", "user", u.ID, "err", err)
	}
	now := s.Clock.Now().UTC().Truncate(time.Millisecond)
	if webauth.NeedsRehash(u.PasswordHash) {
		if phc, err := s.hashPassword(r.Context(), in.Password); err == nil {
			u.PasswordHash = phc
			if err := users.UpdateUser(r.Context(), u); err != nil {
				s.log.Warn("rehash password", "user", u.ID, "err", err)
			}
		}
	}
	secret := randomSecret(LoginPrefix)
	l := &sb.Login{UserID: u.ID, Hash: HashToken(secret), CSRFToken: randomSecret(""), CreatedAt: now, ExpiresAt: now.Add(LoginTTL)}
	if err := users.CreateLogin(r.Context(), l); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(LoginTTL / time.Second), Secure: overTLS(r)})
	writeJSON(w, http.StatusOK, LoginResponse{User: *u, Agent: s.agentOf(u.AgentID), CSRFToken: l.CSRFToken})
	return nil
}

// rateLimited answers 429 with Retry-After in whole seconds.
func (s *Server) rateLimited(w http.ResponseWriter, wait time.Duration) error {
	return sb.Errorf(sb.ERATELIMITED, "too many failed logins; try again in %d seconds", retryAfter(w, wait))
}

func (s *Server) agentOf(id int64) *sb.Agent {
	if id == 0 {
		return nil
	}
	a, err := s.Directory.GetAgent(id)
	if err != nil {
		return nil
	}
	return &a
}

// cookieLogin resolves a login cookie. Requests that may change state
// must carry the login's CSRF token.
func (s *Server) cookieLogin(r *http.Request, secret string) (Principal, error) {
	users, err := s.userStore()
	if err != nil {
		return Principal{}, err
	}
	l, err := s.activeLogin(r.Context(), users, HashToken(secret))
	if err != nil {
		return Principal{}, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		got := r.Header.Get(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(l.CSRFToken)) != 1 {
			return Principal{}, sb.Errorf(sb.EFORBIDDEN, "missing or wrong CSRF token")
		}
	}
	u, err := loginUser(r.Context(), users, l)
	if err != nil {
		return Principal{}, err
	}
	return Principal{Caller: service.Caller{UserID: u.ID, Name: u.Name, Role: u.Role, AgentID: u.AgentID}, login: l}, nil
}

// activeLogin is the login whose hash is hash, if it authenticates now;
// EUNAUTHORIZED if it has ended (revoked, expired, gone).
func (s *Server) activeLogin(ctx context.Context, users sb.UserStore, hash []byte) (*sb.Login, error) {
	l, err := users.LoginByHash(ctx, hash)
	if err != nil {
		if sb.ErrorCode(err) == sb.ENOTFOUND {
			return nil, sb.Errorf(sb.EUNAUTHORIZED, "the login has ended; log in again")
		}
		return nil, err
	}
	if !l.Active(s.Clock.Now()) {
		return nil, sb.Errorf(sb.EUNAUTHORIZED, "the login has ended; log in again")
	}
	return l, nil
}

// loginUser is the user of login l, if it may log in; EUNAUTHORIZED if it
// is gone or disabled.
func loginUser(ctx context.Context, users sb.UserStore, l *sb.Login) (*sb.User, error) {
	u, err := users.User(ctx, l.UserID)
	if err != nil {
		if sb.ErrorCode(err) == sb.ENOTFOUND {
			return nil, sb.Errorf(sb.EUNAUTHORIZED, "the login has ended; log in again")
		}
		return nil, err
	}
	if u.Disabled {
		return nil, sb.Errorf(sb.EUNAUTHORIZED, "the user is disabled")
	}
	return u, nil
}

// logout ends the caller's login and clears the cookie. A missing or
// ended login is logged out already.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	p, err := s.authenticate(r)
	if err != nil && sb.ErrorCode(err) != sb.EUNAUTHORIZED {
		return err
	}
	if err == nil && p.login != nil {
		if err := s.Users.RevokeLogin(r.Context(), p.login.ID, s.Clock.Now()); err != nil && sb.ErrorCode(err) != sb.ENOTFOUND {
			return err
		}
		s.endLoginsNow(r.Context(), p.UserID)
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: -1, Secure: overTLS(r)})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Me describes the caller.
type Me struct {
	Role  string    `json:"role"`
	User  *sb.User  `json:"user,omitempty"`
	Agent *sb.Agent `json:"agent,omitempty"`
	// CSRFToken is the login's token, for a cookie-authenticated caller.
	CSRFToken string `json:"csrf_token,omitempty"`
	// TokenID is the API token of a bearer-authenticated caller.
	TokenID int64 `json:"token_id,omitempty"`
	// VisitorID and PluginID identify a visitor.
	VisitorID string `json:"visitor_id,omitempty"`
	PluginID  int64  `json:"plugin_id,omitempty"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	out := Me{Role: p.Role, Agent: s.agentOf(p.AgentID), TokenID: p.TokenID, VisitorID: p.VisitorID, PluginID: p.PluginID}
	if p.UserID != 0 {
		u, err := s.Users.User(r.Context(), p.UserID)
		if err != nil {
			return err
		}
		out.User = u
	}
	if p.login != nil {
		out.CSRFToken = p.login.CSRFToken
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// PasswordChange is the body of PUT /api/v1/me/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets the caller's password after checking the current
// one, and ends the user's other logins.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.UserID == 0 {
		return sb.Errorf(sb.EFORBIDDEN, "only a logged-in user has a password")
	}
	var in PasswordChange
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if err := webauth.CheckPassword(in.NewPassword); err != nil {
		return sb.Errorf(sb.EINVALID, "new_password: %s", err.Error())
	}
	u, err := s.Users.User(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	ip := s.clientIP(r)
	if ok, wait, err := s.limiter.Allow(r.Context(), u.Email, ip); err != nil {
		return err
	} else if !ok {
		return s.rateLimited(w, wait)
	}
	if err := s.verifyPassword(r.Context(), in.CurrentPassword, u.PasswordHash); err != nil {
		if err := s.limiter.Fail(r.Context(), u.Email, ip); err != nil {
			return err
		}
		return sb.Errorf(sb.EFORBIDDEN, "current_password is wrong")
	}
	if u.PasswordHash, err = s.hashPassword(r.Context(), in.NewPassword); err != nil {
		return err
	}
	now := s.Clock.Now().UTC().Truncate(time.Millisecond)
	u.UpdatedAt = now
	if err := s.Users.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	var keep int64
	if p.login != nil {
		keep = p.login.ID
	}
	if err := s.Users.RevokeUserLogins(r.Context(), u.ID, keep, now); err != nil {
		return err
	}
	s.endLoginsNow(r.Context(), u.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
