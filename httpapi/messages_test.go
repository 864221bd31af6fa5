package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

func TestChatMessagesAndRecall(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	// The visitor writes while waiting (relayed by the integration).
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"Hello? <b>anyone</b>","client_id":"w-1"}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.clock.Advance(5 * time.Second)
	r := s.mustDo("agent", "POST", "/api/v1/sessions/1/message", `{"text":"Hi, I am Noam. How can I help?"}`, 200)
	ev := r.json(t)["events"].([]any)[0].(map[string]any)["data"].(map[string]any)
	if ev["from"] != "agent" || ev["agent_id"] != float64(1) || ev["id"] != float64(2) {
		t.Errorf("agent message %v", ev)
	}
	s.clock.Advance(10 * time.Second)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/message", `{"text":"Wrong answer"}`, 200)
	s.clock.Advance(30 * time.Second)
	// Another agent or the visitor cannot recall it; the sender can, within a minute.
	s.mustDo("integration", "POST", "/api/v1/sessions/1/recall", `{"message_id":3,"from":"end_user"}`, 403)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/recall", `{"message_id":3}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/recall", `{"message_id":3}`, 409)
	s.clock.Advance(2 * time.Minute)
	r = s.mustDo("agent", "POST", "/api/v1/sessions/1/recall", `{"message_id":2}`, 409)
	if !strings.Contains(string(r.Body), "within a minute") {
		t.Errorf("late recall: %s", r.Body)
	}
	sess := s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t)["messages"].(map[string]any)
	if sess["count"] != float64(3) || sess["recalled"] != float64(1) || sess["agent"] != float64(1) || sess["end_user"] != float64(1) {
		t.Errorf("message stats %v", sess)
	}
	tr := s.mustDo("supervisor", "GET", "/api/v1/sessions/1/messages", "", 200).json(t)["messages"].([]any)
	if len(tr) != 3 || tr[0].(map[string]any)["text"] != "Hello? <b>anyone</b>" || tr[2].(map[string]any)["recalled"] != true {
		t.Errorf("transcript %v", tr)
	}

	for _, c := range []struct {
		as, path, body string
		status         int
	}{
		{"agent", "/api/v1/sessions/1/message", `{"from":"end_user","text":"I am the customer"}`, 403},
		{"integration", "/api/v1/sessions/1/message", `{"text":"who am I"}`, 400},
		{"integration", "/api/v1/sessions/1/message", `{"from":"agent","text":"pretending"}`, 403},
		{"integration", "/api/v1/sessions/1/message", `{"from":"end_user","text":""}`, 400},
		{"integration", "/api/v1/sessions/1/message", `{"from":"end_user","text":"` + strings.Repeat("é", 5001) + `"}`, 400},
		{"supervisor", "/api/v1/sessions/1/message", `{"from":"end_user","text":"x"}`, 403},
	} {
		if r := s.do(c.as, "POST", c.path, c.body); r.Status != c.status {
			t.Errorf("%s %s: %d, want %d: %s", c.as, c.body[:min(len(c.body), 40)], r.Status, c.status, r.Body)
		}
	}
	// Voice sessions have no chat messages; ended sessions take none.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"voice_inbound"}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions/2/message", `{"from":"end_user","text":"hi"}`, 409)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"still there?"}`, 409)
}
