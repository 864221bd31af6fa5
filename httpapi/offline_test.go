package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// offlineStack is a stack with a contact form as the default template.
func offlineStack(t *testing.T) *stack {
	s := newStack(t)
	_, secret, err := httpapi.CreateToken(context.Background(), s.db, s.clock, "Alex", sb.RoleAgent, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["alex"] = secret // agent 2; "agent" is agent 1
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Contact","fields":[
		{"key":"name","label":"Name","type":"text","required":true},
		{"key":"email","label":"E-mail","type":"email"},
		{"key":"phone","label":"Phone","type":"phone"},
		{"key":"topic","label":"Topic","type":"select","options":["Sales","Billing"],"required":true}]}`, 201)
	return s
}

func TestOfflineMessageCreate(t *testing.T) {
	s := offlineStack(t)
	s.clock.Advance(90 * time.Second)
	m := s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"Dana Li","topic":"Billing","phone":"+1 222 333-4444"},
		"email":"dana@example.com","content":"  Please call me about invoice 17.  ","queue_id":1,"visitor_id":"crm-7"}`, 201).json(t)
	want := map[string]any{"id": 1.0, "template_id": 1.0, "queue_id": 1.0, "visitor_id": "crm-7", "name": "Dana Li",
		"email": "dana@example.com", "phone": "+12223334444", "fields": map[string]any{"topic": "Billing"},
		"content": "Please call me about invoice 17.", "status": "unprocessed",
		"created_at": "2026-11-23T09:01:30Z", "updated_at": "2026-11-23T09:01:30Z"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("created\n%v\nwant\n%v", m, want)
	}
	if got := s.mustDo("agent", "GET", "/api/v1/offline-messages/1", "", 200).json(t); !reflect.DeepEqual(got, want) {
		t.Errorf("read back %v", got)
	}
	for name, body := range map[string]string{
		"no content":        `{"fields":{"name":"D","topic":"Sales"}}`,
		"blank content":     `{"fields":{"name":"D","topic":"Sales"},"content":"   "}`,
		"content too long":  `{"fields":{"name":"D","topic":"Sales"},"content":"` + strings.Repeat("x", 5001) + `"}`,
		"required missing":  `{"fields":{"name":"D"},"content":"hi"}`,
		"not an option":     `{"fields":{"name":"D","topic":"Other"},"content":"hi"}`,
		"bad e-mail":        `{"fields":{"name":"D","topic":"Sales"},"email":"dana@","content":"hi"}`,
		"bad phone":         `{"fields":{"name":"D","topic":"Sales","phone":"555"},"content":"hi"}`,
		"unknown field":     `{"fields":{"name":"D","topic":"Sales","age":"40"},"content":"hi"}`,
		"name twice":        `{"fields":{"name":"D","topic":"Sales"},"name":"E","content":"hi"}`,
		"missing template":  `{"template_id":5,"content":"hi"}`,
		"missing session":   `{"fields":{"name":"D","topic":"Sales"},"session_id":9,"content":"hi"}`,
		"missing queue":     `{"fields":{"name":"D","topic":"Sales"},"queue_id":9,"content":"hi"}`,
		"unknown member":    `{"fields":{"name":"D","topic":"Sales"},"content":"hi","status":"processed"}`,
		"wrong type":        `{"fields":{"name":1},"content":"hi"}`,
		"negative template": `{"template_id":-1,"content":"hi"}`,
		"content twice":     `{"fields":{"name":"D","topic":"Sales","content":"one"},"content":"two"}`,
		"content blank":     `{"fields":{"name":"D","topic":"Sales","content":" "}}`,
	} {
		if r := s.do("integration", "POST", "/api/v1/offline-messages", body); r.Status != 400 || r.errCode(t) != sb.EINVALID {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	// The message may come as the form's content field.
	if m := s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"D","topic":"Sales","content":" As a field "}}`, 201).json(t); m["content"] != "As a field" || m["fields"].(map[string]any)["content"] != nil {
		t.Errorf("content from fields: %v", m)
	}
	// A session's queue is taken over.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	m = s.mustDo("agent", "POST", "/api/v1/offline-messages", `{"fields":{"name":"D","topic":"Sales"},"session_id":1,"content":"hi"}`, 201).json(t)
	if m["session_id"] != 1.0 || m["queue_id"] != 1.0 {
		t.Errorf("from a session: %v", m)
	}
	if n := len(s.mustDo("agent", "GET", "/api/v1/offline-messages", "", 200).json(t)["items"].([]any)); n != 3 {
		t.Errorf("%d messages stored, want 3 (refusals store nothing)", n)
	}
}

// Without templates, messages answer the built-in form: a name and an
// e-mail address are required.
func TestOfflineMessageWithoutTemplates(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"content":"hi","name":"Dana","fields":{"x":"y"}}`, 400)
	s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"content":"hi","name":"Dana"}`, 400)
	m := s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"Dana","email":"dana@example.com","content":"hi"},
		"phone":"+1 (222) 333 4444"}`, 201).json(t)
	if m["template_id"] != nil || m["phone"] != "+12223334444" || m["name"] != "Dana" || m["content"] != "hi" || m["fields"] != nil {
		t.Errorf("without a template: %v", m)
	}
}

func TestOfflineMessageListsAndCounts(t *testing.T) {
	s := offlineStack(t)
	for i, c := range []string{"where is my parcel", "refund please", "invoice copy", "REFUND again", "call me"} {
		s.mustDo("integration", "POST", "/api/v1/offline-messages",
			fmt.Sprintf(`{"fields":{"name":"Visitor %d","topic":"Sales"},"content":%q}`, i+1, c), 201)
	}
	s.mustDo("agent", "POST", "/api/v1/offline-messages/2/assign-to-me", "", 200)
	s.mustDo("agent", "PATCH", "/api/v1/offline-messages/2", `{"status":"processing"}`, 200)
	s.mustDo("alex", "POST", "/api/v1/offline-messages/4/assign-to-me", "", 200)
	s.mustDo("supervisor", "PATCH", "/api/v1/offline-messages/5", `{"assignee_id":1,"status":"processing"}`, 200)
	s.mustDo("agent", "PATCH", "/api/v1/offline-messages/5", `{"status":"processed"}`, 200)

	ids := func(as, query string) []int {
		t.Helper()
		out := []int{}
		for _, m := range s.mustDo(as, "GET", "/api/v1/offline-messages"+query, "", 200).json(t)["items"].([]any) {
			out = append(out, int(m.(map[string]any)["id"].(float64)))
		}
		return out
	}
	for query, want := range map[string][]int{
		"":                                []int{5, 4, 3, 2, 1},
		"?status=unprocessed":             {4, 3, 1},
		"?status=processing":              {2},
		"?assignee=me":                    {5, 2},
		"?assignee=none":                  {3, 1},
		"?assignee=2":                     {4},
		"?q=refund":                       {4, 2},
		"?q=visitor%205":                  {5},
		"?assignee=me&status=processed":   {5},
		"?before_id=3":                    {2, 1},
		"?limit=2":                        {5, 4},
		"?q=refund&assignee=none":         {},
		"?status=unprocessed&before_id=4": {3, 1},
	} {
		if got := ids("agent", query); !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s: %v, want %v", query, got, want)
		}
	}
	if next := s.mustDo("agent", "GET", "/api/v1/offline-messages?limit=2", "", 200).json(t)["next_before_id"]; next != 4.0 {
		t.Errorf("next_before_id %v", next)
	}
	if next := s.mustDo("agent", "GET", "/api/v1/offline-messages?limit=10", "", 200).json(t)["next_before_id"]; next != nil {
		t.Errorf("next_before_id on the last page: %v", next)
	}
	for _, bad := range []string{"?status=done", "?assignee=someone", "?assignee=0", "?limit=0", "?before_id=-1", "?q=" + strings.Repeat("q", 201)} {
		s.mustDo("agent", "GET", "/api/v1/offline-messages"+bad, "", 400)
	}
	s.mustDo("supervisor", "GET", "/api/v1/offline-messages?assignee=me", "", 400)

	counts := s.mustDo("agent", "GET", "/api/v1/offline-messages/counts", "", 200).json(t)
	want := map[string]any{"all": 5.0, "unprocessed": 3.0, "processing": 1.0, "processed": 1.0, "unassigned": 2.0, "mine": 2.0}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if mine := s.mustDo("alex", "GET", "/api/v1/offline-messages/counts", "", 200).json(t)["mine"]; mine != 1.0 {
		t.Errorf("alex's count %v", mine)
	}
	if mine := s.mustDo("supervisor", "GET", "/api/v1/offline-messages/counts", "", 200).json(t)["mine"]; mine != 0.0 {
		t.Errorf("a supervisor's count %v", mine)
	}
}

func TestOfflineMessageChanges(t *testing.T) {
	s := offlineStack(t)
	s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"Dana","topic":"Sales"},"content":"hi"}`, 201)
	read := func() map[string]any { return s.mustDo("agent", "GET", "/api/v1/offline-messages/1", "", 200).json(t) }
	before := read()
	refused := func(as, method, path, body string, status int, code string) {
		t.Helper()
		r := s.do(as, method, path, body)
		if r.Status != status || r.errCode(t) != code {
			t.Errorf("%s %s %s by %s: %d %s, want %d %s", method, path, body, as, r.Status, r.Body, status, code)
		}
		if got := read(); !reflect.DeepEqual(got, before) {
			t.Errorf("a refused change was stored: %v", got)
		}
	}
	// An agent changes nothing before taking the message, and assigns only to itself.
	refused("agent", "PATCH", "/api/v1/offline-messages/1", `{"status":"processing"}`, 403, sb.EFORBIDDEN)
	refused("agent", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":2}`, 403, sb.EFORBIDDEN)
	refused("agent", "PATCH", "/api/v1/offline-messages/1", `{"note":"mine"}`, 403, sb.EFORBIDDEN)
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":9}`, 400, sb.EINVALID)
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{"status":"processed"}`, 409, sb.ECONFLICT) // skips a step
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{"status":"closed"}`, 400, sb.EINVALID)
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{}`, 400, sb.EINVALID)
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{"note":"`+strings.Repeat("n", 2001)+`"}`, 400, sb.EINVALID)
	refused("admin", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":-1}`, 400, sb.EINVALID)
	refused("admin", "POST", "/api/v1/offline-messages/1/assign-to-me", "", 403, sb.EFORBIDDEN) // no agent
	refused("supervisor", "POST", "/api/v1/offline-messages/1/assign-to-me", "", 403, sb.EFORBIDDEN)
	refused("admin", "PATCH", "/api/v1/offline-messages/7", `{"note":"x"}`, 404, sb.ENOTFOUND)

	s.clock.Advance(time.Minute)
	m := s.mustDo("agent", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":1,"status":"processing","note":"calling back"}`, 200).json(t)
	if m["assignee_id"] != 1.0 || m["status"] != "processing" || m["note"] != "calling back" || m["updated_at"] != "2026-11-23T09:01:00Z" {
		t.Errorf("after taking it: %v", m)
	}
	before = read()
	refused("alex", "POST", "/api/v1/offline-messages/1/assign-to-me", "", 403, sb.EFORBIDDEN)
	refused("alex", "PATCH", "/api/v1/offline-messages/1", `{"status":"processed"}`, 403, sb.EFORBIDDEN)

	s.clock.Advance(time.Minute)
	m = s.mustDo("agent", "PATCH", "/api/v1/offline-messages/1", `{"status":"processed"}`, 200).json(t)
	if m["processed_at"] != "2026-11-23T09:02:00Z" {
		t.Errorf("processed_at %v", m["processed_at"])
	}
	// The same values again change nothing, not even updated_at.
	s.clock.Advance(time.Minute)
	if m2 := s.mustDo("agent", "PATCH", "/api/v1/offline-messages/1", `{"status":"processed","note":"calling back"}`, 200).json(t); !reflect.DeepEqual(m2, m) {
		t.Errorf("a no-op change: %v", m2)
	}
	m = s.mustDo("agent", "PATCH", "/api/v1/offline-messages/1", `{"status":"processing"}`, 200).json(t)
	if _, ok := m["processed_at"]; ok || m["updated_at"] != "2026-11-23T09:03:00Z" {
		t.Errorf("back to processing: %v", m)
	}
	// The agent hands it back; then a supervisor gives it to another agent.
	m = s.mustDo("agent", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":0}`, 200).json(t)
	if _, ok := m["assignee_id"]; ok {
		t.Errorf("not unassigned: %v", m)
	}
	s.mustDo("supervisor", "PATCH", "/api/v1/offline-messages/1", `{"assignee_id":2,"status":"unprocessed"}`, 200)
	if m := read(); m["assignee_id"] != 2.0 || m["status"] != "unprocessed" {
		t.Errorf("after the supervisor: %v", m)
	}
	s.mustDo("alex", "POST", "/api/v1/offline-messages/1/assign-to-me", "", 200) // already its own
}

func TestOfflineMessageRoles(t *testing.T) {
	s := offlineStack(t)
	s.mustDo("", "POST", "/api/v1/offline-messages", `{"content":"hi"}`, 401)
	s.mustDo("", "GET", "/api/v1/leave-message-templates", "", 401)
	s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"D","topic":"Sales"},"content":"hi"}`, 201)
	s.mustDo("integration", "PATCH", "/api/v1/offline-messages/1", `{"note":"synced to the CRM"}`, 200)
	s.mustDo("integration", "POST", "/api/v1/offline-messages/1/assign-to-me", "", 403)
}

// Two agents taking the same message at once: exactly one gets it.
func TestOfflineAssignToMeRace(t *testing.T) {
	s := offlineStack(t)
	for i := range 20 {
		s.mustDo("integration", "POST", "/api/v1/offline-messages", `{"fields":{"name":"D","topic":"Sales"},"content":"hi"}`, 201)
		path := fmt.Sprintf("/api/v1/offline-messages/%d/assign-to-me", i+1)
		statuses := make(chan int, 2)
		for _, as := range []string{"agent", "alex"} {
			go func() { statuses <- s.doAsync(as, "POST", path) }()
		}
		a, b := <-statuses, <-statuses
		if a+b != 200+403 {
			t.Fatalf("message %d: statuses %d and %d, want one 200 and one 403", i+1, a, b)
		}
	}
}

// doAsync sends a request without a body from any goroutine and returns
// the status (0 when the request failed).
func (s *stack) doAsync(as, method, path string) int {
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+s.tokens[as])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
