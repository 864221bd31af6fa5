package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/report"
)

// displayName reads a session's display_name as a caller reads it.
func (s *stack) displayName(as string, id int) any {
	s.t.Helper()
	return s.mustDo(as, "GET", fmt.Sprintf("/api/v1/sessions/%d", id), "", 200).json(s.t)["display_name"]
}

// The server names the visitor of every session staff read: the nickname
// in the visitor_nickname format (region, network, date, all; what is not
// known left out), or the visitor's name in the chats agents handle when
// show_visitor_name is on. The list, the history search and WebSocket
// answers carry the same name.
func TestDisplayNameFollowsTheNicknameSettings(t *testing.T) {
	s := newStack(t)
	// 1: Nini, from Shanghai on China Mobile, handled by Noam.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1,
		"end_user":{"name":"Nini","identifier":"v-nini","region":"Shanghai Baoshan","network":"China Mobile"}}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"about my parcel"}`, 200)
	// 2: an anonymous visitor, nothing known of where it is, waiting.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1,"end_user":{"identifier":"v-7f3a9c21"}}`, 201)
	// 3: Omar, waiting; 4: a chat with no visitor identity at all, waiting.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1,"end_user":{"name":"Omar","region":"Lyon"}}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_mini_program","queue_id":1}`, 201)

	for _, c := range []struct {
		format string
		show   bool
		want   [4]string
	}{
		{"date", false, [4]string{"Nini 20261123", "Visitor 3a9c21 20261123", "Omar 20261123", "Visitor #4 20261123"}},
		{"region", false, [4]string{"Shanghai Baoshan Nini", "Visitor 3a9c21", "Lyon Omar", "Visitor #4"}},
		{"network", false, [4]string{"China Mobile Nini", "Visitor 3a9c21", "Omar", "Visitor #4"}},
		{"all", false, [4]string{"Shanghai Baoshan China Mobile Nini 20261123", "Visitor 3a9c21 20261123", "Lyon Omar 20261123", "Visitor #4 20261123"}},
		// The name shows in a chat an agent handles; waiting chats keep the nickname.
		{"all", true, [4]string{"Nini", "Visitor 3a9c21 20261123", "Lyon Omar 20261123", "Visitor #4 20261123"}},
	} {
		s.setSettings("chat", map[string]any{"visitor_nickname": c.format, "show_visitor_name": c.show})
		for i, want := range c.want {
			for _, as := range []string{"agent", "supervisor"} {
				if got := s.displayName(as, i+1); got != want {
					t.Errorf("%s, show_visitor_name %v: session %d as %s is %q, want %q", c.format, c.show, i+1, as, got, want)
				}
			}
		}
	}

	// The history search and the WebSocket answers name the visitor alike.
	hits := s.mustDo("agent", "GET", "/api/v1/sessions?q=parcel", "", 200).json(t)["sessions"].([]any)
	if len(hits) != 1 || hits[0].(map[string]any)["display_name"] != "Nini" {
		t.Errorf("history search = %v", hits)
	}
	ws := s.dialWS("agent")
	ws.send(`{"op":"command","session_id":1,"command":"connect"}`)
	if m := ws.expect("result"); m["session"].(map[string]any)["display_name"] != "Nini" {
		t.Errorf("WebSocket command answer = %v", m["session"])
	}
	before := s.eventCount()
	if r := s.do("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","end_user":{"region":"`+strings.Repeat("x", 101)+`"}}`); r.Status != 400 || r.errCode(t) != "invalid" {
		t.Errorf("a region of 101 characters: %d %s", r.Status, r.Body)
	}
	if s.eventCount() != before {
		t.Error("a refused session was created")
	}
}

// The transfer report's visitor nickname is the nickname of the name the
// session was created with, in the format of the chat settings.
func TestTransferReportShowsTheVisitorNickname(t *testing.T) {
	s := newStack(t)
	rs, ok := any(s.db).(sb.ReportStore)
	if !ok {
		t.Skip("the SQLite store does not keep report facts")
	}
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1,
		"end_user":{"name":"Nini","region":"Shanghai Baoshan","network":"China Mobile"}}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/update-profile", `{"name":"Nini Wang"}`, 200) // after the entry
	s.mustDo("agent", "POST", "/api/v1/sessions/1/transfer", `{"kind":"agent","agent_id":2}`, 200)
	events, err := s.db.SessionEvents(context.Background(), 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := report.Derive(events)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs.PutFacts(context.Background(), []sb.SessionFacts{facts}, events[len(events)-1].ID); err != nil {
		t.Fatal(err)
	}
	const day = "from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z"
	for format, want := range map[string]string{
		"all":    "Shanghai Baoshan China Mobile Nini 20261123",
		"region": "Shanghai Baoshan Nini",
		"date":   "Nini 20261123",
	} {
		s.setSettings("chat", map[string]any{"visitor_nickname": format})
		var rep struct{ Rows []map[string]any }
		decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/transfers?"+day, ""), &rep)
		if len(rep.Rows) != 1 || rep.Rows[0]["visitor"] != want {
			t.Errorf("%s: transfer rows %v, want visitor %q", format, rep.Rows, want)
		}
	}
}

// duration_since is where the desk's chat duration counts from: the
// agent's pick-up, or with count_from_last_message the last message of the
// visitor or the agent (system messages do not count); none while nobody
// handles the chat.
func TestDurationSinceFollowsCountFromLastMessage(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	get := func() any {
		t.Helper()
		return s.mustDo("agent", "GET", "/api/v1/sessions/1", "", 200).json(t)["duration_since"]
	}
	if got := get(); got != nil {
		t.Errorf("waiting chat: duration_since %v", got)
	}
	s.clock.Advance(time.Minute)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200) // 09:01
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.clock.Advance(time.Minute)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"Hi"}`, 200) // 09:02
	s.clock.Advance(time.Minute)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/message", `{"text":"Hello"}`, 200) // 09:03
	s.clock.Advance(time.Minute)
	s.mustDo("supervisor", "POST", "/api/v1/sessions/1/message", `{"text":"A notice"}`, 200) // 09:04, system
	if got := get(); got != "2026-11-23T09:01:00Z" {
		t.Errorf("from the pick-up: duration_since %v, want 09:01", got)
	}
	s.setSettings("chat", map[string]any{"count_from_last_message": true})
	if got := get(); got != "2026-11-23T09:03:00Z" {
		t.Errorf("from the last message: duration_since %v, want 09:03", got)
	}
	ws := s.dialWS("agent")
	ws.send(`{"op":"command","session_id":1,"command":"message","body":{"text":"More"}}`) // 09:04
	// A message's result carries no session: read it.
	ws.expect("result")
	if got := get(); got != "2026-11-23T09:04:00Z" {
		t.Errorf("after a message over the WebSocket: duration_since %v, want 09:04", got)
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	if got := get(); got != nil {
		t.Errorf("ended chat: duration_since %v", got)
	}
}
