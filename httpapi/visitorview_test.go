package httpapi_test

import (
	"strconv"
	"strings"
	"testing"
)

func TestVisitorsSeeOnlyTheirSideOfTheChat(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	s.tokens["ana"], _ = s.visitor(key, `{"name":"Ana"}`)
	id := strconv.Itoa(int(s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201).json(t)["session"].(map[string]any)["id"].(float64)))
	s.mustDo("ana", "POST", "/api/v1/sessions/"+id+"/message", `{"text":"Hello"}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/connect", ``, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/events", `{"type":"customer_note","data":{"text":"angry customer"}}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/message", `{"text":"Hi Ana"}`, 200)

	staff := s.mustDo("supervisor", "GET", "/api/v1/sessions/"+id+"/events", "", 200).json(t)["events"].([]any)
	seen := s.mustDo("ana", "GET", "/api/v1/sessions/"+id+"/events", "", 200)
	var types []string
	for _, e := range seen.json(t)["events"].([]any) {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	if got := strings.Join(types, " "); got != "queued message_sent assigned connected message_sent" {
		t.Fatalf("the visitor sees %q of %d events", got, len(staff))
	}
	body := string(seen.Body)
	for _, secret := range []string{"angry customer", "noam@example.com", "candidates", "session_created", `"rule"`} {
		if strings.Contains(body, secret) {
			t.Errorf("the visitor's events show %q: %s", secret, body)
		}
	}
	if !strings.Contains(body, `"agent":{"name":"Noam B"}`) {
		t.Errorf("the assignment does not name the agent: %s", body)
	}
	sess := s.mustDo("ana", "GET", "/api/v1/sessions/"+id, "", 200).json(t)
	if sess["agent"].(map[string]any)["name"] != "Noam B" || sess["end_user"] != nil || sess["handles"] != nil {
		t.Errorf("the visitor's session view %v", sess)
	}
}
