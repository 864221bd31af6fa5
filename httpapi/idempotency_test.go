package httpapi_test

import (
	"strings"
	"testing"
)

// A command sent again with its Idempotency-Key gets the first answer,
// says so, and runs once; another request with the key is refused; keys
// are the caller's own; the WebSocket takes the same key.
func TestIdempotencyKeys(t *testing.T) {
	s := newStack(t)
	create := `{"type":"chat_web","queue_id":1,"end_user":{"name":"李雷"}}`
	first := s.do("integration", "POST", "/api/v1/sessions", create, "Idempotency-Key", "k-1")
	if first.Status != 201 || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first create: %d %s", first.Status, first.Body)
	}
	again := s.do("integration", "POST", "/api/v1/sessions", create, "Idempotency-Key", "k-1")
	if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(first.Body) ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("the same create again: %d %q\n%s\nwant\n%s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
	}
	if n := len(s.do("admin", "GET", "/api/v1/sessions", "").json(t)["sessions"].([]any)); n != 1 {
		t.Fatalf("%d sessions after a create sent twice, want 1", n)
	}
	// Another request under the key: refused, nothing created.
	r := s.do("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, "Idempotency-Key", "k-1")
	if r.Status != 409 || r.errCode(t) != "conflict" {
		t.Errorf("another request with the key: %d %s", r.Status, r.Body)
	}
	// Another caller's key of the same name is its own.
	if r := s.do("admin", "POST", "/api/v1/sessions", create, "Idempotency-Key", "k-1"); r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("the admin's k-1: %d %q", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
	for _, bad := range []string{"has space", strings.Repeat("k", 256)} {
		if r := s.do("integration", "POST", "/api/v1/sessions", create, "Idempotency-Key", bad); r.Status != 400 || r.errCode(t) != "invalid" {
			t.Errorf("key %q: %d %s", bad[:min(len(bad), 9)], r.Status, r.Body)
		}
	}

	// A session command, over REST then over the WebSocket with the same key.
	before := s.eventCount()
	assign := s.do("integration", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, "Idempotency-Key", "a-1")
	if assign.Status != 200 {
		t.Fatalf("assign: %d %s", assign.Status, assign.Body)
	}
	added := s.eventCount() - before
	if r := s.do("integration", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, "Idempotency-Key", "a-1"); r.Status != 200 ||
		r.Header.Get("Idempotent-Replayed") != "true" || string(r.Body) != string(assign.Body) {
		t.Errorf("assign again: %d %s", r.Status, r.Body)
	}
	ws := s.dialWS("integration")
	ws.send(`{"op":"command","ref":"r1","session_id":1,"command":"assign","body":{"agent_id":1},"idempotency_key":"a-1"}`)
	m := ws.expect("result")
	if m["replayed"] != true || m["ref"] != "r1" {
		t.Errorf("the key over the WebSocket: %v", m)
	}
	if got := s.eventCount() - before; got != added {
		t.Errorf("the assign sent three times appended %d events, want %d", got, added)
	}
}
