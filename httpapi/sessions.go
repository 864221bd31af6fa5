package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// sessionView is the API shape of a session: the projection plus its
// numeric status code.
type sessionView struct {
	*sb.Session
	StatusCode int `json:"status_code"`
}

func view(s *sb.Session) sessionView { return sessionView{Session: s, StatusCode: int(s.Status)} }

// commandResponse answers a command with the session after it and the
// events it appended.
type commandResponse struct {
	Session sessionView `json:"session"`
	Events  []sb.Event  `json:"events"`
}

func respondCommand(w http.ResponseWriter, status int, s *sb.Session, events []sb.Event) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(s.Seq, 10)))
	writeJSON(w, status, commandResponse{Session: view(s), Events: events})
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	cmd := new(lifecycle.Create)
	if err := decode(r, cmd, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	if p.Role == sb.RoleAgent && cmd.AgentID != p.AgentID {
		s.writeError(w, r, sb.Errorf(sb.EFORBIDDEN, "an agent may only create sessions it dials itself (agent_id %d)", p.AgentID))
		return
	}
	res, err := s.Engine.Create(r.Context(), cmd, p.Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/sessions/"+strconv.FormatInt(res.Session.ID, 10))
	respondCommand(w, http.StatusCreated, res.Session, res.Events)
}

// ifMatch reads the expected session version from If-Match ("5" or 5).
func ifMatch(r *http.Request) (*int64, error) {
	v := r.Header.Get("If-Match")
	if v == "" {
		return nil, nil
	}
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 0 {
		return nil, sb.Errorf(sb.EINVALID, "If-Match must be a session version such as \"5\"")
	}
	return &n, nil
}

func (s *Server) command(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("command")
	cmd, ok := lifecycle.NewCommand(name)
	if !ok || name == "record-event" {
		s.writeError(w, r, sb.Errorf(sb.ENOTFOUND, "unknown session command %q", name))
		return
	}
	s.run(w, r, cmd)
}

func (s *Server) recordEvent(w http.ResponseWriter, r *http.Request) {
	s.run(w, r, new(lifecycle.RecordEvent))
}

func (s *Server) run(w http.ResponseWriter, r *http.Request, cmd lifecycle.Command) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	match, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := decode(r, cmd, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	p := principalFrom(r.Context())
	cond := &engine.Cond{IfMatch: match}
	if p.Role == sb.RoleAgent {
		cond.Check = func(sess *sb.Session) error { return agentMay(p.AgentID, sess, cmd) }
	}
	res, err := s.Engine.Execute(r.Context(), id, cmd, p.Actor(), cond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	respondCommand(w, http.StatusOK, res.Session, res.Events)
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, err := s.Engine.Store().Session(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sess.Seq, 10)))
	writeJSON(w, http.StatusOK, view(sess))
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f sb.SessionFilter
	if v := q.Get("status"); v != "" {
		st, err := sb.ParseStatus(v)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f.Status = &st
	}
	if v := q.Get("medium"); v != "" {
		if v != string(sb.MediumVoice) && v != string(sb.MediumChat) {
			s.writeError(w, r, sb.Errorf(sb.EINVALID, "medium must be voice or chat"))
			return
		}
		f.Medium = sb.Medium(v)
	}
	if v := q.Get("type"); v != "" {
		if !sb.SessionType(v).Valid() {
			s.writeError(w, r, sb.Errorf(sb.EINVALID, "type %q is not a session type", v))
			return
		}
		f.Type = sb.SessionType(v)
	}
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"agent_id", &f.AgentID}, {"queue_id", &f.QueueID}, {"before_id", &f.BeforeID}} {
		if *p.dst, err = queryInt(r, p.name, 0, 0); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	limit, err := queryLimit(r, 50)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = int(limit)
	list, err := s.Engine.Store().Sessions(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Sessions []sessionView `json:"sessions"`
		// NextBeforeID pages on: pass it as before_id; absent on the last page.
		NextBeforeID int64 `json:"next_before_id,omitempty"`
	}{Sessions: make([]sessionView, 0, len(list))}
	for _, sess := range list {
		out.Sessions = append(out.Sessions, view(sess))
	}
	if len(list) == f.Limit && len(list) > 0 {
		out.NextBeforeID = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) sessionEvents(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, err := queryInt(r, "after_seq", 0, 0)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.Engine.Store().Session(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.Engine.Store().SessionEvents(r.Context(), id, after, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Events []sb.Event `json:"events"`
		// NextAfterSeq pages on: pass it as after_seq; absent on the last page.
		NextAfterSeq int64 `json:"next_after_seq,omitempty"`
	}{Events: nonNil(events)}
	if int64(len(events)) == limit && limit > 0 {
		out.NextAfterSeq = events[len(events)-1].Seq
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) allEvents(w http.ResponseWriter, r *http.Request) {
	after, err := queryInt(r, "after", 0, 0)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.Engine.Store().Events(r.Context(), after, int(limit))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Events []sb.Event `json:"events"`
		// NextAfter pages on: pass it as after; absent on the last page.
		NextAfter int64 `json:"next_after,omitempty"`
	}{Events: nonNil(events)}
	if int64(len(events)) == limit && limit > 0 {
		out.NextAfter = events[len(events)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) sessionMetadata(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sess, err := s.Engine.Store().Session(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.Metadata == nil {
		s.writeError(w, r, sb.Errorf(sb.EUNAVAILABLE, "metadata files are not configured"))
		return
	}
	doc, err := s.Metadata(sess, s.Engine.Clock().Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
}

func (s *Server) eventTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data_stream": lifecycle.StreamTypes(), "commands": lifecycle.Table})
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
