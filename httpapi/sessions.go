package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/sessionview"
)

// commandResponse answers a command with the session after it and the
// events it appended.
type commandResponse struct {
	Session any        `json:"session"`
	Events  []sb.Event `json:"events"`
}

// respondCommand answers a command with the session and its events as the
// caller may see them.
func (s *Server) respondCommand(w http.ResponseWriter, r *http.Request, status int, res engine.Result) error {
	sess := res.Session
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sess.Seq, 10)))
	if res.Replayed {
		// The first answer to the request's Idempotency-Key: nothing ran now.
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, commandResponse{Session: s.sessionFor(r, sess), Events: nonNil(s.eventsOf(principalFrom(r.Context()), sess, res.Events))})
	return nil
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) error {
	cmd := new(lifecycle.Create)
	if err := decode(r, cmd, false); err != nil {
		return err
	}
	res, err := s.Commands.Create(r.Context(), principalFrom(r.Context()).Caller, cmd, service.RunOptions{IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sessions/"+strconv.FormatInt(res.Session.ID, 10))
	return s.respondCommand(w, r, http.StatusCreated, res)
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

func (s *Server) command(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("command")
	if _, err := sessionCommand(name); err != nil {
		return err
	}
	return s.runREST(w, r, name)
}

func (s *Server) recordEvent(w http.ResponseWriter, r *http.Request) error {
	return s.runREST(w, r, "record-event")
}

// sessionCommand returns a new command named by a client: every public
// session command except record-event, which has its own route.
func sessionCommand(name string) (lifecycle.Command, error) {
	cmd, ok := lifecycle.NewCommand(name)
	if !ok || name == "record-event" || lifecycle.Internal(name) {
		return nil, sb.Errorf(sb.ENOTFOUND, "unknown session command %q", name)
	}
	return cmd, nil
}

// restCommand returns a new command named by a client as the REST routes
// take them: record-event (its own route) or a public session command.
func restCommand(name string) (lifecycle.Command, error) {
	if name == "record-event" {
		return new(lifecycle.RecordEvent), nil
	}
	return sessionCommand(name)
}

// runREST runs the session command name from an HTTP request: the session
// from the path, the version from If-Match, the body as the command.
func (s *Server) runREST(w http.ResponseWriter, r *http.Request, name string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	match, err := ifMatch(r)
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cmd, err := restCommand(name)
	if err != nil {
		return err
	}
	res, err := s.run(r.Context(), principalFrom(r.Context()), id, cmd, body, service.RunOptions{IfMatch: match, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	return s.respondCommand(w, r, http.StatusOK, res)
}

// runCommand runs the public session command name on session id for p,
// exactly as POST /api/v1/sessions/{id}/{command} does: body is the raw
// JSON body (empty for none) and match the version of If-Match, if any.
func (s *Server) runCommand(ctx context.Context, p Principal, id int64, name string, body []byte, opt service.RunOptions) (engine.Result, error) {
	cmd, err := sessionCommand(name)
	if err != nil {
		return engine.Result{}, err
	}
	return s.run(ctx, p, id, cmd, body, opt)
}

// run decodes body into cmd and runs it on session id for p through the
// service, which holds every check a session command passes through,
// whichever transport it came by.
func (s *Server) run(ctx context.Context, p Principal, id int64, cmd lifecycle.Command, body []byte, opt service.RunOptions) (engine.Result, error) {
	if id <= 0 {
		return engine.Result{}, sb.Errorf(sb.EINVALID, "id must be a positive integer, not %d", id)
	}
	if err := DecodeStrict(body, cmd, true); err != nil {
		return engine.Result{}, err
	}
	return s.Commands.Run(ctx, p.Caller, id, cmd, opt)
}

// session reads the session named by the path, if the caller may read its
// details.
func (s *Server) session(r *http.Request) (*sb.Session, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.readableSession(r.Context(), principalFrom(r.Context()), id)
}

// readableSession reads session id for p: the read check of every route
// that reads a session's details (its events, messages, streams,
// attachments, metadata and report facts) and of WebSocket subscriptions.
func (s *Server) readableSession(ctx context.Context, p Principal, id int64) (*sb.Session, error) {
	sess, err := s.Events.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(p, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// listedSession reads the session named by the path, if the caller may
// know of it: a visitor its own chats, staff every session, an agent a
// waiting one it may not read as the listing shows it (sessionAs).
func (s *Server) listedSession(r *http.Request) (*sb.Session, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	sess, err := s.Events.Session(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if p := principalFrom(r.Context()); p.Role == sb.RoleVisitor {
		if err := visitorOwns(p, sess); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.listedSession(r)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sess.Seq, 10)))
	writeJSON(w, http.StatusOK, s.sessionFor(r, sess))
	return nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f sb.SessionFilter
	if v := q.Get("status"); v != "" {
		st, err := sb.ParseStatus(v)
		if err != nil {
			return err
		}
		f.Status = &st
	}
	if v := q.Get("medium"); v != "" {
		if v != string(sb.MediumVoice) && v != string(sb.MediumChat) {
			return sb.Errorf(sb.EINVALID, "medium must be voice or chat")
		}
		f.Medium = sb.Medium(v)
	}
	if v := q.Get("type"); v != "" {
		if !sb.SessionType(v).Valid() {
			return sb.Errorf(sb.EINVALID, "type %q is not a session type", v)
		}
		f.Type = sb.SessionType(v)
	}
	var err error
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"agent_id", &f.AgentID}, {"queue_id", &f.QueueID}, {"before_id", &f.BeforeID}} {
		if *p.dst, err = queryInt(r, p.name, 0, 0); err != nil {
			return err
		}
	}
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	p := principalFrom(r.Context())
	if err := historyFilter(r, p, &f); err != nil {
		return err
	}
	if p.Role == sb.RoleVisitor {
		f.EndUser, f.Type = p.VisitorID, sb.TypeChatWeb // a visitor lists its own chats
	}
	list, err := s.Events.Sessions(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Sessions []any `json:"sessions"`
		// NextBeforeID pages on: pass it as before_id; absent on the last page.
		NextBeforeID int64 `json:"next_before_id,omitempty"`
	}{Sessions: make([]any, 0, len(list))}
	pol, v := s.policy(), viewer(p)
	for _, sess := range list {
		if (f.Text != "" || f.TagID != 0) && pol.Hidden(v, sess) {
			continue // a search by message or tag would tell of the hidden details
		}
		out.Sessions = append(out.Sessions, s.sessionFor(r, sess))
	}
	if len(list) == f.Limit {
		out.NextBeforeID = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// eventPage reads the cursor and limit of an event listing, runs read and
// answers with the page and the cursor of the next one under nextKey.
// filter removes and redacts what the caller may not see; the cursor still
// moves past the events it removed.
func eventPage(w http.ResponseWriter, r *http.Request, cursor, nextKey string,
	read func(after int64, limit int) ([]sb.Event, error), pos func(sb.Event) int64, filter func([]sb.Event) ([]sb.Event, error)) error {
	after, err := queryInt(r, cursor, 0, 0)
	if err != nil {
		return err
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	events, err := read(after, int(limit))
	if err != nil {
		return err
	}
	visible, err := filter(events)
	if err != nil {
		return err
	}
	out := map[string]any{"events": nonNil(visible)}
	if int64(len(events)) == limit {
		out[nextKey] = pos(events[len(events)-1])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) sessionEvents(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	return eventPage(w, r, "after_seq", "next_after_seq", func(after int64, limit int) ([]sb.Event, error) {
		return s.Events.SessionEvents(r.Context(), sess.ID, after, limit)
	}, func(e sb.Event) int64 { return e.Seq }, func(es []sb.Event) ([]sb.Event, error) {
		return s.eventsOf(principalFrom(r.Context()), sess, es), nil
	})
}

func (s *Server) allEvents(w http.ResponseWriter, r *http.Request) error {
	return eventPage(w, r, "after", "next_after", func(after int64, limit int) ([]sb.Event, error) {
		return s.Events.Events(r.Context(), after, limit)
	}, func(e sb.Event) int64 { return e.ID }, s.newEventReader(principalFrom(r.Context())).filter(r.Context()))
}

func (s *Server) sessionMetadata(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if s.Metadata == nil {
		return sb.Errorf(sb.EUNAVAILABLE, "metadata files are not configured")
	}
	if !s.policy().SeesRatings(viewer(principalFrom(r.Context()))) {
		sess = sessionview.WithoutRating(sess)
	}
	doc, err := s.Metadata(sess, s.Clock.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
	return nil
}

func (s *Server) eventTypes(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"data_stream": lifecycle.StreamTypes(), "commands": lifecycle.Table})
	return nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// transcriptLine is one message of a session's transcript.
type transcriptLine struct {
	ID         int64             `json:"id"`
	From       string            `json:"from"`
	AgentID    int64             `json:"agent_id,omitempty"`
	Kind       string            `json:"kind"`
	Text       string            `json:"text"`
	Purpose    string            `json:"purpose,omitempty"`
	Nickname   string            `json:"nickname,omitempty"`
	Attachment *sb.AttachmentRef `json:"attachment,omitempty"`
	Actions    []string          `json:"actions,omitempty"`
	At         time.Time         `json:"at"`
	Recalled   bool              `json:"recalled,omitempty"`
}

// messages answers a session's transcript, read from its log: every
// message in order, recalled ones marked.
func (s *Server) messages(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	lines := []transcriptLine{}
	index := map[int64]int{}
	for after := int64(0); ; {
		page, err := s.Events.SessionEvents(r.Context(), sess.ID, after, 1000)
		if err != nil {
			return err
		}
		for _, e := range page {
			switch e.Type {
			case lifecycle.EventMessageSent:
				var m lifecycle.MessageData
				if err := json.Unmarshal(e.Data, &m); err != nil {
					return fmt.Errorf("message %d/%d: %w", e.SessionID, e.Seq, err)
				}
				index[m.ID] = len(lines)
				lines = append(lines, transcriptLine{ID: m.ID, From: m.From, AgentID: m.AgentID, Kind: m.Kind, Text: m.Text,
					Purpose: m.Purpose, Nickname: m.Nickname, Attachment: m.Attachment, Actions: m.Actions, At: e.Time})
			case lifecycle.EventMessageRecalled:
				var rc lifecycle.RecallData
				if err := json.Unmarshal(e.Data, &rc); err != nil {
					return fmt.Errorf("recall %d/%d: %w", e.SessionID, e.Seq, err)
				}
				if i, ok := index[rc.MessageID]; ok {
					lines[i].Recalled = true
				}
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Seq
	}
	writeJSON(w, http.StatusOK, map[string]any{"session_id": sess.ID, "messages": lines})
	return nil
}
