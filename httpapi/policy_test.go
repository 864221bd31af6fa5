package httpapi_test

import (
	"context"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// Agents act on the sessions they handle, and pick up waiting sessions
// only for themselves; everything else is refused and changes nothing.
func TestAgentsActOnlyOnTheirSessions(t *testing.T) {
	s := newStack(t)
	_, secret, err := httpapi.CreateToken(context.Background(), s.db, s.clock, "Alex", sb.RoleAgent, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["alex"] = secret // agent 2; "agent" is agent 1 (Noam)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)

	refused := func(as, path, body string) {
		t.Helper()
		before := s.eventCount()
		r := s.do(as, "POST", path, body)
		if r.Status != 403 || r.errCode(t) != "forbidden" {
			t.Errorf("%s %s: %d %s, want 403", as, path, r.Status, r.Body)
		}
		if s.eventCount() != before {
			t.Errorf("%s %s: a refused command appended events", as, path)
		}
	}
	refused("alex", "/api/v1/sessions/1/assign", `{"agent_id":1}`)                // not for someone else
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200) // for itself
	refused("alex", "/api/v1/sessions/1/connect", ``)                             // Noam's session
	refused("alex", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	refused("agent", "/api/v1/sessions/1/rate", `{"rating":5}`) // ratings are the end user's
	// A transfer that needs confirmation: the receiver accepts it.
	s.mustDo("agent", "POST", "/api/v1/sessions/1/transfer", `{"kind":"agent","agent_id":2,"confirm":true}`, 200)
	s.mustDo("alex", "POST", "/api/v1/sessions/1/transfer-complete", ``, 200)
	refused("agent", "/api/v1/sessions/1/hold", ``) // Noam handed it over
	s.mustDo("alex", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	refused("agent", "/api/v1/sessions/1/wrap-up", `{"code":"resolved"}`)
	s.mustDo("alex", "POST", "/api/v1/sessions/1/wrap-up", `{"code":"resolved"}`, 200)
	// Supervisors and integrations act on every session.
	s.mustDo("supervisor", "POST", "/api/v1/sessions/1/events", `{"type":"customer_note","data":{"text":"thanks"}}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/rate", `{"rating":5,"comment":"Great job"}`, 200)
}
