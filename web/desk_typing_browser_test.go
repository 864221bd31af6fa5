package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// visitorChat starts a chat as a website visitor through a web plugin and
// answers the session and the visitor's token.
func (s *stack) visitorChat(queueID int64, name string) (int64, string) {
	s.t.Helper()
	var plugin struct {
		Key string `json:"key"`
	}
	s.must(s.Admin, "POST", "/api/v1/web-plugins", map[string]any{"name": "Shop", "entry": "shop"}, &plugin)
	s.must(s.Admin, "POST", "/api/v1/routing-rules", map[string]any{"name": "shop", "enabled": true, "match": "entry",
		"value": "shop", "target": map[string]any{"queue_id": queueID}}, nil)
	var v struct {
		Token string `json:"visitor_token"`
	}
	s.must("", "POST", "/api/v1/widget/"+plugin.Key+"/visitor", map[string]any{"name": name}, &v)
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(v.Token, "POST", "/api/v1/sessions", map[string]any{}, &created)
	return created.Session.ID, v.Token
}

// Typing shows both ways: the visitor's notice on the desk, the agent's
// typing on the visitor's WebSocket.
func TestDeskTypingBothWays(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/agents/%d/status", f.Agent.ID), map[string]any{"status": "online"}, nil)
	id, token := s.visitorChat(f.Queue.ID, "Grace Hopper")

	wctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(wctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	send := func(v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := ws.Write(wctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"op": "subscribe", "session_id": id, "after_seq": 0})

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	item := css(fmt.Sprintf(`.session-item[data-id="%d"]`, id))
	err = chromedp.Do(ctx,
		s.signIn(f),
		chromedp.WaitVisible(item),
		clickJS(string(item)),
		chromedp.WaitVisible(css(`#input`)),
		chromedp.WaitVisible(css(fmt.Sprintf(`#conv[data-live="%d"]`, id))), // the desk follows the chat
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			send(map[string]any{"op": "typing", "session_id": id, "typing": true})
			return nil
		}),
		chromedp.WaitVisible(css(`#typing`)),
		screenshot("typing"),
		chromedp.SendKeys(css(`#input`), "Let me check"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, b, err := ws.Read(wctx)
		if err != nil {
			t.Fatalf("the visitor never saw the agent typing: %v", err)
		}
		var f struct {
			Op     string `json:"op"`
			From   string `json:"from"`
			Typing bool   `json:"typing"`
		}
		if json.Unmarshal(b, &f) == nil && f.Op == "typing" && f.From == "agent" && f.Typing {
			break
		}
	}
}
