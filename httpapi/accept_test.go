package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/docs"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/sqlite"
)

// acceptStack is the whole server with routing, on loopback: Support (1)
// and Sales (2) are closed today and routing assigns only in work hours,
// so chats wait however agents stand. Noam (1, token "agent") is in
// Support with room for three; Kim (2, token "kim") is in group 3 only,
// with room for one. Both are offline.
func acceptStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	dir := t.TempDir()
	a, err := app.Open(ctx, app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		Clock: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	s := &stack{t: t, db: a.DB.(*sqlite.DB), eng: a.Engine, clock: c, srv: srv, tokens: map[string]string{}}
	for _, role := range []string{sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegration} {
		_, secret, err := httpapi.CreateToken(ctx, a.DB, c, role, role, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[role] = secret
	}
	today := t0.Format("2006-01-02")
	s.mustDo("admin", "POST", "/api/v1/work-time-plans", `{"name":"Closed","time_zone":"UTC",
		"weekly":[{"weekday":"monday","hours":[{"from":"09:00","to":"17:00"}]}],"holidays":[{"from":"`+today+`","to":"`+today+`"}]}`, 201)
	for _, q := range []string{"Support", "Sales", "VIP"} {
		s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"`+q+`","work_time_plan_id":1}`, 201)
	}
	set := s.mustDo("admin", "GET", "/api/v1/settings/routing", "", 200).json(t)
	set["only_work_hours"] = true
	delete(set, "updated_at")
	body, _ := json.Marshal(set)
	s.mustDo("admin", "PUT", "/api/v1/settings/routing", string(body), 200)
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Noam B","email":"noam@example.com","groups":[1],"max_concurrent":3}`, 201)
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Kim S","email":"kim@example.com","groups":[3],"max_concurrent":1}`, 201)
	for id, name := range map[int64]string{1: "agent", 2: "kim"} {
		_, secret, err := httpapi.CreateToken(ctx, a.DB, c, name, sb.RoleAgent, id, "")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[name] = secret
	}
	return s
}

// chats creates n web chats waiting in queue and returns their IDs.
func (s *stack) chats(queue, n int) []int64 {
	s.t.Helper()
	var ids []int64
	for range n {
		sess := s.mustDo("integration", "POST", "/api/v1/sessions", fmt.Sprintf(`{"type":"chat_web","queue_id":%d}`, queue), 201).json(s.t)
		if sess["session"].(map[string]any)["status"] != "queued" {
			s.t.Fatalf("the chat does not wait: %v", sess["session"])
		}
		ids = append(ids, int64(sess["session"].(map[string]any)["id"].(float64)))
	}
	return ids
}

// refusedWith checks a 409 with code whose message says each of want.
func refusedWith(t *testing.T, r response, code string, want ...string) {
	t.Helper()
	if r.Status != 409 || r.errCode(t) != code {
		t.Fatalf("%d %s, want 409 %s", r.Status, r.Body, code)
	}
	msg := r.json(t)["error"].(map[string]any)["message"].(string)
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%q does not say %q", msg, w)
		}
	}
}

// wallboardAgent returns an agent's load and capacity on the wallboard.
func (s *stack) wallboardAgent(id int64) (load, capacity int) {
	s.t.Helper()
	var wb httpapi.Wallboard
	if err := json.Unmarshal(s.mustDo("supervisor", "GET", "/api/v1/wallboard", "", 200).Body, &wb); err != nil {
		s.t.Fatal(err)
	}
	for _, a := range wb.Agents {
		if a.AgentID == id {
			return a.Load, a.Capacity
		}
	}
	s.t.Fatalf("agent %d is not on the wallboard", id)
	return 0, 0
}

// One agent accepting many waiting chats at once gets as many as its
// max_concurrent; every other accept is refused with at_capacity.
func TestConcurrentAcceptsNeverExceedCapacity(t *testing.T) {
	s := acceptStack(t)
	s.mustDo("agent", "POST", "/api/v1/agents/1/status", `{"status":"online"}`, 200)
	ids := s.chats(1, 12)
	results := make([]response, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.do("agent", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", id), `{"agent_id":1}`)
		}()
	}
	wg.Wait()
	won := 0
	for _, r := range results {
		if r.Status == 200 {
			won++
			continue
		}
		refusedWith(t, r, sb.EATCAPACITY, "agent 1 (Noam B) already handles 3 sessions, its maximum (max_concurrent 3)")
		if d := r.json(t)["error"].(map[string]any)["detail"].(map[string]any); d["load"] != float64(3) || d["capacity"] != float64(3) {
			t.Errorf("detail %v", d)
		}
	}
	if load, capacity := s.wallboardAgent(1); won != 3 || load != 3 || capacity != 3 {
		t.Fatalf("%d accepts won; the wallboard shows load %d of %d; want 3 of 3", won, load, capacity)
	}
	if n := len(s.mustDo("supervisor", "GET", "/api/v1/sessions?status=queued", "", 200).json(t)["sessions"].([]any)); n != 9 {
		t.Errorf("%d chats still wait, want 9", n)
	}
}

// An agent picks up only from its own groups' queues and only while online
// or invisible; a supervisor may direct a chat to it anyway, but never
// above its max_concurrent.
func TestAcceptNeedsMembershipAndStatus(t *testing.T) {
	s := acceptStack(t)
	support, sales := s.chats(1, 1)[0], s.chats(2, 5)
	refusedWith(t, s.do("agent", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", support), `{"agent_id":1}`),
		sb.ENOTWORKING, "agent 1 (Noam B) is offline", "only while online or invisible")
	s.mustDo("agent", "POST", "/api/v1/agents/1/status", `{"status":"busy"}`, 200)
	refusedWith(t, s.do("agent", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", support), `{"agent_id":1}`),
		sb.ENOTWORKING, "is busy")
	// Kim, in group 3 only, with room for one: offline, then online, she
	// takes none of the five chats waiting in Sales.
	for _, st := range []string{"offline", "online"} {
		s.mustDo("kim", "POST", "/api/v1/agents/2/status", `{"status":"`+st+`"}`, 200)
		for _, id := range sales {
			refusedWith(t, s.do("kim", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", id), `{"agent_id":2}`),
				sb.ENOTMEMBER, "agent 2 (Kim S) is not a member of queue 2 (Sales)", "only from the queues of its groups")
			if r := s.do("kim", "POST", fmt.Sprintf("/api/v1/sessions/%d/connect", id), ``); r.Status != 403 && r.Status != 409 {
				t.Fatalf("connect after a refused accept: %d %s", r.Status, r.Body)
			}
		}
	}
	if load, capacity := s.wallboardAgent(2); load != 0 || capacity != 1 {
		t.Fatalf("Kim's load %d of %d", load, capacity)
	}
	// A supervisor directs a Sales chat to her: once, not above her maximum.
	s.mustDo("supervisor", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", sales[0]), `{"agent_id":2}`, 200)
	refusedWith(t, s.do("supervisor", "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", sales[1]), `{"agent_id":2}`),
		sb.EATCAPACITY, "agent 2 (Kim S) already handles 1 sessions, its maximum (max_concurrent 1)")
	if load, capacity := s.wallboardAgent(2); load != 1 || capacity != 1 {
		t.Fatalf("Kim's load %d of %d", load, capacity)
	}
}

// The WebSocket's commands go through the same checks.
func TestAcceptOverTheWebSocketIsChecked(t *testing.T) {
	s := acceptStack(t)
	ids := s.chats(1, 4)
	ws := s.dialWS("agent")
	accept := func(id int64) map[string]any {
		ws.send(fmt.Sprintf(`{"op":"command","ref":"a%d","session_id":%d,"command":"assign","body":{"agent_id":1}}`, id, id))
		return ws.next()
	}
	if m := accept(ids[0]); ws.errCode(m) != sb.ENOTWORKING {
		t.Fatalf("offline accept over the WebSocket: %v", m)
	}
	s.mustDo("agent", "POST", "/api/v1/agents/1/status", `{"status":"invisible"}`, 200)
	for _, id := range ids[:3] {
		if m := accept(id); m["op"] != "result" {
			t.Fatalf("accept %d: %v", id, m)
		}
	}
	if m := accept(ids[3]); ws.errCode(m) != sb.EATCAPACITY {
		t.Fatalf("a fourth accept over the WebSocket: %v", m)
	}
	if load, _ := s.wallboardAgent(1); load != 3 {
		t.Fatalf("load %d, want 3", load)
	}
}

// The OpenAPI document lists routing's refusal codes among the error codes.
func TestOpenAPIListsTheRoutingRefusals(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	code := obj(doc, "components", "schemas", "Error", "properties", "error", "properties", "code")
	enum, _ := code["enum"].([]any)
	for _, c := range []string{sb.ENOTMEMBER, sb.ENOTWORKING, sb.EATCAPACITY} {
		if !slices.Contains(enum, any(c)) || !strings.Contains(code["description"].(string), c+" 409") {
			t.Errorf("the Error code enum or its description lacks %s", c)
		}
	}
}
