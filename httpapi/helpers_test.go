package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/localfs"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// stack is a real server: SQLite file, directory, engine and API, on a
// virtual clock, served on loopback.
type stack struct {
	t      *testing.T
	db     *sqlite.DB
	eng    *engine.Engine
	feed   *broker.Broker // the engine's publisher and the API's feed
	clock  *clock.Virtual
	srv    *httptest.Server
	api    *httpapi.Server
	files  *localfs.Dir
	tokens map[string]string
	// catchUp runs in the WebSocket writer around its store reads.
	catchUp *catchUpHooks
}

// catchUpHooks lets a test act while a WebSocket subscription catches up
// from the store.
type catchUpHooks struct {
	mu sync.Mutex
	f  func(sessionID, after int64, read bool)
}

func (h *catchUpHooks) set(f func(sessionID, after int64, read bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.f = f
}

func (h *catchUpHooks) run(sessionID, after int64, read bool) {
	h.mu.Lock()
	f := h.f
	h.mu.Unlock()
	if f != nil {
		f(sessionID, after, read)
	}
}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	files, err := localfs.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	feed := broker.New()
	eng, err := engine.New(ctx, db, engine.Options{Clock: c, Directory: dir, Publisher: feed, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Engine: eng, Feed: feed, Directory: dir, Config: db, Logger: log, KeepAlive: time.Hour, Files: files, SlowClient: 100 * time.Millisecond,
		Metadata: func(s *sb.Session, now time.Time) ([]byte, error) { return json.Marshal(map[string]any{"id": s.ID}) }})
	hooks := &catchUpHooks{}
	httpapi.SetWSCatchUpHook(api, hooks.run)
	srv := httptest.NewServer(api)
	s := &stack{t: t, db: db, eng: eng, feed: feed, clock: c, srv: srv, api: api, files: files, tokens: map[string]string{}, catchUp: hooks}
	t.Cleanup(func() {
		feed.Close()
		srv.Close()
		eng.Close()
		db.Close()
	})
	for _, role := range []string{sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegration} {
		_, secret, err := httpapi.CreateToken(ctx, db, c, role, role, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[role] = secret
	}
	// Two agents and a queue; agent 1 also gets a token.
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Noam B","first_name":"Noam","last_name":"B","email":"noam@example.com","agent_number":7}`, 201)
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Alex B","email":"alex@example.com"}`, 201)
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Support","priority":2,"support_number":"+12223334444"}`, 201)
	_, secret, err := httpapi.CreateToken(ctx, db, c, "Noam", sb.RoleAgent, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["agent"] = secret
	return s
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return v
}

// errCode returns error.code of a JSON error answer.
func (r response) errCode(t *testing.T) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("not an error answer: %s", r.Body)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("error without a message: %s", r.Body)
	}
	return e["code"].(string)
}

func (s *stack) do(as, method, path, body string, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.srv.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok, ok := s.tokens[as]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func (s *stack) mustDo(as, method, path, body string, want int) response {
	s.t.Helper()
	r := s.do(as, method, path, body)
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, bytes.TrimSpace(r.Body))
	}
	return r
}

// eventCount returns how many events the store holds in all.
func (s *stack) eventCount() int {
	s.t.Helper()
	ev, err := s.db.Events(context.Background(), 0, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return len(ev)
}
