package httpapi_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/metadata"
)

// ratedChat creates chat 1, handled and ended by agent 1 and rated 4 with
// a comment, a tag and the problem solved.
func ratedChat(s *stack) {
	connectedChat(s)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"Thanks!"}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions/1/rate", `{"rating":4,"comment":"Quick and kind","tags":["Quick"],"solved":true}`, 200)
}

// noRating checks that a session as an agent reads it tells that it was
// rated, and not how.
func noRating(t *testing.T, where string, got map[string]any) {
	t.Helper()
	for _, key := range []string{"rating", "feedback", "rating_tags", "solved"} {
		if v, ok := got[key]; ok {
			t.Errorf("%s: an agent sees %s %v", where, key, v)
		}
	}
	if got["rated_at"] == nil || got["ratings"] != 1.0 {
		t.Errorf("%s: rated_at %v, ratings %v: the agent should know the chat was rated", where, got["rated_at"], got["ratings"])
	}
}

// ratedData checks the data of a rated event as an agent receives it.
func ratedData(t *testing.T, where string, e map[string]any) {
	t.Helper()
	if d := e["data"].(map[string]any); len(d) != 1 || d["counted"] != true {
		t.Errorf("%s: rated event data %v, want only counted", where, d)
	}
}

// With agents_see_ratings off, agents learn that a visitor rated a chat
// but not the score, the comment, the tags or the problem-solved answer:
// not from the session, the history, the events, the streams, the
// WebSocket, command answers or the metadata. Supervisors and
// integrations see the rating; with the setting on, agents do too.
func TestAgentsDoNotSeeRatings(t *testing.T) {
	s := newStack(t)
	s.setSettings("csat", map[string]any{"agents_see_ratings": false})
	ratedChat(s)

	noRating(t, "GET session", s.mustDo("agent", "GET", "/api/v1/sessions/1", "", 200).json(t))
	list := s.mustDo("agent", "GET", "/api/v1/sessions?mine=true&ended=true", "", 200).json(t)["sessions"].([]any)
	if len(list) != 1 {
		t.Fatalf("history = %v", list)
	}
	noRating(t, "history", list[0].(map[string]any))
	noRating(t, "command answer", s.mustDo("agent", "POST", "/api/v1/sessions/1/update-profile", `{"name":"Lea"}`, 200).json(t)["session"].(map[string]any))
	rated := func(r response) map[string]any {
		t.Helper()
		for _, e := range eventsOfSession(t, r, 1) {
			if e["type"] == "rated" {
				return e
			}
		}
		t.Fatalf("no rated event in %s", r.Body)
		return nil
	}
	ratedData(t, "session events", rated(s.mustDo("agent", "GET", "/api/v1/sessions/1/events", "", 200)))
	ratedData(t, "all events", rated(s.mustDo("agent", "GET", "/api/v1/events", "", 200)))
	sse, _ := s.subscribeAs("agent", "/api/v1/sessions/1/events/stream")
	for {
		if ev := sse.next(); ev.Type == "rated" {
			ratedData(t, "event stream", map[string]any{"data": ev.Data["data"]})
			break
		}
	}
	ws := s.dialWS("agent")
	ws.send(`{"op":"subscribe","session_id":1}`)
	ws.expect("subscribed")
	for {
		if e := ws.expect("event")["event"].(map[string]any); e["type"] == "rated" {
			ratedData(t, "WebSocket subscription", e)
			break
		}
	}
	ws.send(`{"op":"command","session_id":1,"command":"update-profile","body":{"name":"Lea M"}}`)
	for {
		if m := ws.next(); m["op"] == "result" {
			noRating(t, "WebSocket command", m["session"].(map[string]any))
			break
		}
	}

	// The metadata file keeps the rating; an agent reading it over the
	// API does not see it.
	meta := metadataServer(t, s)
	if got := meta.get(t, "agent", "/api/v1/sessions/1/metadata"); got["rating"] != nil || got["feedback"] != nil {
		t.Errorf("metadata as an agent reads it: rating %v, feedback %v", got["rating"], got["feedback"])
	}
	if got := meta.get(t, "supervisor", "/api/v1/sessions/1/metadata"); got["rating"] != 4.0 {
		t.Errorf("metadata as a supervisor reads it: rating %v", got["rating"])
	}

	for _, role := range []string{"supervisor", "integration", "admin"} {
		if got := s.mustDo(role, "GET", "/api/v1/sessions/1", "", 200).json(t); got["rating"] != 4.0 || got["feedback"] != "Quick and kind" {
			t.Errorf("%s reads rating %v %v", role, got["rating"], got["feedback"])
		}
		if d := rated(s.mustDo(role, "GET", "/api/v1/sessions/1/events", "", 200))["data"].(map[string]any); d["rating"] != 4.0 {
			t.Errorf("%s reads rated event %v", role, d)
		}
	}
	s.setSettings("csat", map[string]any{"agents_see_ratings": true})
	if got := s.mustDo("agent", "GET", "/api/v1/sessions/1", "", 200).json(t); got["rating"] != 4.0 || got["solved"] != true {
		t.Errorf("with the setting on an agent reads %v", got)
	}
	if d := rated(s.mustDo("agent", "GET", "/api/v1/sessions/1/events", "", 200))["data"].(map[string]any); d["rating"] != 4.0 || d["comment"] != "Quick and kind" {
		t.Errorf("with the setting on an agent reads rated event %v", d)
	}
}

// An agent kept from ratings reads its satisfaction report without the
// average score (JSON and CSV) and a session's report facts without the
// ratings; a supervisor reads them.
func TestAgentSatisfactionReportWithoutScores(t *testing.T) {
	s, _ := reportStack(t)
	s.agentToken("alex", 2)                                                                      // Alex ended session 1, rated 4
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201) // session 1 of the facts
	s.setSettings("csat", map[string]any{"agents_see_ratings": false})
	var rep struct {
		Rows  []map[string]any
		Total map[string]any
	}
	decodeJSON(t, s.do("alex", "GET", "/api/v1/reports/agent-satisfaction?"+march, ""), &rep)
	if len(rep.Rows) != 1 || rep.Rows[0]["agent_id"] != 2.0 || rep.Rows[0]["avg_score"] != nil || rep.Total["avg_score"] != nil {
		t.Errorf("Alex's satisfaction report = %v, total %v: want no average score", rep.Rows, rep.Total)
	}
	if rep.Rows[0]["ratings"] != 1.0 || rep.Rows[0]["invite_success"] != 1.0 {
		t.Errorf("Alex's counts = %v: how many ratings came is no rating", rep.Rows[0])
	}
	decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/agent-satisfaction?"+march+"&agent_id=2", ""), &rep)
	if len(rep.Rows) != 1 || rep.Rows[0]["avg_score"] != 4.0 {
		t.Errorf("supervisor's report = %v", rep.Rows)
	}
	r := s.mustDo("alex", "GET", "/api/v1/reports/agent-satisfaction?"+march+"&format=csv", "", 200)
	recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV %q: %v", r.Body, err)
	}
	if col := len(recs[0]) - 1; recs[0][col] != "Average score" || recs[1][col] != "" {
		t.Errorf("CSV as Alex: %s = %q, want empty", recs[0][col], recs[1][col])
	}
	if f := s.mustDo("alex", "GET", "/api/v1/sessions/1/report-facts", "", 200).json(t); f["ratings"] != nil || f["agents"] == nil {
		t.Errorf("report facts as Alex reads them = %v", f)
	}
	if f := s.mustDo("supervisor", "GET", "/api/v1/sessions/1/report-facts", "", 200).json(t); f["ratings"] == nil {
		t.Errorf("report facts as a supervisor reads them = %v", f)
	}
}

// metaServer is a second API on a stack's store that renders real
// metadata files.
type metaServer struct {
	s   *stack
	url string
}

func metadataServer(t *testing.T, s *stack) metaServer {
	t.Helper()
	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: dir, Config: s.db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metadata: func(sess *sb.Session, now time.Time) ([]byte, error) { return metadata.Render(sess, now, time.UTC) }})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return metaServer{s: s, url: srv.URL}
}

func (m metaServer) get(t *testing.T, as, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", m.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+m.s.tokens[as])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Body: b}.json(t)
}
