package httpapi

import (
	"net/http"

	sb "github.com/switchboardhq/switchboard"
)

// templateReaders may read leave-message templates: the staff, and
// visitors, whose widget renders the form.
var templateReaders = append([]string{sb.RoleVisitor}, staffRoles...)

func (s *Server) templateRoutes() {
	const base = "/api/v1/leave-message-templates"
	s.handle("GET "+base, s.authed(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(s.Directory.LeaveMessageTemplates())})
		return nil
	}, templateReaders...))
	s.handle("GET "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		t, err := s.Directory.GetLeaveMessageTemplate(id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, t)
		return nil
	}, templateReaders...))
	s.handle("POST "+base, s.authed(func(w http.ResponseWriter, r *http.Request) error {
		return s.saveTemplate(w, r, 0)
	}, adminsOnly...))
	s.handle("PUT "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := s.Directory.GetLeaveMessageTemplate(id); err != nil {
			return err
		}
		return s.saveTemplate(w, r, id)
	}, adminsOnly...))
	s.deletable("leave-message-templates", s.Directory.DeleteLeaveMessageTemplate)
}

// saveTemplate creates (target 0) or replaces a leave-message template.
func (s *Server) saveTemplate(w http.ResponseWriter, r *http.Request, target int64) error {
	return saveDoc(w, r, target, func(t *sb.LeaveMessageTemplate) *int64 { return &t.ID }, nil,
		s.Directory.SaveLeaveMessageTemplate)
}
