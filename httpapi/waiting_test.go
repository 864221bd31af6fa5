package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// setSettings changes some of the chat or CSAT settings ("chat", "csat"),
// as an administrator does: the current document with the changes.
func (s *stack) setSettings(kind string, changes map[string]any) {
	s.t.Helper()
	doc := s.mustDo("admin", "GET", "/api/v1/settings/"+kind, "", 200).json(s.t)
	delete(doc, "updated_at")
	for k, v := range changes {
		doc[k] = v
	}
	body, err := json.Marshal(doc)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mustDo("admin", "PUT", "/api/v1/settings/"+kind, string(body), 200)
}

// agentToken gives agent id a token under name.
func (s *stack) agentToken(name string, id int64) {
	s.t.Helper()
	_, secret, err := httpapi.CreateToken(context.Background(), s.db, s.clock, name, sb.RoleAgent, id, "")
	if err != nil {
		s.t.Fatal(err)
	}
	s.tokens[name] = secret
}

// subscribeAs opens an event stream as a caller; a refused stream answers
// its JSON error instead.
func (s *stack) subscribeAs(as, path string) (*sseConn, response) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[as])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if res.Header.Get("Content-Type") != "text/event-stream" {
		defer cancel()
		defer res.Body.Close()
		var b strings.Builder
		_, _ = bufio.NewReader(res.Body).WriteTo(&b)
		return nil, response{Status: res.StatusCode, Header: res.Header, Body: []byte(b.String())}
	}
	c := &sseConn{t: s.t, res: res, rd: bufio.NewReader(res.Body), cancel: cancel}
	s.t.Cleanup(c.close)
	return c, response{Status: res.StatusCode, Header: res.Header}
}

// eventsOfSession lists the events of session id in a page of events.
func eventsOfSession(t *testing.T, r response, id float64) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range r.json(t)["events"].([]any) {
		if e := e.(map[string]any); e["session_id"] == id {
			out = append(out, e)
		}
	}
	return out
}

// With agents_may_view_waiting off, an agent learns that a chat waits,
// where and since when, and nothing more until it accepts the chat —
// whichever way it reads: the session, the list, a search, its messages,
// events, streams, attachments, metadata and report facts. Supervisors
// read everything; with the setting on, so do agents.
func TestAgentsMayNotReadWaitingSessions(t *testing.T) {
	s := newStack(t)
	s.setSettings("chat", map[string]any{"agents_may_view_waiting": false})
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1,
		"end_user":{"name":"Mia","email":"mia@example.com","identifier":"v-mia"}}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"My card ends in 4242"}`, 200)

	got := s.mustDo("agent", "GET", "/api/v1/sessions/1", "", 200).json(t)
	if got["details_hidden"] != true || got["status"] != "queued" || got["display_name"] != "Mia 20261123" ||
		got["queue"].(map[string]any)["name"] != "Support" {
		t.Errorf("waiting session as an agent reads it = %v", got)
	}
	for _, key := range []string{"end_user", "messages", "participants", "queue_waits", "uuid"} {
		if _, ok := got[key]; ok {
			t.Errorf("a waiting session shows an agent its %s: %v", key, got[key])
		}
	}
	list := s.mustDo("agent", "GET", "/api/v1/sessions?status=queued", "", 200).json(t)["sessions"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["details_hidden"] != true || list[0].(map[string]any)["end_user"] != nil {
		t.Errorf("queue list = %v", list)
	}
	if ids := sessionIDs(t, s.mustDo("agent", "GET", "/api/v1/sessions?q=4242", "", 200)); ids != "[]" {
		t.Errorf("a search of the messages finds the waiting chat for an agent: %s", ids)
	}
	if ids := sessionIDs(t, s.mustDo("supervisor", "GET", "/api/v1/sessions?q=4242", "", 200)); ids != "[1]" {
		t.Errorf("a supervisor's search = %s", ids)
	}
	for _, path := range []string{"/messages", "/events", "/metadata", "/report-facts", "/attachments"} {
		before := s.eventCount()
		if r := s.do("agent", "GET", "/api/v1/sessions/1"+path, ""); r.Status != 403 || r.errCode(t) != "forbidden" {
			t.Errorf("GET %s of a waiting session as an agent: %d %s", path, r.Status, r.Body)
		}
		if s.eventCount() != before {
			t.Errorf("GET %s appended events", path)
		}
	}
	if _, r := s.subscribeAs("agent", "/api/v1/sessions/1/events/stream"); r.Status != 403 {
		t.Errorf("event stream of a waiting session for an agent: %d %s", r.Status, r.Body)
	}
	// The events of every session carry the waiting chat's turns, their
	// status only, and not its messages.
	evs := eventsOfSession(t, s.mustDo("agent", "GET", "/api/v1/events", "", 200), 1)
	if len(evs) != 2 || evs[0]["type"] != "session_created" || evs[1]["type"] != "queued" {
		t.Fatalf("events of the waiting chat an agent reads = %v", evs)
	}
	for _, e := range evs {
		if d := e["data"].(map[string]any); len(d) != 1 || d["status"] == nil || e["actor"].(map[string]any)["name"] != nil {
			t.Errorf("%s event as an agent reads it = %v", e["type"], e)
		}
	}
	if sup := eventsOfSession(t, s.mustDo("supervisor", "GET", "/api/v1/events", "", 200), 1); len(sup) != 3 {
		t.Errorf("a supervisor reads %d events of the chat, want 3", len(sup))
	}
	s.mustDo("supervisor", "GET", "/api/v1/sessions/1/messages", "", 200)

	// Accepting the chat opens it, waiting-time messages included.
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	msgs := s.mustDo("agent", "GET", "/api/v1/sessions/1/messages", "", 200).json(t)["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["text"] != "My card ends in 4242" {
		t.Errorf("messages once accepted = %v", msgs)
	}
	if got := s.mustDo("agent", "GET", "/api/v1/sessions/1", "", 200).json(t); got["details_hidden"] != nil || got["end_user"] == nil {
		t.Errorf("the accepted session = %v", got)
	}

	// With the setting on, agents read waiting chats.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("agent", "GET", "/api/v1/sessions/2/messages", "", 403)
	s.setSettings("chat", map[string]any{"agents_may_view_waiting": true})
	s.mustDo("agent", "GET", "/api/v1/sessions/2/messages", "", 200)
	if got := s.mustDo("agent", "GET", "/api/v1/sessions/2", "", 200).json(t); got["details_hidden"] != nil || got["end_user"] == nil {
		t.Errorf("waiting session with the setting on = %v", got)
	}
}

// Live feeds follow the rule as the session moves: an agent's WebSocket
// refuses a waiting chat, sends every-session subscribers only its turns
// while it waits, and its full events once an agent has it; a chat the
// agent puts back in the queue goes quiet on the agent's subscription and
// stream until a colleague accepts it.
func TestAgentFeedsHideWaitingSessions(t *testing.T) {
	s := newStack(t)
	s.agentToken("alex", 2)
	s.setSettings("chat", map[string]any{"agents_may_view_waiting": false})
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201) // seq 1, 2

	ws := s.dialWS("agent")
	ws.send(`{"op":"subscribe","session_id":1}`)
	if code := ws.errCode(ws.expect("error")); code != "forbidden" {
		t.Fatalf("subscribe to a waiting chat: %s", code)
	}
	ws.send(`{"op":"subscribe_all"}`)
	ws.expect("subscribed")
	for _, want := range []string{"session_created", "queued"} {
		e := ws.expect("event")["event"].(map[string]any)
		if e["type"] != want || len(e["data"].(map[string]any)) != 1 {
			t.Fatalf("event %v, want %s with its status only", e, want)
		}
	}
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"hidden while waiting"}`, 200) // seq 3
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)                                           // seq 4
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"seen once assigned"}`, 200)   // seq 5
	if e := ws.expect("event")["event"].(map[string]any); e["type"] != "assigned" || e["data"].(map[string]any)["agent"] == nil {
		t.Fatalf("after a hidden message, the next event = %v, want the full assignment", e)
	}
	if e := ws.expect("event")["event"].(map[string]any); e["type"] != "message_sent" || e["data"].(map[string]any)["text"] != "seen once assigned" {
		t.Fatalf("message once assigned = %v", e)
	}

	// Noam follows his chat on a subscription and a stream, then puts it
	// back in the queue, where a supervisor moves it on (a status change
	// that comes through, after the hidden message: every feed has judged
	// the message once it has sent the move).
	s.mustDo("admin", "PUT", "/api/v1/agents/2", `{"name":"Alex B","email":"alex@example.com","groups":[1]}`, 200)
	ws.send(`{"op":"subscribe","session_id":1,"after_seq":5}`)
	ws.expect("subscribed")
	sse, _ := s.subscribeAs("agent", "/api/v1/sessions/1/events/stream?after_seq=5")
	s.mustDo("agent", "POST", "/api/v1/sessions/1/requeue", `{"queue_id":1}`, 200)                                  // seq 6
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"again hidden"}`, 200) // seq 7
	s.mustDo("supervisor", "POST", "/api/v1/sessions/1/transfer", `{"kind":"queue","queue_id":1}`, 200)             // seq 8
	statusOnly := func(where string, seq any, typ string, data map[string]any) {
		t.Helper()
		if seq == 7.0 || seq == int64(7) {
			t.Errorf("%s: the message sent while the chat waited came through", where)
		}
		if len(data) != 1 || data["status"] == nil {
			t.Errorf("%s: %s event of a chat Noam no longer has = %v", where, typ, data)
		}
	}
	for moved := 0; moved < 2; { // the move, on both subscriptions
		e := ws.expect("event")["event"].(map[string]any)
		statusOnly("WebSocket", e["seq"], e["type"].(string), e["data"].(map[string]any))
		if e["seq"] == 8.0 {
			moved++
		}
	}
	for ev := sse.next(); ; ev = sse.next() {
		statusOnly("stream", ev.ID, ev.Type, ev.Data["data"].(map[string]any))
		if ev.ID == 8 {
			break
		}
	}
	// Once Alex accepts it, the chat is no longer waiting: its events
	// come whole again.
	s.mustDo("alex", "POST", "/api/v1/sessions/1/assign", `{"agent_id":2}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"to Alex"}`, 200)
	toAlex := func(typ string, data map[string]any) bool { return typ == "message_sent" && data["text"] == "to Alex" }
	for seen := 0; seen < 2; {
		if e := ws.expect("event")["event"].(map[string]any); toAlex(e["type"].(string), e["data"].(map[string]any)) {
			seen++
		}
	}
	for ev := sse.next(); !toAlex(ev.Type, ev.Data["data"].(map[string]any)); ev = sse.next() {
	}
}
