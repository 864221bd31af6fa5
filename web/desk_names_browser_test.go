package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// A chat a colleague passes on shows the colleague's messages under the
// colleague's name in the receiver's transcript, and the receiver's own
// as "You".
func TestDeskTranscriptNamesColleagues(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	var other sb.Agent
	s.must(s.Admin, "POST", "/api/v1/agents", map[string]any{"name": "Charles Babbage", "email": "charles@example.com",
		"groups": []int64{f.Queue.ID}, "max_concurrent": 5}, &other)
	_, otherToken, err := httpapi.CreateToken(context.Background(), s.App.DB, s.Clock, "charles", sb.RoleAgent, other.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper"}}, &created)
	id := created.Session.ID
	cmd := func(token, name string, body any) {
		t.Helper()
		s.must(token, "POST", fmt.Sprintf("/api/v1/sessions/%d/%s", id, name), body, nil)
	}
	cmd(s.Admin, "assign", map[string]any{"agent_id": other.ID}) // the agents are offline: an admin directs the chat
	cmd(otherToken, "connect", map[string]any{})
	cmd(s.Admin, "message", map[string]any{"from": "end_user", "text": "I need someone from billing."})
	cmd(otherToken, "message", map[string]any{"text": "Let me find you a colleague from billing."})
	cmd(otherToken, "transfer", map[string]any{"kind": "agent", "agent_id": f.Agent.ID, "confirm": true})

	item := fmt.Sprintf(`.session-item[data-id="%d"]`, id)
	if err := chromedp.Do(ctx,
		s.signIn(f),
		chromedp.WaitVisible(chromedp.CSS(item)),
		clickJS(item),
		chromedp.WaitVisible(chromedp.CSS(`#transfer-banner .primary`)),
		clickJS(`#transfer-banner .primary`),
		chromedp.WaitVisible(chromedp.CSS(`#input`)),
		chromedp.SendKeys(chromedp.CSS(`#input`), "Hi Grace, billing here.\r"),
		waitJS(`document.querySelectorAll('.msg.agent').length === 2`),
		screenshot("desk-colleague-names"),
	); err != nil {
		t.Fatal(err)
	}
	who, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.msg.agent .meta')].map((m) => m.firstChild.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(who) != 2 || who[0] != "Charles Babbage" || who[1] != "You" {
		t.Fatalf("the agents' messages are signed %q, want Charles Babbage, then You", who)
	}
}
