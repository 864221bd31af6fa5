package httpapi

import (
	"context"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
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
	v, err := webauth.ParseVisitor(key, token, s.Engine.Clock().Now(), VisitorTokenMaxAge)
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
	return Principal{Role: sb.RoleVisitor, Name: name, VisitorID: v.ID, PluginID: v.PluginID, visitor: v}, nil
}

// visitorOwns decides whether a visitor may read or act on session s: only
// a web chat it started itself.
func visitorOwns(p Principal, s *sb.Session) error {
	if s.Type != sb.TypeChatWeb || s.EndUser.Identifier == "" || s.EndUser.Identifier != p.VisitorID {
		return sb.Errorf(sb.EFORBIDDEN, "a visitor may only use its own chats")
	}
	return nil
}

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

// visitorCommand keeps a visitor to the commands of its side of a chat:
// message and recall as the end user, rate, and end as the end user.
// Staff commands pass unchanged.
func visitorCommand(p Principal, cmd lifecycle.Command) error {
	if p.Role != sb.RoleVisitor {
		return nil
	}
	asEndUser := func(from *string, what string) error {
		if *from != "" && *from != sb.FromEndUser {
			return sb.Errorf(sb.EFORBIDDEN, "a visitor %s only as the end user", what)
		}
		*from = sb.FromEndUser
		return nil
	}
	switch c := cmd.(type) {
	case *lifecycle.Message:
		return asEndUser(&c.From, "writes")
	case *lifecycle.Recall:
		return asEndUser(&c.From, "recalls")
	case *lifecycle.End:
		return asEndUser(&c.DisconnectedBy, "ends a chat")
	case *lifecycle.Rate:
		return nil
	}
	return sb.Errorf(sb.EFORBIDDEN, "a visitor may only send, recall, rate and end")
}

// visitorCreate turns a visitor's session request into a web chat of its
// plugin for itself, routed by the routing rules (with the plugin's entry),
// else to the plugin's own group. The visitor may give
// its language, device and, where its token has none, name, e-mail and
// phone; anything else is refused.
func (s *Server) visitorCreate(ctx context.Context, p Principal, cmd *lifecycle.Create) error {
	if p.Role != sb.RoleVisitor {
		return nil
	}
	plugin, err := s.Directory.GetWebPlugin(p.PluginID)
	if err != nil {
		return sb.Errorf(sb.EFORBIDDEN, "the visitor's web plugin no longer exists")
	}
	u := cmd.EndUser
	if cmd.Type != "" && cmd.Type != sb.TypeChatWeb || cmd.QueueID != 0 || cmd.AgentID != 0 || cmd.ScheduledAt != nil ||
		cmd.SupportNumber != "" || cmd.OutboundNumber != "" || cmd.Entry != "" || cmd.CampaignMode != "" ||
		cmd.RecordingPermission != "" || cmd.OutTicketID != "" || cmd.OutTicketURL != "" ||
		u.ID != 0 || u.Identifier != "" || u.OutContactID != "" || len(u.Tags) > 0 || u.Region != "" || u.Network != "" {
		return sb.Errorf(sb.EFORBIDDEN, "a visitor may only start a web chat for itself (type, lang, device and end_user name, email and phone)")
	}
	live, err := s.Engine.Store().Sessions(ctx, sb.SessionFilter{EndUser: p.VisitorID, Limit: 20})
	if err != nil {
		return err
	}
	for _, sess := range live {
		if !sess.Status.Terminal() {
			e := sb.Errorf(sb.ECONFLICT, "the visitor's chat %d is still open", sess.ID)
			e.Detail = map[string]any{"session_id": sess.ID}
			return e
		}
	}
	v := p.visitor
	eu := sb.EndUser{Identifier: p.VisitorID, Name: first(v.Name, u.Name), Email: first(v.Email, u.Email), Phone: first(v.Phone, u.Phone)}
	*cmd = lifecycle.Create{Type: sb.TypeChatWeb, Lang: cmd.Lang, Device: cmd.Device, EndUser: eu, Entry: plugin.Entry}
	q, agent, rule, err := s.pluginRoute(plugin, s.Engine.Clock().Now())
	if err != nil {
		return sb.Errorf(sb.ECONFLICT, "chats of this web plugin go to no skill group: name one in the plugin or add a routing rule")
	}
	cmd.QueueID = q
	if rule.ID != 0 { // else the plugin's own group, no rule
		cmd.Route, cmd.Routed = true, lifecycle.Routed{RuleID: rule.ID, AgentID: agent}
	}
	return nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
