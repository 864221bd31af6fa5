package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/httpapi"
)

// doFrom sends a request from a client address behind srv's proxy, with
// a bearer token if one is given.
func doFrom(t *testing.T, srv *httptest.Server, addr, token, method, path, body string) response {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("X-Forwarded-For", addr)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Visitors start chats with the plugin's public key alone, so their chats
// are capped per visitor, per client address and per plugin; the windows
// pass on the injected clock, and staff are not limited.
func TestVisitorChatsAreLimited(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	srv := s.proxied(func(c *httpapi.Config) {
		c.ChatLimits = httpapi.ChatLimits{PerVisitor: 2, PerAddress: 3, PerPlugin: 6, Window: 10 * time.Minute}
	})
	visitor := func() string {
		tok, _ := s.visitor(key, `{}`)
		return tok
	}
	start := func(addr, tok string, want int) response {
		t.Helper()
		r := doFrom(t, srv, addr, tok, "POST", "/api/v1/sessions", `{}`)
		if r.Status != want {
			t.Fatalf("a chat from %s: %d %s, want %d", addr, r.Status, r.Body, want)
		}
		return r
	}
	refused := func(r response, retry time.Duration) {
		t.Helper()
		if r.errCode(t) != "rate_limited" || r.Header.Get("Retry-After") != strconv.Itoa(int(retry.Seconds())) {
			t.Errorf("refusal %s Retry-After %q, want rate_limited and %v", r.Body, r.Header.Get("Retry-After"), retry)
		}
	}

	// One visitor: two chats, one after the other.
	ana := visitor()
	for i := 0; i < 2; i++ {
		id := strconv.Itoa(int(start("192.0.2.1", ana, 201).json(t)["session"].(map[string]any)["id"].(float64)))
		doFrom(t, srv, "192.0.2.1", ana, "POST", "/api/v1/sessions/"+id+"/end", `{}`)
		s.clock.Advance(time.Minute)
	}
	before := s.eventCount()
	refused(start("192.0.2.1", ana, 429), 8*time.Minute)
	if n := s.eventCount(); n != before {
		t.Errorf("a refused chat appended %d events", n-before)
	}
	// One address: three visitors.
	for i := 0; i < 3; i++ {
		start("192.0.2.2", visitor(), 201)
	}
	refused(start("192.0.2.2", visitor(), 429), 10*time.Minute)
	// The plugin: six chats from anywhere.
	start("192.0.2.3", visitor(), 201)
	refused(start("192.0.2.4", visitor(), 429), 8*time.Minute)
	// Staff start chats regardless.
	if r := doFrom(t, srv, "192.0.2.4", s.tokens["integration"], "POST", "/api/v1/sessions", `{"type":"chat_web"}`); r.Status != 201 {
		t.Errorf("an integration's chat while the plugin is full: %d", r.Status)
	}
	// The plugin's window began with Ana's first chat.
	s.clock.Advance(8 * time.Minute)
	start("192.0.2.4", visitor(), 201)
	start("192.0.2.1", ana, 201)
}
