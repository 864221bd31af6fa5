package httpapi_test

import (
	"fmt"
	"testing"
)

func TestSessionTags(t *testing.T) {
	s := newStack(t)
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"Billing","color":"#1d76db"}`, 201) // 1
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"Refund","parent_id":1}`, 201)      // 2
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"refund","parent_id":1}`, 409)      // sibling name
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"Refund"}`, 201)                    // 3: another parent
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"Orphan","parent_id":99}`, 400)
	s.mustDo("admin", "PUT", "/api/v1/session-tags/1", `{"name":"Billing","parent_id":2}`, 400) // a cycle
	if r := s.do("agent", "POST", "/api/v1/session-tags", `{"name":"Mine"}`); r.Status != 403 {
		t.Errorf("an agent created a session tag: %d", r.Status)
	}
	// Ten levels at most.
	parent := 2
	for depth := 3; depth <= 10; depth++ {
		r := s.mustDo("admin", "POST", "/api/v1/session-tags", fmt.Sprintf(`{"name":"L%d","parent_id":%d}`, depth, parent), 201)
		parent = int(r.json(t)["id"].(float64))
	}
	s.mustDo("admin", "POST", "/api/v1/session-tags", fmt.Sprintf(`{"name":"L11","parent_id":%d}`, parent), 400)
	// Thirty first-level tags at most (two exist).
	for i := 0; i < 28; i++ {
		s.mustDo("admin", "POST", "/api/v1/session-tags", fmt.Sprintf(`{"name":"Top %d"}`, i), 201)
	}
	s.mustDo("admin", "POST", "/api/v1/session-tags", `{"name":"One too many"}`, 409)
	list := s.mustDo("agent", "GET", "/api/v1/session-tags", "", 200).json(t)["items"].([]any)
	if list[0].(map[string]any)["name"] != "Billing" || list[1].(map[string]any)["name"] != "Refund" {
		t.Errorf("the tree is not listed parents first: %v, %v", list[0], list[1])
	}
	s.mustDo("admin", "DELETE", "/api/v1/session-tags/1", "", 409) // has children

	// Agents tag the sessions they handle, also after the end (wrap-up).
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	r := s.mustDo("agent", "POST", "/api/v1/sessions/1/tag", `{"add":[2,3]}`, 200)
	tags := r.json(t)["session"].(map[string]any)["tags"].([]any)
	if len(tags) != 2 || tags[0].(map[string]any)["name"] != "Refund" {
		t.Errorf("tags %v", tags)
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/tag", `{"add":[2]}`, 409) // already there
	s.mustDo("agent", "POST", "/api/v1/sessions/1/tag", `{"add":[77]}`, 400)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/tag", `{}`, 400)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	r = s.mustDo("agent", "POST", "/api/v1/sessions/1/tag", `{"remove":[3]}`, 200)
	if tags := r.json(t)["session"].(map[string]any)["tags"].([]any); len(tags) != 1 {
		t.Errorf("after the removal: %v", tags)
	}
}
