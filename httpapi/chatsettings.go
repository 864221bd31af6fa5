package httpapi

import (
	"net/http"

	sb "github.com/switchboardhq/switchboard"
)

// staffRoles are the roles of people and systems working the desk: every
// role but visitors. Administrators pass every role check.
var staffRoles = []string{sb.RoleSupervisor, sb.RoleAgent, sb.RoleIntegration}

// chatRoutes registers the chat configuration: feature and CSAT settings,
// quick replies, leave-message templates and offline messages.
func (s *Server) chatRoutes() {
	s.handle("GET /api/v1/settings/chat", s.authed(s.getChatSettings, staffRoles...))
	s.handle("PUT /api/v1/settings/chat", s.authed(s.putChatSettings, adminsOnly...))
	s.handle("GET /api/v1/settings/csat", s.authed(s.getCSATSettings, staffRoles...))
	s.handle("PUT /api/v1/settings/csat", s.authed(s.putCSATSettings, adminsOnly...))
	s.quickReplyRoutes()
	s.templateRoutes()
	s.offlineRoutes()
}

func (s *Server) getChatSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.Directory.ChatSettings())
	return nil
}

// putChatSettings replaces the chat feature settings.
func (s *Server) putChatSettings(w http.ResponseWriter, r *http.Request) error {
	var in sb.ChatSettings
	if err := decode(r, &in, false); err != nil {
		return err
	}
	out, err := s.Directory.SaveChatSettings(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getCSATSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.Directory.CSATSettings())
	return nil
}

// putCSATSettings replaces the satisfaction settings.
func (s *Server) putCSATSettings(w http.ResponseWriter, r *http.Request) error {
	var in sb.CSATSettings
	if err := decode(r, &in, false); err != nil {
		return err
	}
	out, err := s.Directory.SaveCSATSettings(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
