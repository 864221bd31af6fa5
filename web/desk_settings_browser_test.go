package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The desk shows what the server decides by the chat settings: a waiting
// chat it may not read yet (agents_may_view_waiting off) by its nickname
// and without its messages; once accepted, the chat with its messages, the
// visitor's name (show_visitor_name) and the chat's duration.
func TestDeskFollowsTheServersViewOfSettings(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	s.acceptByHand(f) // the chat waits until the agent accepts it
	var chat map[string]any
	s.must(s.Admin, "GET", "/api/v1/settings/chat", nil, &chat)
	delete(chat, "updated_at")
	chat["agents_may_view_waiting"], chat["visitor_nickname"], chat["show_visitor_name"] = false, "region", true
	s.must(s.Admin, "PUT", "/api/v1/settings/chat", chat, nil)
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper", "region": "Arlington"}}, &created)
	id := created.Session.ID
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/message", id),
		map[string]any{"from": "end_user", "text": "My account number is 0042."}, nil)

	item := fmt.Sprintf(`.session-item[data-id="%d"]`, id)
	name := fmt.Sprintf(`document.querySelector('%s .si-name')?.textContent`, item)
	err := chromedp.Do(ctx,
		s.signIn(f),
		chromedp.Click(chromedp.CSS(`.nav[data-view="queue"]`)),
		waitJS(name+` === 'Arlington Grace Hopper'`),
		chromedp.Click(chromedp.CSS(item+` .si-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#transcript .details-hidden`)),
		screenshot("waiting-hidden"),
	)
	if err != nil {
		t.Fatal(err)
	}
	leaked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.textContent.includes('0042')`))
	if err != nil {
		t.Fatal(err)
	}
	if leaked {
		t.Fatal("the desk shows the message of a chat the agent may not read yet")
	}
	err = chromedp.Do(ctx,
		goOnline(),
		chromedp.Click(chromedp.CSS(`#conv-actions .primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg.end_user`)),
		waitJS(`document.querySelector('#conv-name').textContent === 'Grace Hopper'`),
		waitJS(name+` === 'Grace Hopper'`),
		chromedp.WaitVisible(chromedp.CSS(item+` .si-dur`)),
		screenshot("accepted-named"),
	)
	if err != nil {
		t.Fatal(err)
	}
}
