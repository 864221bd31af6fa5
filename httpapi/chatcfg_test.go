package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

func TestChatAndCSATSettings(t *testing.T) {
	s := newStack(t)
	for _, role := range []string{"agent", "supervisor", "integration", "admin"} {
		got := s.mustDo(role, "GET", "/api/v1/settings/chat", "", 200).json(t)
		if got["dispatcher_nickname"] != "Assistant" || got["max_upload_bytes"].(float64) != 10<<20 {
			t.Errorf("%s reads the chat settings as %v", role, got)
		}
		s.mustDo(role, "GET", "/api/v1/settings/csat", "", 200)
	}
	chat := s.mustDo("admin", "GET", "/api/v1/settings/chat", "", 200).json(t)
	chat["welcome"] = map[string]any{"enabled": true, "text": "Welcome to Acme!"}
	chat["hide_agent_status"] = true
	body, _ := json.Marshal(chat)
	s.mustDo("agent", "PUT", "/api/v1/settings/chat", string(body), 403)
	s.mustDo("supervisor", "PUT", "/api/v1/settings/chat", string(body), 403)
	got := s.mustDo("admin", "PUT", "/api/v1/settings/chat", string(body), 200).json(t)
	if got["welcome"].(map[string]any)["text"] != "Welcome to Acme!" || got["hide_agent_status"] != true {
		t.Errorf("saved %v", got)
	}
	if s.mustDo("agent", "GET", "/api/v1/settings/chat", "", 200).json(t)["hide_agent_status"] != true {
		t.Error("the change is not read back")
	}
	// Refusals change nothing.
	chat["dispatcher_nickname"] = ""
	body, _ = json.Marshal(chat)
	if code := s.mustDo("admin", "PUT", "/api/v1/settings/chat", string(body), 400).errCode(t); code != sb.EINVALID {
		t.Errorf("code %s", code)
	}
	s.mustDo("admin", "PUT", "/api/v1/settings/chat", `{"dispatcher_nickname":"X","colour":"red"}`, 400)
	if s.mustDo("agent", "GET", "/api/v1/settings/chat", "", 200).json(t)["dispatcher_nickname"] != "Assistant" {
		t.Error("a refused change was kept")
	}

	csat := s.mustDo("admin", "GET", "/api/v1/settings/csat", "", 200).json(t)
	csat["deadline_seconds"] = 3600
	csat["attribution"] = "last_agent"
	body, _ = json.Marshal(csat)
	s.mustDo("agent", "PUT", "/api/v1/settings/csat", string(body), 403)
	if got := s.mustDo("admin", "PUT", "/api/v1/settings/csat", string(body), 200).json(t); got["attribution"] != "last_agent" {
		t.Errorf("saved %v", got)
	}
	csat["scores"] = csat["scores"].([]any)[:4]
	body, _ = json.Marshal(csat)
	s.mustDo("admin", "PUT", "/api/v1/settings/csat", string(body), 400)
	if got := s.mustDo("agent", "GET", "/api/v1/settings/csat", "", 200).json(t); got["deadline_seconds"].(float64) != 3600 || len(got["scores"].([]any)) != 5 {
		t.Errorf("read back %v", got)
	}
}

func TestQuickRepliesPerCaller(t *testing.T) {
	s := newStack(t)
	_, secret, err := httpapi.CreateToken(context.Background(), s.db, s.clock, "Alex", sb.RoleAgent, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["alex"] = secret // agent 2; "agent" is agent 1
	id := func(r response) int64 { return int64(r.json(t)["id"].(float64)) }

	// Administrators manage the public set; agent_id is theirs to leave out.
	pubCat := id(s.mustDo("admin", "POST", "/api/v1/quick-reply-categories", `{"name":"Greetings","position":1}`, 201))
	s.mustDo("admin", "POST", "/api/v1/quick-reply-categories", `{"name":"Bad","agent_id":1}`, 201) // forced public
	s.mustDo("supervisor", "POST", "/api/v1/quick-reply-categories", `{"name":"Sup"}`, 403)
	s.mustDo("integration", "POST", "/api/v1/quick-replies", `{"shortcut":"x","content":"y"}`, 403)
	hello := s.mustDo("admin", "POST", "/api/v1/quick-replies", `{"shortcut":"hello","content":"Hello! How can I help?","category_id":1}`, 201).json(t)
	if hello["category_id"].(float64) != float64(pubCat) || hello["agent_id"] != nil {
		t.Errorf("public reply %v", hello)
	}
	// Agents write their personal set: agent_id is forced to theirs.
	mine := s.mustDo("agent", "POST", "/api/v1/quick-reply-categories", `{"name":"Mine","agent_id":2}`, 201).json(t)
	if mine["agent_id"].(float64) != 1 {
		t.Errorf("agent_id not forced: %v", mine)
	}
	bye := id(s.mustDo("agent", "POST", "/api/v1/quick-replies", `{"shortcut":"bye","content":"Goodbye!","category_id":3}`, 201))
	s.mustDo("agent", "POST", "/api/v1/quick-replies", `{"shortcut":"Hello","content":"Hi"}`, 409)             // public clash
	s.mustDo("agent", "POST", "/api/v1/quick-replies", `{"shortcut":"a b","content":"Hi"}`, 400)               // space
	s.mustDo("agent", "POST", "/api/v1/quick-replies", `{"shortcut":"hi","content":"x","category_id":1}`, 400) // public category
	s.mustDo("alex", "POST", "/api/v1/quick-replies", `{"shortcut":"bye","content":"See you"}`, 201)           // other agent's set

	// Nobody changes another set.
	s.mustDo("agent", "PUT", "/api/v1/quick-replies/1", `{"shortcut":"hello","content":"mine now"}`, 403)
	s.mustDo("alex", "PUT", "/api/v1/quick-replies/2", `{"shortcut":"bye","content":"stolen"}`, 403)
	s.mustDo("alex", "DELETE", "/api/v1/quick-replies/2", "", 403)
	s.mustDo("admin", "PUT", "/api/v1/quick-replies/2", `{"shortcut":"bye","content":"admin edit"}`, 403)
	s.mustDo("admin", "DELETE", "/api/v1/quick-reply-categories/3", "", 403)
	s.mustDo("agent", "DELETE", "/api/v1/quick-reply-categories/1", "", 403)
	s.mustDo("agent", "PUT", "/api/v1/quick-replies/99", `{"shortcut":"zz","content":"x"}`, 404)
	s.mustDo("agent", "PUT", "/api/v1/quick-replies/2", `{"id":3,"shortcut":"bye","content":"x"}`, 400)
	r := s.mustDo("agent", "PUT", "/api/v1/quick-replies/2", `{"shortcut":"bye","content":"Goodbye, and thanks!","category_id":3,"position":4}`, 200).json(t)
	if r["content"] != "Goodbye, and thanks!" || r["agent_id"].(float64) != 1 || int64(r["id"].(float64)) != bye {
		t.Errorf("changed %v", r)
	}

	list := func(as, query string) (cats, replies []any) {
		t.Helper()
		v := s.mustDo(as, "GET", "/api/v1/quick-replies"+query, "", 200).json(t)
		return v["categories"].([]any), v["replies"].([]any)
	}
	cats, replies := list("agent", "")
	if len(cats) != 3 || len(replies) != 2 || replies[0].(map[string]any)["shortcut"] != "hello" {
		t.Errorf("agent 1 sees %v / %v", cats, replies)
	}
	if _, replies := list("alex", ""); len(replies) != 2 || replies[1].(map[string]any)["content"] != "See you" {
		t.Errorf("agent 2 sees %v", replies)
	}
	if cats, replies := list("supervisor", ""); len(cats) != 2 || len(replies) != 1 {
		t.Errorf("a supervisor sees %d categories and %d replies, want the public 2 and 1", len(cats), len(replies))
	}
	if _, replies := list("admin", "?all=true"); len(replies) != 3 {
		t.Errorf("admin all: %d replies", len(replies))
	}
	if _, replies := list("admin", "?agent_id=2"); len(replies) != 2 {
		t.Errorf("admin agent 2: %d replies", len(replies))
	}
	s.mustDo("agent", "GET", "/api/v1/quick-replies?agent_id=2", "", 403)
	s.mustDo("agent", "GET", "/api/v1/quick-replies?all=true", "", 403)
	s.mustDo("agent", "GET", "/api/v1/quick-replies?all=maybe", "", 400)
	s.mustDo("agent", "GET", "/api/v1/quick-replies?agent_id=1", "", 200) // its own

	// A category with replies cannot be deleted.
	if code := s.mustDo("agent", "DELETE", "/api/v1/quick-reply-categories/3", "", 409).errCode(t); code != sb.ECONFLICT {
		t.Errorf("code %s", code)
	}
	s.mustDo("agent", "DELETE", "/api/v1/quick-replies/2", "", 204)
	s.mustDo("agent", "DELETE", "/api/v1/quick-reply-categories/3", "", 204)
	s.mustDo("agent", "DELETE", "/api/v1/quick-reply-categories/3", "", 404)
	if cats, replies := list("agent", ""); len(cats) != 2 || len(replies) != 1 {
		t.Errorf("after the deletions: %v / %v", cats, replies)
	}
}

func TestLeaveMessageTemplatesAPI(t *testing.T) {
	s := newStack(t)
	first := s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Contact us","intro":"We answer within a day.",
		"fields":[{"key":"name","label":"Your name","type":"text","required":true},
		{"key":"email","label":"E-mail","type":"email","required":true},
		{"key":"topic","label":"Topic","type":"select","options":["Sales","Billing"]}]}`, 201).json(t)
	if first["default"] != true || len(first["fields"].([]any)) != 3 {
		t.Errorf("first template %v", first)
	}
	s.mustDo("agent", "POST", "/api/v1/leave-message-templates", `{"name":"Mine"}`, 403)
	s.mustDo("supervisor", "PUT", "/api/v1/leave-message-templates/1", `{"name":"Renamed","default":true}`, 403)
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Bad","fields":[{"key":"Bad Key","label":"x","type":"text"}]}`, 400)
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Bad","fields":[{"key":"k","label":"x","type":"select"}]}`, 400)
	fields := make([]string, 21)
	for i := range fields {
		fields[i] = `{"key":"k` + strings.Repeat("x", i) + `","label":"x","type":"text"}`
	}
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Wide","fields":[`+strings.Join(fields, ",")+`]}`, 400)
	second := s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Sales","default":true}`, 201).json(t)
	if second["default"] != true {
		t.Errorf("second %v", second)
	}
	if got := s.mustDo("agent", "GET", "/api/v1/leave-message-templates/1", "", 200).json(t); got["default"] != false {
		t.Errorf("the old default was not cleared: %v", got)
	}
	s.mustDo("admin", "PUT", "/api/v1/leave-message-templates/2", `{"name":"Sales","default":false}`, 409)
	s.mustDo("admin", "DELETE", "/api/v1/leave-message-templates/2", "", 409)
	s.mustDo("admin", "PUT", "/api/v1/leave-message-templates/9", `{"name":"Nine"}`, 404)
	items := s.mustDo("integration", "GET", "/api/v1/leave-message-templates", "", 200).json(t)["items"].([]any)
	if len(items) != 2 {
		t.Errorf("%d templates", len(items))
	}
	s.mustDo("admin", "PUT", "/api/v1/leave-message-templates/1", `{"name":"Contact us","default":true}`, 200)
	s.mustDo("admin", "DELETE", "/api/v1/leave-message-templates/2", "", 204)
	s.mustDo("admin", "GET", "/api/v1/leave-message-templates/2", "", 404)
}
