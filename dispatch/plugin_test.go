package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// client calls the API of a served app over loopback with one token.
type client struct {
	t     *testing.T
	url   string
	token string
}

func (e *env) serve() string {
	srv := httptest.NewServer(e.a.Handler())
	e.t.Cleanup(srv.Close)
	return srv.URL
}

func (e *env) client(url, role string, agentID int64) *client {
	e.t.Helper()
	_, secret, err := httpapi.CreateToken(context.Background(), e.a.DB, e.clock, role, role, agentID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, url: url, token: secret}
}

// call sends body (JSON) and decodes a 2xx answer into out; it returns
// the status and the raw answer.
func (c *client) call(method, path string, body, out any) (int, string) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, r)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode, string(b)
}

func (c *client) must(method, path string, body, out any) {
	c.t.Helper()
	if code, msg := c.call(method, path, body, out); code >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, code, msg)
	}
}

// A web plugin that names a skill group sends its chats there when no
// routing rule matches them, and the group's online member is offered the
// chat; the widget shows the group open with one agent online.
func TestWebPluginGroupRoutesWidgetChats(t *testing.T) {
	e := newEnv(t)
	url := e.serve()
	admin := e.client(url, sb.RoleAdmin, 0)
	agent := e.client(url, sb.RoleAgent, 1)

	// A plugin naming no group: nothing routes its chats.
	var bare sb.WebPlugin
	admin.must("POST", "/api/v1/web-plugins", map[string]any{"name": "Docs"}, &bare)
	var cfg httpapi.WidgetConfig
	(&client{t: t, url: url}).must("GET", "/api/v1/widget/"+bare.Key, nil, &cfg)
	if cfg.Routed || cfg.Open {
		t.Fatalf("a plugin with no group and no rule: routed %v, open %v", cfg.Routed, cfg.Open)
	}

	var p sb.WebPlugin
	admin.must("POST", "/api/v1/web-plugins", map[string]any{"name": "Shop", "queue_id": 1}, &p)
	if p.QueueID != 1 {
		t.Fatalf("saved plugin %+v", p)
	}
	agent.must("POST", "/api/v1/agents/1/status", map[string]any{"status": "online"}, nil)
	(&client{t: t, url: url}).must("GET", "/api/v1/widget/"+p.Key, nil, &cfg)
	if !cfg.Routed || !cfg.Open || cfg.AgentsOnline != 1 {
		t.Fatalf("widget config routed %v, open %v, %d online", cfg.Routed, cfg.Open, cfg.AgentsOnline)
	}

	var id httpapi.VisitorIdentity
	(&client{t: t, url: url}).must("POST", "/api/v1/widget/"+p.Key+"/visitor", map[string]any{"name": "Ana"}, &id)
	visitor := &client{t: t, url: url, token: id.VisitorToken}
	var created struct {
		Session struct{ ID int64 }
		Events  []sb.Event
	}
	visitor.must("POST", "/api/v1/sessions", map[string]any{"type": "chat_web"}, &created)
	s := e.session(created.Session.ID)
	if len(s.QueueWaits) != 1 || s.QueueWaits[0].Queue.ID != 1 {
		t.Fatalf("the chat waited in %+v, want queue 1", s.QueueWaits)
	}
	if h := s.CurrentHandle(); h == nil || h.Agent.ID != 1 || s.Status != sb.StatusAssigned {
		t.Fatalf("the chat is %s, handled by %+v; want offered to agent 1", s.Status, h)
	}
	var mine struct{ Sessions []sb.Session }
	agent.must("GET", "/api/v1/sessions?agent_id=1", nil, &mine)
	if len(mine.Sessions) != 1 || mine.Sessions[0].ID != s.ID {
		t.Errorf("the agent's sessions: %+v", mine.Sessions)
	}
}

// A plugin's group must exist, and a group a plugin names cannot be
// deleted.
func TestWebPluginGroupIsChecked(t *testing.T) {
	e := newEnv(t)
	url := e.serve()
	admin := e.client(url, sb.RoleAdmin, 0)
	var p sb.WebPlugin
	for _, body := range []map[string]any{{"name": "Shop", "queue_id": 9}, {"name": "Shop", "queue_id": -1}} {
		if code, msg := admin.call("POST", "/api/v1/web-plugins", body, nil); code != http.StatusBadRequest {
			t.Errorf("%v: %d %s, want 400", body, code, msg)
		}
	}
	admin.must("POST", "/api/v1/web-plugins", map[string]any{"name": "Shop", "queue_id": 2}, &p)
	if code, msg := admin.call("PUT", fmt.Sprintf("/api/v1/web-plugins/%d", p.ID), map[string]any{"name": "Shop", "queue_id": 9}, nil); code != http.StatusBadRequest {
		t.Errorf("replace with an unknown group: %d %s, want 400", code, msg)
	}
	code, msg := admin.call("DELETE", "/api/v1/queues/2", nil, nil)
	if code != http.StatusConflict {
		t.Fatalf("deleting the plugin's group: %d %s, want 409", code, msg)
	}
	if _, err := e.a.Directory.GetQueue(2); err != nil {
		t.Fatalf("the refused delete removed the group: %v", err)
	}
	admin.must("PUT", fmt.Sprintf("/api/v1/web-plugins/%d", p.ID), map[string]any{"name": "Shop"}, nil)
	admin.must("DELETE", "/api/v1/queues/2", nil, nil)
}
