package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A rating's tags must be tags the CSAT settings offer for its score,
// whichever way the rating comes: the visitor's widget, the API or the
// WebSocket. A refusal names the tag and the score, and records nothing.
func TestRatingTagsMustBelongToTheChosenScore(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	s.tokens["ana"], _ = s.visitor(key, `{"name":"Ana"}`)
	s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)

	refused := func(r response, want ...string) {
		t.Helper()
		if r.Status != 400 || r.errCode(t) != "invalid" {
			t.Fatalf("%d %s, want 400 invalid", r.Status, r.Body)
		}
		msg := r.json(t)["error"].(map[string]any)["message"].(string)
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q does not say %q", msg, w)
			}
		}
	}
	// The visitor's widget: a five-star tag on a one-star rating.
	refused(s.do("ana", "POST", "/api/v1/sessions/1/rate", `{"rating":1,"tags":["Friendly"]}`),
		`"Friendly" is a tag of 4, 5-star ratings, not of a 1-star rating`, `the 1-star tags are "Slow reply", "Not helpful"`)
	// The API: a tag no score offers.
	refused(s.do("integration", "POST", "/api/v1/sessions/1/rate", `{"rating":2,"tags":["Great"]}`),
		`"Great" is not a tag of any score in the satisfaction settings`)
	// The WebSocket.
	ws := s.dialWS("ana")
	ws.send(`{"op":"command","ref":"r","session_id":1,"command":"rate","body":{"rating":5,"tags":["Quick","Slow reply"]}}`)
	m := ws.next()
	if code := ws.errCode(m); code != "invalid" || !strings.Contains(m["error"].(map[string]any)["message"].(string), `"Slow reply" is a tag of 1, 2-star ratings, not of a 5-star rating`) {
		t.Errorf("over the WebSocket: %v", m)
	}
	if sess := s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t); sess["rating"] != nil || sess["ratings"] != nil {
		t.Fatalf("a refused rating was recorded: %v %v", sess["rating"], sess["ratings"])
	}

	// The settings decide: a tag the administrator gives three stars is
	// accepted for three stars.
	var csat map[string]any
	if err := json.Unmarshal(s.mustDo("admin", "GET", "/api/v1/settings/csat", "", 200).Body, &csat); err != nil {
		t.Fatal(err)
	}
	csat["scores"].([]any)[2].(map[string]any)["tags"] = []string{"Fine"}
	delete(csat, "updated_at")
	body, _ := json.Marshal(csat)
	s.mustDo("admin", "PUT", "/api/v1/settings/csat", string(body), 200)
	s.mustDo("ana", "POST", "/api/v1/sessions/1/rate", `{"rating":3,"tags":["Fine"]}`, 200)
	sess := s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t)
	if tags, _ := json.Marshal(sess["rating_tags"]); sess["rating"] != float64(3) || string(tags) != `["Fine"]` {
		t.Fatalf("rated %v with %s", sess["rating"], tags)
	}
}
