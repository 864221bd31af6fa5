package httpapi

import (
	"context"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/webauth"
)

// VisitorTokenMaxAge is how long a visitor token is honoured after it
// was issued; the widget then gets a new identity.
const VisitorTokenMaxAge = 365 * 24 * time.Hour

// visitorKeyName names the visitor-token signing key in the user store.
const visitorKeyName = "visitor_token"

// visitorKey returns the key that signs visitor tokens, read from the
// store (and generated there the first time).
func (s *Server) visitorKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.vkey != nil {
		return s.vkey, nil
	}
	users, err := s.userStore()
	if err != nil {
		return nil, err
	}
	key, err := users.ServerKey(ctx, visitorKeyName, webauth.NewServerKey())
	if err != nil {
		return nil, err
	}
	s.vkey = key
	return key, nil
}

// visitorPrincipal resolves a visitor token.
func (s *Server) visitorPrincipal(ctx context.Context, token string) (Principal, error) {
	key, err := s.visitorKey(ctx)
	if err != nil {
		return Principal{}, err
	}
	v, err := webauth.ParseVisitor(key, token, s.Clock.Now(), VisitorTokenMaxAge)
	if err != nil {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "the visitor token is not valid")
	}
	if _, err := s.Directory.GetWebPlugin(v.PluginID); err != nil {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "the visitor token's web plugin no longer exists")
	}
	name := v.Name
	if name == "" {
		name = "visitor"
	}
	return Principal{Caller: service.Caller{Role: sb.RoleVisitor, Name: name, VisitorID: v.ID, PluginID: v.PluginID,
		Contact: service.Contact{Name: v.Name, Email: v.Email, Phone: v.Phone}}}, nil
}

// visitorOwns decides whether a visitor may read or act on session s.
func visitorOwns(p Principal, s *sb.Session) error { return service.VisitorOwns(p.Caller, s) }

// ownSession wraps a session read route so that a visitor reaches only
// its own sessions; staff pass straight through.
func (s *Server) ownSession(h apiFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := principalFrom(r.Context())
		if p.Role != sb.RoleVisitor {
			return h(w, r)
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		if err := visitorOwns(p, sess); err != nil {
			return err
		}
		return h(w, r)
	}
}
