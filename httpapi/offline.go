package httpapi

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/validate"
)

// offlineWriters may leave an offline message: visitors through the
// widget, and the staff on a customer's behalf.
var offlineWriters = append([]string{sb.RoleVisitor}, staffRoles...)

// MaxOfflineNote is the longest handling note, in characters.
const MaxOfflineNote = 2000

func (s *Server) offlineRoutes() {
	const base = "/api/v1/offline-messages"
	s.handle("POST "+base, s.authed(s.createOffline, offlineWriters...))
	s.handle("GET "+base, s.authed(s.listOffline, staffRoles...))
	s.handle("GET "+base+"/counts", s.authed(s.countOffline, staffRoles...))
	s.handle("GET "+base+"/{id}", s.authed(s.getOffline, staffRoles...))
	s.handle("PATCH "+base+"/{id}", s.authed(s.patchOffline, staffRoles...))
	s.handle("POST "+base+"/{id}/assign-to-me", s.authed(s.assignOfflineToMe, sb.RoleAgent))
}

// OfflineMessageInput is the body of POST /api/v1/offline-messages. The
// answers to the template's fields go in Fields by field key; the name,
// e-mail and phone may also be given on their own. Visitors' plugin and
// visitor IDs come from their token.
type OfflineMessageInput struct {
	TemplateID int64             `json:"template_id,omitempty"`
	PluginID   int64             `json:"plugin_id,omitempty"`
	VisitorID  string            `json:"visitor_id,omitempty"`
	SessionID  int64             `json:"session_id,omitempty"`
	QueueID    int64             `json:"queue_id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Email      string            `json:"email,omitempty"`
	Phone      string            `json:"phone,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"`
	Content    string            `json:"content"`
}

// OfflineMessagePatch is the body of PATCH /api/v1/offline-messages/{id}:
// absent members stay as they are; assignee_id 0 unassigns.
type OfflineMessagePatch struct {
	Status     *string `json:"status,omitempty"`
	AssigneeID *int64  `json:"assignee_id,omitempty"`
	Note       *string `json:"note,omitempty"`
}

func (s *Server) offline() (sb.OfflineStore, error) {
	if s.Offline == nil {
		return nil, sb.Errorf(sb.EUNAVAILABLE, "offline messages are not stored by this server")
	}
	return s.Offline, nil
}

func (s *Server) createOffline(w http.ResponseWriter, r *http.Request) error {
	store, err := s.offline()
	if err != nil {
		return err
	}
	var in OfflineMessageInput
	if err := decode(r, &in, false); err != nil {
		return err
	}
	p := principalFrom(r.Context())
	limits := visitorLimits(p, s.clientIP(r))
	for key, limit := range limits {
		wait, err := s.offlineLimit.wait(r.Context(), key, limit)
		if err != nil {
			return err
		}
		if wait > 0 {
			return sb.Errorf(sb.ERATELIMITED, "too many offline messages; try again in %d seconds", retryAfter(w, wait))
		}
	}
	m, err := s.newOfflineMessage(r.Context(), p, in)
	if err != nil {
		return err
	}
	if err := store.CreateOfflineMessage(r.Context(), &m); err != nil {
		return err
	}
	if len(limits) > 0 {
		if err := s.offlineLimit.add(r.Context(), slices.Collect(maps.Keys(limits))...); err != nil {
			// The message is stored; only its count is lost.
			s.log.Warn("offline limits: count a message", "message", m.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

// visitorLimits returns the limiter keys a visitor's offline message
// counts against, with their limits: the visitor and its client address.
// Staff are not limited.
func visitorLimits(p Principal, addr string) map[string]int {
	if p.Role != sb.RoleVisitor {
		return nil
	}
	return map[string]int{
		"visitor:" + strconv.FormatInt(p.PluginID, 10) + ":" + p.VisitorID: OfflinePerVisitor,
		"address:" + addr: OfflinePerAddress,
	}
}

// newOfflineMessage validates a new offline message: its answers against
// the template (the default one unless template_id names another), its
// session (a visitor's own) and queue.
func (s *Server) newOfflineMessage(ctx context.Context, p Principal, in OfflineMessageInput) (sb.OfflineMessage, error) {
	if p.Role == sb.RoleVisitor {
		in.PluginID, in.VisitorID = p.PluginID, p.VisitorID
		// What the visitor told the widget already answers the form
		// unless the form says otherwise.
		for key, v := range map[string]string{"name": p.Contact.Name, "email": p.Contact.Email, "phone": p.Contact.Phone} {
			if _, ok := in.Fields[key]; !ok && v != "" {
				switch key {
				case "name":
					in.Name = cmp.Or(in.Name, v)
				case "email":
					in.Email = cmp.Or(in.Email, v)
				case "phone":
					in.Phone = cmp.Or(in.Phone, v)
				}
			}
		}
	}
	for _, err := range []error{
		validate.Text("visitor_id", in.VisitorID, 200, false),
		validate.Range("plugin_id", in.PluginID, 0, 1<<53),
		validate.Range("template_id", in.TemplateID, 0, 1<<53),
		validate.Range("session_id", in.SessionID, 0, 1<<53),
		validate.Range("queue_id", in.QueueID, 0, 1<<53),
	} {
		if err != nil {
			return sb.OfflineMessage{}, err
		}
	}
	tpl, err := s.offlineForm(ctx, p, in.TemplateID)
	if err != nil {
		return sb.OfflineMessage{}, err
	}
	now := s.Clock.Now().UTC().Truncate(time.Millisecond)
	m := sb.OfflineMessage{PluginID: in.PluginID, TemplateID: tpl.ID, VisitorID: in.VisitorID, SessionID: in.SessionID,
		QueueID: in.QueueID, Status: sb.OfflineUnprocessed, CreatedAt: now, UpdatedAt: now}
	if err := formAnswers(tpl, in, &m); err != nil {
		return sb.OfflineMessage{}, err
	}
	if m.SessionID != 0 {
		sess, err := s.Events.Session(ctx, m.SessionID)
		if sb.ErrorCode(err) == sb.ENOTFOUND {
			return sb.OfflineMessage{}, sb.Errorf(sb.EINVALID, "session_id: session %d not found", m.SessionID)
		}
		if err != nil {
			return sb.OfflineMessage{}, err
		}
		if p.Role == sb.RoleVisitor {
			if err := visitorOwns(p, sess); err != nil {
				return sb.OfflineMessage{}, err
			}
		}
		if m.QueueID == 0 && sess.Queue != nil {
			m.QueueID = sess.Queue.ID
		}
	}
	if _, err := s.Directory.GetQueue(m.QueueID); m.QueueID != 0 && err != nil {
		return sb.OfflineMessage{}, sb.Errorf(sb.EINVALID, "queue_id: queue %d not found", m.QueueID)
	}
	return m, nil
}

// offlineForm returns the form an offline message answers. A visitor
// answers its web plugin's form (template_id may only name it), which must
// take offline messages; staff answer the template named, else the default
// one. Without any template it is the built-in form.
func (s *Server) offlineForm(ctx context.Context, p Principal, templateID int64) (sb.LeaveMessageTemplate, error) {
	if p.Role != sb.RoleVisitor {
		if templateID != 0 {
			t, err := s.Directory.GetLeaveMessageTemplate(templateID)
			if err != nil {
				return t, sb.Errorf(sb.EINVALID, "template_id: leave-message template %d not found", templateID)
			}
			return t, nil
		}
		return s.leaveMessageForm(ctx, 0)
	}
	plugin, err := s.Directory.GetWebPlugin(p.PluginID)
	if err != nil {
		return sb.LeaveMessageTemplate{}, sb.Errorf(sb.EFORBIDDEN, "the visitor's web plugin no longer exists")
	}
	if !plugin.OfflineMessages && plugin.AfterHours != sb.AfterHoursLeaveMessage && !slices.Contains(plugin.QuickButtons, sb.ButtonLeaveMessage) {
		return sb.LeaveMessageTemplate{}, sb.Errorf(sb.EFORBIDDEN, "this web plugin does not take offline messages")
	}
	t, err := s.leaveMessageForm(ctx, plugin.LeaveMessageTemplateID)
	if err != nil {
		return t, err
	}
	if templateID != 0 && templateID != t.ID {
		return t, sb.Errorf(sb.EINVALID, "template_id: this widget's form is leave-message template %d", t.ID)
	}
	return t, nil
}

// leaveMessageForm resolves a web plugin's form (id 0: the default
// template) through Config.LeaveMessageTemplate, falling back to the
// built-in form.
func (s *Server) leaveMessageForm(ctx context.Context, id int64) (sb.LeaveMessageTemplate, error) {
	if s.LeaveMessageTemplate != nil {
		t, err := s.LeaveMessageTemplate(ctx, id)
		switch {
		case err == nil && t != nil:
			return *t, nil
		case err != nil && sb.ErrorCode(err) != sb.ENOTFOUND:
			return sb.LeaveMessageTemplate{}, err
		}
	}
	return DefaultLeaveMessageTemplate(), nil
}

// directoryForms resolves leave-message templates from the directory: the
// template with the ID, else (also when it was deleted) the default one.
func directoryForms(d *directory.Directory) func(ctx context.Context, id int64) (*sb.LeaveMessageTemplate, error) {
	return func(ctx context.Context, id int64) (*sb.LeaveMessageTemplate, error) {
		t, err := d.ResolveLeaveMessageTemplate(id)
		if sb.ErrorCode(err) == sb.ENOTFOUND && id != 0 {
			t, err = d.ResolveLeaveMessageTemplate(0)
		}
		if err != nil {
			return nil, err
		}
		return &t, nil
	}
}

// formAnswers checks the content and the answers of in against the form
// tpl and sets them on m. The message may also come as the form's content
// field, and the name, e-mail and phone on their own beside the fields.
func formAnswers(tpl sb.LeaveMessageTemplate, in OfflineMessageInput, m *sb.OfflineMessage) error {
	answers := maps.Clone(in.Fields)
	if answers == nil {
		answers = map[string]string{}
	}
	content := strings.TrimSpace(in.Content)
	if v, ok := answers["content"]; ok {
		if content != "" && strings.TrimSpace(v) != content {
			return sb.Errorf(sb.EINVALID, "content is given twice, differently, in content and fields.content")
		}
		content = strings.TrimSpace(v)
		delete(answers, "content")
	}
	if err := validate.Text("content", content, sb.MaxOfflineContent, true); err != nil {
		return err
	}
	tpl.Fields = slices.DeleteFunc(slices.Clone(tpl.Fields), func(f sb.TemplateField) bool { return f.Key == "content" })
	given := map[string]string{"name": in.Name, "email": in.Email, "phone": in.Phone}
	for key, v := range given {
		if v == "" || !slices.ContainsFunc(tpl.Fields, func(f sb.TemplateField) bool { return f.Key == key }) {
			continue
		}
		if a, ok := answers[key]; ok && a != v {
			return sb.Errorf(sb.EINVALID, "%s is given twice, differently, in %s and fields.%s", key, key, key)
		}
		answers[key] = v
		given[key] = ""
	}
	name, email, phone, err := directory.CheckAnswers(tpl, answers)
	if err != nil {
		return err
	}
	if name == "" {
		name = strings.TrimSpace(given["name"])
		if err := validate.Text("name", name, 200, false); err != nil {
			return err
		}
	}
	if email == "" {
		email = strings.TrimSpace(given["email"])
		if err := validate.Email("email", email); err != nil {
			return err
		}
	}
	if phone == "" && given["phone"] != "" {
		if phone, err = validate.NormalizePhone("phone", strings.TrimSpace(given["phone"])); err != nil {
			return err
		}
	}
	m.Name, m.Email, m.Phone, m.Content = name, email, phone, content
	if len(answers) > 0 {
		m.Fields = answers
	}
	return nil
}

// listOffline lists offline messages, newest first: ?status=, ?assignee=
// me, none or an agent ID, ?q= (text search), ?before_id= and ?limit=.
func (s *Server) listOffline(w http.ResponseWriter, r *http.Request) error {
	store, err := s.offline()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := sb.OfflineFilter{Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q"))}
	if err := validate.OneOf("status", f.Status, false, sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed); err != nil {
		return err
	}
	if err := validate.Text("q", f.Query, 200, false); err != nil {
		return err
	}
	switch v := q.Get("assignee"); v {
	case "":
	case "me":
		p := principalFrom(r.Context())
		if p.AgentID == 0 {
			return sb.Errorf(sb.EINVALID, "assignee=me needs an agent's login")
		}
		f.Assignee = &p.AgentID
	case "none":
		f.Assignee = new(int64)
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return sb.Errorf(sb.EINVALID, "assignee must be me, none or an agent ID")
		}
		f.Assignee = &id
	}
	if f.BeforeID, err = queryInt(r, "before_id", 0, 0); err != nil {
		return err
	}
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	list, err := store.OfflineMessages(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Items []sb.OfflineMessage `json:"items"`
		// NextBeforeID pages on: pass it as before_id; absent on the last page.
		NextBeforeID int64 `json:"next_before_id,omitempty"`
	}{Items: nonNil(list)}
	if len(list) == f.Limit {
		out.NextBeforeID = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) countOffline(w http.ResponseWriter, r *http.Request) error {
	store, err := s.offline()
	if err != nil {
		return err
	}
	c, err := store.CountOfflineMessages(r.Context(), principalFrom(r.Context()).AgentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) getOffline(w http.ResponseWriter, r *http.Request) error {
	store, err := s.offline()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := store.OfflineMessage(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) patchOffline(w http.ResponseWriter, r *http.Request) error {
	var patch OfflineMessagePatch
	if err := decode(r, &patch, false); err != nil {
		return err
	}
	if patch.Status == nil && patch.AssigneeID == nil && patch.Note == nil {
		return sb.Errorf(sb.EINVALID, "nothing to change: give status, assignee_id or note")
	}
	return s.changeOffline(w, r, patch)
}

// assignOfflineToMe assigns a message to the calling agent.
func (s *Server) assignOfflineToMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.AgentID == 0 {
		return sb.Errorf(sb.EFORBIDDEN, "only an agent's login can take an offline message")
	}
	return s.changeOffline(w, r, OfflineMessagePatch{AssigneeID: &p.AgentID})
}

// changeOffline applies patch to the message named by the path, checking
// it against the message as stored in the same transaction.
func (s *Server) changeOffline(w http.ResponseWriter, r *http.Request, patch OfflineMessagePatch) error {
	store, err := s.offline()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	now := s.Clock.Now().UTC().Truncate(time.Millisecond)
	agentExists := func(id int64) bool { _, err := s.Directory.GetAgent(id); return err == nil }
	m, err := store.UpdateOfflineMessage(r.Context(), id, func(m *sb.OfflineMessage) error {
		return applyOfflinePatch(p, m, patch, now, agentExists)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
