package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

// A change made on one node reaches the caches of the others at once: a
// token revoked on the leader stops working on a follower that had it
// cached, for new requests and for the stream it had open; configuration
// written through the follower is made by the leader, and holds on both
// when the follower answers.
func TestConfigChangesReachEveryNode(t *testing.T) {
	store := pgtest.New(t)
	c := clock.NewVirtual(t0)
	ctx := context.Background()
	a := startNode(t, "node-a", store, "", c)
	waitFor(t, c, false, "node-a to lead", a.Leading)
	admin, err := a.App.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	b := startNode(t, "node-b", store, "", c)

	code, tok := call(t, a, admin, "POST", "/api/v1/tokens", `{"name":"crm","role":"integration"}`)
	if code != 201 {
		t.Fatalf("create a token: %d %v", code, tok)
	}
	crm := tok["secret"].(string)
	if code, out := call(t, b, crm, "GET", "/api/v1/sessions", ""); code != 200 { // node-b caches it
		t.Fatalf("the new token on node-b: %d %v", code, out)
	}
	req, _ := http.NewRequest("GET", b.api.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+crm)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("a stream on node-b: %v %v", stream, err)
	}
	ended := make(chan struct{})
	go func() { io.Copy(io.Discard, stream.Body); stream.Body.Close(); close(ended) }()

	revoked := time.Now()
	if code, out := call(t, a, admin, "DELETE", fmt.Sprintf("/api/v1/tokens/%v", tok["id"]), ""); code != 204 {
		t.Fatalf("revoke on node-a: %d %v", code, out)
	}
	waitFor(t, c, false, "node-b to refuse the revoked token", func() bool {
		code, _ := call(t, b, crm, "GET", "/api/v1/sessions", "")
		return code == http.StatusUnauthorized
	})
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("node-b's stream of the revoked token is still open")
	}
	if took := time.Since(revoked); took > time.Second {
		t.Errorf("node-b honoured the revocation after %v, want within a second", took)
	} else {
		t.Logf("node-b honoured the revocation after %v", took)
	}

	// A login ended on the leader ends what the login opened on the
	// follower: its WebSocket closes.
	if _, err := a.App.EnsureAdminUser(ctx, "lilei@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	cookie, csrf := loginOn(t, b, "lilei@example.com", "correct horse")
	ws := wsWithLogin(t, b, cookie, csrf)
	req, _ = http.NewRequest("POST", a.api.URL+"/api/v1/logout", nil)
	req.Header.Set("Cookie", "sb_session="+cookie)
	req.Header.Set("X-CSRF-Token", csrf)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 204 {
		t.Fatalf("log out on node-a: %v %v", res, err)
	}
	loggedOut := time.Now()
	if st := closeStatus(ws); st != websocket.StatusPolicyViolation {
		t.Errorf("the login's WebSocket on node-b closed with %v, want 1008", st)
	}
	t.Logf("node-b ended the login's WebSocket %v after the logout", time.Since(loggedOut))

	// A setting saved and a queue created through the follower are made
	// by the leader, and both nodes have them when the follower answers:
	// the leader takes a session in the queue at once.
	_, chat := call(t, b, admin, "GET", "/api/v1/settings/chat", "")
	chat["dispatcher_nickname"] = "前台"
	body, _ := json.Marshal(chat)
	if code, out := call(t, b, admin, "PUT", "/api/v1/settings/chat", string(body)); code != 200 {
		t.Fatalf("save the chat settings on node-b: %d %v", code, out)
	}
	code, q := call(t, b, admin, "POST", "/api/v1/queues", `{"name":"售后"}`)
	if code != 201 {
		t.Fatalf("create a queue on node-b: %d %v", code, q)
	}
	for name, n := range map[string]*testNode{"node-a": a, "node-b": b} {
		if _, err := n.App.Directory.GetQueue(int64(q["id"].(float64))); err != nil {
			t.Errorf("%s's directory right after the create: %v", name, err)
		}
		if got := n.App.Directory.ChatSettings().DispatcherNickname; got != "前台" {
			t.Errorf("%s's dispatcher nickname right after the save: %q", name, got)
		}
	}
	if code, out := call(t, a, admin, "POST", "/api/v1/queues", `{"name":"售后"}`); code != http.StatusConflict {
		t.Errorf("the same queue name again, on node-a: %d %v, want 409", code, out)
	}
	if code, out := call(t, a, admin, "POST", "/api/v1/sessions", fmt.Sprintf(`{"type":"chat_web","queue_id":%v}`, q["id"])); code != 201 {
		t.Errorf("a session in node-b's queue, on node-a: %d %v", code, out)
	}
	if code, out := call(t, a, admin, "GET", "/api/v1/settings/chat", ""); code != 200 || out["dispatcher_nickname"] != "前台" {
		t.Errorf("node-a's chat settings: %d %v", code, out)
	}

	// An agent saved through node-b runs on the leader; node-b knows it
	// when it answers, so the agent's token can be made there next.
	code, ag := call(t, b, admin, "POST", "/api/v1/agents", `{"name":"韩梅梅","email":"meimei@example.com"}`)
	if code != 201 {
		t.Fatalf("create an agent on node-b: %d %v", code, ag)
	}
	if code, out := call(t, b, admin, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name":"meimei","role":"agent","agent_id":%v}`, ag["id"])); code != 201 {
		t.Errorf("a token for the new agent on node-b, right after: %d %v", code, out)
	}
}

// loginOn logs in on n and returns the cookie secret and the CSRF token.
func loginOn(t *testing.T, n *testNode, email, password string) (cookie, csrf string) {
	t.Helper()
	res, err := http.Post(n.api.URL+"/api/v1/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("log in on %s: %v %v", n.opt.Name, res, err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	for _, c := range res.Cookies() {
		if c.Name == "sb_session" {
			cookie = c.Value
		}
	}
	csrf, _ = out["csrf_token"].(string)
	return cookie, csrf
}

// wsWithLogin opens a WebSocket on n with a ticket of the login.
func wsWithLogin(t *testing.T, n *testNode, cookie, csrf string) *websocket.Conn {
	t.Helper()
	req, _ := http.NewRequest("POST", n.api.URL+"/api/v1/tickets", strings.NewReader(`{"path":"/api/v1/ws"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", "sb_session="+cookie)
	req.Header.Set("X-CSRF-Token", csrf)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("a ticket on %s: %v %v", n.opt.Name, res, err)
	}
	var tk map[string]any
	json.NewDecoder(res.Body).Decode(&tk)
	res.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a safety net, not a timing assumption
	t.Cleanup(cancel)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.api.URL, "http")+"/api/v1/ws?ticket="+tk["ticket"].(string), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// closeStatus reads ws until it closes and returns the close code.
func closeStatus(ws *websocket.Conn) websocket.StatusCode {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := ws.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}
