package httpapi

import (
	"net/http"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/validate"
	"github.com/switchboardhq/switchboard/webauth"
)

// The widget's two public routes need no credentials: the plugin key in
// the embed code is public, and the visitor identity they hand out is
// what authenticates the visitor afterwards.
func (s *Server) widgetRoutes() {
	s.handle("GET /api/v1/widget/{key}", s.api(s.widgetConfig))
	s.handle("POST /api/v1/widget/{key}/visitor", s.api(s.widgetVisitor))
}

// WidgetCSAT is what the widget shows when it asks for a rating.
type WidgetCSAT struct {
	SolvedPrompt string           `json:"solved_prompt,omitempty"`
	ScorePrompt  string           `json:"score_prompt,omitempty"`
	Scores       []sb.ScoreOption `json:"scores"`
}

// WidgetConfig is the public part of a web plugin with what the widget
// needs to know of the chat settings and of the agents now.
type WidgetConfig struct {
	PluginID        int64               `json:"plugin_id"`
	Key             string              `json:"key"`
	Name            string              `json:"name"`
	LogoURL         string              `json:"logo_url,omitempty"`
	ThemeColor      string              `json:"theme_color"`
	Title           string              `json:"title"`
	Banner          string              `json:"banner,omitempty"`
	Sidebar         sb.PluginSidebar    `json:"sidebar"`
	QuickButtons    []string            `json:"quick_buttons"`
	Toolbar         []string            `json:"toolbar"`
	AfterHours      string              `json:"after_hours"`
	AfterHoursText  string              `json:"after_hours_text,omitempty"`
	OfflineMessages bool                `json:"offline_messages"`
	Invitations     []sb.AutoInvitation `json:"invitations"`
	// DispatcherNickname names the system while the visitor waits.
	DispatcherNickname string     `json:"dispatcher_nickname"`
	HideAgentStatus    bool       `json:"hide_agent_status"`
	CSAT               WidgetCSAT `json:"csat"`
	// LeaveMessageTemplate is the form of an offline message.
	LeaveMessageTemplate sb.LeaveMessageTemplate `json:"leave_message_template"`
	// Routed reports whether the plugin's chats have a queue to go to
	// now (a routing rule or the plugin's own group); without one no chat
	// can start.
	Routed bool `json:"routed"`
	// Open reports whether the queue the plugin's chats are routed to is
	// in its work hours now.
	Open bool `json:"open"`
	// AgentsOnline counts the online agents of that queue (0 when agent
	// status is hidden).
	AgentsOnline int `json:"agents_online"`
}

// DefaultLeaveMessageTemplate is the offline-message form of a plugin
// that names no template.
func DefaultLeaveMessageTemplate() sb.LeaveMessageTemplate {
	return sb.LeaveMessageTemplate{Name: "Default", Default: true, Intro: "Leave us a message and we will get back to you.",
		Fields: []sb.TemplateField{
			{Key: "name", Label: "Name", Type: "text", Required: true},
			{Key: "email", Label: "E-mail", Type: "email", Required: true},
			{Key: "phone", Label: "Phone", Type: "phone"},
			{Key: "content", Label: "Message", Type: "textarea", Required: true},
		}}
}

func (s *Server) pluginByKey(r *http.Request) (sb.WebPlugin, error) {
	key := r.PathValue("key")
	if key == "" || len(key) > 64 {
		return sb.WebPlugin{}, sb.Errorf(sb.ENOTFOUND, "no web plugin has this key")
	}
	return s.Directory.WebPluginByKey(key)
}

// pluginRoute is where a web plugin's chats go now: the group of the
// routing rules that match them, else the plugin's own group.
func (s *Server) pluginRoute(p sb.WebPlugin, now time.Time) (queueID, agentID int64, rule sb.RoutingRule, err error) {
	return service.PluginRoute(s.Directory, p, now)
}

func (s *Server) widgetConfig(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pluginByKey(r)
	if err != nil {
		return err
	}
	chat, csat := s.Directory.ChatSettings(), s.Directory.CSATSettings()
	out := WidgetConfig{PluginID: p.ID, Key: p.Key, Name: p.Name, LogoURL: p.LogoURL, ThemeColor: p.ThemeColor, Title: p.Title,
		Banner: p.Banner, Sidebar: p.Sidebar, QuickButtons: nonNil(p.QuickButtons), Toolbar: nonNil(p.Toolbar),
		AfterHours: p.AfterHours, AfterHoursText: p.AfterHoursText, OfflineMessages: p.OfflineMessages,
		Invitations: nonNil(p.Invitations), DispatcherNickname: chat.DispatcherNickname, HideAgentStatus: chat.HideAgentStatus,
		CSAT:                 WidgetCSAT{SolvedPrompt: csat.SolvedPrompt, ScorePrompt: csat.ScorePrompt, Scores: nonNil(csat.Scores)},
		LeaveMessageTemplate: DefaultLeaveMessageTemplate()}
	if s.LeaveMessageTemplate != nil {
		t, err := s.LeaveMessageTemplate(r.Context(), p.LeaveMessageTemplateID)
		switch {
		case err == nil && t != nil:
			out.LeaveMessageTemplate = *t
		case err != nil && sb.ErrorCode(err) != sb.ENOTFOUND:
			return err
		}
	}
	now := s.Clock.Now()
	if q, _, _, err := s.pluginRoute(p, now); err == nil && q != 0 {
		out.Routed, out.Open = true, s.Directory.QueueOpen(q, now)
		if !chat.HideAgentStatus && s.Routing != nil {
			if st, err := s.Routing.QueueState(r.Context(), q); err == nil {
				for _, m := range st.Members {
					if m.Status == sb.AgentOnline { // invisible agents look offline to visitors
						out.AgentsOnline++
					}
				}
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// VisitorRequest is the body of POST /api/v1/widget/{key}/visitor.
type VisitorRequest struct {
	// VisitorToken is the token the browser kept from an earlier visit.
	VisitorToken string `json:"visitor_token,omitempty"`
	// UserID and UserHash are the site's signed identity of its logged-in
	// user: user_hash = hex(HMAC-SHA256(identity_secret, user_id)).
	UserID   string `json:"user_id,omitempty"`
	UserHash string `json:"user_hash,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// VisitorIdentity answers a visitor request.
type VisitorIdentity struct {
	VisitorToken string `json:"visitor_token"`
	VisitorID    string `json:"visitor_id"`
	// Verified is true when the site vouched for the visitor's user ID.
	Verified bool `json:"verified"`
}

func (s *Server) widgetVisitor(w http.ResponseWriter, r *http.Request) error {
	p, err := s.pluginByKey(r)
	if err != nil {
		return err
	}
	var in VisitorRequest
	if err := decode(r, &in, true); err != nil {
		return err
	}
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
	if in.Phone, err = validate.NormalizePhone("phone", in.Phone); err != nil {
		return err
	}
	for _, err := range []error{
		validate.Text("name", in.Name, 100, false),
		validate.Text("email", in.Email, 200, false),
		validate.Email("email", in.Email),
		validate.Text("visitor_token", in.VisitorToken, 2048, false),
	} {
		if err != nil {
			return err
		}
	}
	key, err := s.visitorKey(r.Context())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	var cur *webauth.Visitor
	if in.VisitorToken != "" {
		if v, err := webauth.ParseVisitor(key, in.VisitorToken, now, VisitorTokenMaxAge); err == nil && v.PluginID == p.ID {
			cur = &v
		}
	}
	var id string
	switch {
	case in.UserID != "" || in.UserHash != "":
		if in.UserID == "" || in.UserHash == "" {
			return sb.Errorf(sb.EINVALID, "user_id and user_hash go together")
		}
		if err := webauth.CheckUserID(in.UserID); err != nil {
			return sb.Errorf(sb.EINVALID, "%s", err.Error())
		}
		if !webauth.VerifyUserHash(p.IdentitySecret, in.UserID, in.UserHash) {
			return sb.Errorf(sb.EFORBIDDEN, "user_hash does not match user_id")
		}
		id = webauth.VerifiedPrefix + in.UserID
	case cur != nil:
		id = cur.ID
	default:
		id = webauth.NewAnonymousID()
	}
	v := webauth.Visitor{ID: id, PluginID: p.ID, Name: in.Name, Email: in.Email, Phone: in.Phone, IssuedAt: now}
	if cur != nil && cur.ID == id {
		if v.Name == "" && v.Email == "" && v.Phone == "" {
			v.Name, v.Email, v.Phone = cur.Name, cur.Email, cur.Phone
		}
		if v.Name == cur.Name && v.Email == cur.Email && v.Phone == cur.Phone {
			writeJSON(w, http.StatusOK, VisitorIdentity{VisitorToken: in.VisitorToken, VisitorID: id, Verified: cur.Verified()})
			return nil
		}
	}
	token, err := webauth.SignVisitor(key, v)
	if err != nil {
		return sb.Errorf(sb.EINVALID, "%s", err.Error())
	}
	writeJSON(w, http.StatusOK, VisitorIdentity{VisitorToken: token, VisitorID: id, Verified: v.Verified()})
	return nil
}
