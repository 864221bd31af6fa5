package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

func sessionIDs(t *testing.T, r response) string {
	t.Helper()
	var ids []int
	for _, s := range r.json(t)["sessions"].([]any) {
		ids = append(ids, int(s.(map[string]any)["id"].(float64)))
	}
	return fmt.Sprint(ids)
}

func TestHistorySearch(t *testing.T) {
	s := newStack(t)
	// 1: Noam answers a question about a parcel and ends the chat.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"Where is my parcel?"}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	// 2: a day later, a mini-program chat about a refund, still waiting.
	s.clock.Advance(24 * time.Hour)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_mini_program","queue_id":1}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions/2/message", `{"from":"end_user","text":"I want a refund"}`, 200)

	for q, want := range map[string]string{
		"":                                 "[2 1]",
		"?q=PARCEL":                        "[1]",
		"?q=refund&channel=mini_program":   "[2]",
		"?ended=true":                      "[1]",
		"?handled_by=1":                    "[1]",
		"?from=2026-11-24T00:00:00Z":       "[2]",
		"?to=2026-11-24T00:00:00Z":         "[1]",
		"?q=nothing+like+this":             "[]",
		"?channel=web&q=parcel&ended=true": "[1]",
	} {
		if got := sessionIDs(t, s.mustDo("supervisor", "GET", "/api/v1/sessions"+q, "", 200)); got != want {
			t.Errorf("%q: %s, want %s", q, got, want)
		}
	}
	if got := sessionIDs(t, s.mustDo("agent", "GET", "/api/v1/sessions?mine=true", "", 200)); got != "[1]" {
		t.Errorf("mine: %s", got)
	}
	for _, q := range []string{"?from=yesterday", "?from=2026-11-25T00:00:00Z&to=2026-11-24T00:00:00Z",
		"?channel=fax", "?ended=maybe", "?handled_by=-1", "?tag_id=x"} {
		if r := s.do("supervisor", "GET", "/api/v1/sessions"+q, ""); r.Status != 400 || r.errCode(t) != "invalid" {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	if r := s.do("supervisor", "GET", "/api/v1/sessions?mine=true", ""); r.Status != 400 {
		t.Errorf("mine for a supervisor: %d", r.Status)
	}
}

func TestInviteRatingAndRateThroughTheAPI(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	r := s.mustDo("agent", "POST", "/api/v1/sessions/1/invite-rating", `{}`, 200)
	ev := r.json(t)["events"].([]any)[0].(map[string]any)
	if ev["type"] != "rating_invited" || ev["data"].(map[string]any)["by"] != "agent" || ev["data"].(map[string]any)["agent_id"] != float64(1) {
		t.Fatalf("invitation event %v", ev)
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/invite-rating", `{"by":"system"}`, 400) // who invites is not the caller's to say
	s.mustDo("agent", "POST", "/api/v1/sessions/1/rate", `{"rating":5}`, 403)
	r = s.mustDo("integration", "POST", "/api/v1/sessions/1/rate", `{"rating":4,"tags":["Quick"],"solved":true}`, 200)
	data := r.json(t)["events"].([]any)[0].(map[string]any)["data"].(map[string]any)
	if data["counted"] != true || fmt.Sprint(data["agent_ids"]) != "[1]" {
		t.Fatalf("rated %v", data)
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/invite-rating", `{}`, 409)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/update-profile", `{"name":"Lucie","fields":{"order":"A-1"}}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/update-profile", `{}`, 400)
	u := s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t)["end_user"].(map[string]any)
	if u["name"] != "Lucie" || u["profile"].(map[string]any)["order"] != "A-1" {
		t.Fatalf("end user %v", u)
	}
}
