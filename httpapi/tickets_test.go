package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard/webauth"
)

// Tokens in a URL end up in proxy logs: they are refused on every route,
// the admin's included, the streams too.
func TestTokensInTheURLAreRefused(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	visitor, _ := s.visitor(key, `{}`)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201)
	for _, path := range []string{
		"/api/v1/users?access_token=" + s.tokens["admin"],
		"/api/v1/tokens?access_token=" + s.tokens["admin"],
		"/api/v1/sessions?access_token=" + s.tokens["supervisor"],
		"/api/v1/me?access_token=" + s.tokens["agent"],
		"/api/v1/reports/channels?access_token=" + s.tokens["supervisor"],
		"/api/v1/sessions?access_token=" + visitor,
	} {
		if got := s.do("", "GET", path, ""); got.Status != 401 || got.errCode(t) != "unauthorized" {
			t.Errorf("GET %s: %d %s, want 401", path[:strings.Index(path, "?")], got.Status, got.Body)
		}
	}
	if got := s.openStream("/api/v1/events/stream?access_token=" + s.tokens["supervisor"]); got != 401 {
		t.Errorf("a stream with a token in the URL: %d, want 401", got)
	}
	// Even beside a good header: the URL's credential is already out.
	if got := s.do("admin", "GET", "/api/v1/users?access_token="+s.tokens["admin"], ""); got.Status != 401 {
		t.Errorf("with a header too: %d, want 401", got.Status)
	}
}

// ticket asks for a ticket to path as the stack's token as.
func (s *stack) ticket(as, path string) string {
	s.t.Helper()
	r := s.mustDo(as, "POST", "/api/v1/tickets", `{"path":"`+path+`"}`, 201).json(s.t)
	tk, _ := r["ticket"].(string)
	if !strings.HasPrefix(tk, webauth.TicketPrefix) || r["path"] != path || r["expires_at"] != s.clock.Now().Add(webauth.TicketTTL).UTC().Format(time.RFC3339) {
		s.t.Fatalf("ticket %v", r)
	}
	return tk
}

// openStream opens an event stream with no header and returns its status.
func (s *stack) openStream(path string) int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+path, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// A ticket opens its own stream once, as its holder, within its lifetime:
// not twice, not after it expires, not on another route.
func TestTicketsOpenTheirStreamOnce(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201)
	const all = "/api/v1/events/stream"

	tk := s.ticket("supervisor", all)
	if got := s.openStream(all + "?ticket=" + tk); got != 200 {
		t.Errorf("first use: %d, want 200", got)
	}
	if got := s.openStream(all + "?ticket=" + tk); got != 401 {
		t.Errorf("second use: %d, want 401", got)
	}

	tk = s.ticket("supervisor", all)
	s.clock.Advance(webauth.TicketTTL)
	if got := s.openStream(all + "?ticket=" + tk); got != 401 {
		t.Errorf("after %v: %d, want 401", webauth.TicketTTL, got)
	}

	tk = s.ticket("supervisor", all)
	if got := s.openStream("/api/v1/sessions/1/events/stream?ticket=" + tk); got != 401 {
		t.Errorf("on another stream: %d, want 401", got)
	}
	if got := s.openStream(all + "?ticket=" + tk); got != 401 {
		t.Errorf("on its own stream after another: %d, want 401 (presenting it used it up)", got)
	}
	tk = s.ticket("supervisor", all)
	if got := s.do("", "GET", "/api/v1/sessions?ticket="+tk, ""); got.Status != 401 {
		t.Errorf("on an ordinary route: %d, want 401", got.Status)
	}

	// The WebSocket takes one too, once.
	wsURL := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/api/v1/ws?ticket="
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tk = s.ticket("agent", "/api/v1/ws")
	c, _, err := websocket.Dial(ctx, wsURL+tk, nil)
	if err != nil {
		t.Fatalf("WebSocket with a ticket: %v", err)
	}
	c.Close(websocket.StatusNormalClosure, "")
	if _, res, err := websocket.Dial(ctx, wsURL+tk, nil); err == nil || res == nil || res.StatusCode != 401 {
		t.Errorf("WebSocket with a used ticket: %v %v, want 401", res, err)
	}

	// The holder's rights apply: a visitor's ticket opens its own chat's
	// stream only.
	key, _ := s.addPlugin()
	visitor, _ := s.visitor(key, `{}`)
	s.tokens["ana"] = visitor
	id := s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201).json(t)["session"].(map[string]any)["id"].(float64)
	own := "/api/v1/sessions/" + strconv.Itoa(int(id)) + "/events/stream"
	if got := s.openStream(own + "?ticket=" + s.ticket("ana", own)); got != 200 {
		t.Errorf("a visitor's ticket to its chat: %d, want 200", got)
	}
	other := "/api/v1/sessions/1/events/stream"
	if got := s.openStream(other + "?ticket=" + s.ticket("ana", other)); got != 403 {
		t.Errorf("a visitor's ticket to another chat: %d, want 403", got)
	}
	if got := s.openStream(all + "?ticket=" + s.ticket("ana", all)); got != 403 {
		t.Errorf("a visitor's ticket to every event: %d, want 403", got)
	}
}

func TestTicketRequestsAreChecked(t *testing.T) {
	s := newStack(t)
	for _, body := range []string{`{}`, `{"path":"/api/v1/users"}`, `{"path":"/api/v1/ws?x=1"}`, `{"path":"/api/v1/../v1/ws"}`,
		`{"path":"api/v1/ws"}`, `{"path":"/api/v1/sessions/1/messages"}`, `{"path":"/api/v1/ws","role":"admin"}`} {
		if got := s.do("agent", "POST", "/api/v1/tickets", body); got.Status != 400 || got.errCode(t) != "invalid" {
			t.Errorf("%s: %d %s, want 400", body, got.Status, got.Body)
		}
	}
	if got := s.do("", "POST", "/api/v1/tickets", `{"path":"/api/v1/ws"}`); got.Status != 401 {
		t.Errorf("without credentials: %d, want 401", got.Status)
	}
	tk := s.ticket("supervisor", "/api/v1/ws")
	if got := s.do("", "POST", "/api/v1/tickets?ticket="+tk, `{"path":"/api/v1/ws"}`); got.Status != 401 {
		t.Errorf("a ticket for a ticket: %d, want 401", got.Status)
	}
}
