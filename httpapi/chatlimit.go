package httpapi

import (
	"net/http"
	"strconv"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// ChatLimits caps the web chats visitors start with a plugin's public
// key, within a fixed window that starts with a key's first chat: per
// visitor, per client address and per web plugin. Every request to start
// a chat counts, whether or not a chat comes of it. Staff are not limited.
type ChatLimits struct {
	PerVisitor int
	PerAddress int
	PerPlugin  int
	Window     time.Duration
}

// DefaultChatLimits are the limits a zero ChatLimits field takes.
var DefaultChatLimits = ChatLimits{PerVisitor: 5, PerAddress: 20, PerPlugin: 1000, Window: 10 * time.Minute}

// withDefaults fills the zero fields of l from DefaultChatLimits.
func (l ChatLimits) withDefaults() ChatLimits {
	d := DefaultChatLimits
	if l.PerVisitor == 0 {
		l.PerVisitor = d.PerVisitor
	}
	if l.PerAddress == 0 {
		l.PerAddress = d.PerAddress
	}
	if l.PerPlugin == 0 {
		l.PerPlugin = d.PerPlugin
	}
	if l.Window == 0 {
		l.Window = d.Window
	}
	return l
}

// limitVisitorChats wraps the route that starts sessions so that a
// visitor's request is refused with 429 once one of its quotas is used up.
func (s *Server) limitVisitorChats(h apiFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p := principalFrom(r.Context())
		if p.Role != sb.RoleVisitor {
			return h(w, r)
		}
		plugin := strconv.FormatInt(p.PluginID, 10)
		l := s.ChatLimits
		wait, err := s.chatLimit.take(r.Context(),
			quota{"visitor:" + plugin + ":" + p.VisitorID, l.PerVisitor},
			quota{"address:" + s.clientIP(r), l.PerAddress},
			quota{"plugin:" + plugin, l.PerPlugin},
		)
		if err != nil {
			return err
		}
		if wait > 0 {
			return sb.Errorf(sb.ERATELIMITED, "too many chats started; try again in %d seconds", retryAfter(w, wait))
		}
		return h(w, r)
	}
}
