package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// wsControl replaces the page's WebSocket with one the test can drop, and
// keep from reconnecting while window.__wsBlocked is true.
const wsControl = `(() => {
  const Real = window.WebSocket;
  window.__ws = [];
  window.__wsBlocked = false;
  function Controlled(url, protocols) {
    const ws = new Real(window.__wsBlocked ? url.replace('/api/v1/ws', '/api/v1/ws-blocked') : url, protocols);
    window.__ws.push(ws);
    return ws;
  }
  Controlled.prototype = Real.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Controlled[k] = Real[k];
  window.WebSocket = Controlled;
})()`

// The connection drops; a visitor writes meanwhile; the desk reconnects,
// resumes after the last event it saw, and shows the message once.
func TestDeskResumesAfterTheConnectionDrops(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/agents/%d/status", f.Agent.ID), map[string]any{"status": "online"}, nil)
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper"}}, &created)
	id := created.Session.ID

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	item := css(fmt.Sprintf(`.session-item[data-id="%d"]`, id))
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: wsControl})
			return err
		}),
		s.signIn(f),
		chromedp.WaitVisible(item),
		clickJS(string(item)),
		chromedp.WaitVisible(css(fmt.Sprintf(`#conv[data-live="%d"]`, id))),
		whenFound(`window.__ws.findLast((ws) => ws.readyState === WebSocket.OPEN)`, `window.__wsBlocked = true; el.close()`),
		waitJS(`!document.getElementById('live-state').classList.contains('open')`),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/message", id),
				map[string]any{"from": "end_user", "text": "Are you still there?"}, nil)
			return nil
		}),
		chromedp.Evaluate[chromedp.Void](`window.__wsBlocked = false`),
		waitJS(`document.getElementById('live-state').classList.contains('open')`),
		waitJS(`[...document.querySelectorAll('.msg.end_user')].some(m => m.textContent.includes('Are you still there?'))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('.msg.end_user')].filter(m => m.textContent.includes('Are you still there?')).length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the message shows %d times after the reconnect, want once", n)
	}
}
