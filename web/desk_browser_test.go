package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// acceptByHand closes the fixture's group to automatic assignment: its
// plan makes today a holiday and routing assigns only in work hours. Chats
// wait there, however agents stand, until one accepts them.
func (s *stack) acceptByHand(f agentFixture) {
	s.t.Helper()
	var plan struct {
		ID int64 `json:"id"`
	}
	today := s.Clock.Now().UTC()
	s.must(s.Admin, "POST", "/api/v1/work-time-plans", map[string]any{"name": "Holiday", "time_zone": "UTC",
		"weekly":   []map[string]any{{"weekday": "monday", "hours": []map[string]string{{"from": "09:00", "to": "17:00"}}}},
		"holidays": []map[string]string{{"from": today.AddDate(0, 0, -1).Format("2006-01-02"), "to": today.AddDate(0, 0, 1).Format("2006-01-02")}}}, &plan)
	q := f.Queue
	q.WorkTimePlanID = plan.ID
	s.must(s.Admin, "PUT", fmt.Sprintf("/api/v1/queues/%d", q.ID), q, nil)
	var routing map[string]any
	s.must(s.Admin, "GET", "/api/v1/settings/routing", nil, &routing)
	routing["only_work_hours"] = true
	delete(routing, "updated_at")
	s.must(s.Admin, "PUT", "/api/v1/settings/routing", routing, nil)
}

// goOnline sets the signed-in agent online from the desk's status menu.
func goOnline() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`#status-btn`)),
		chromedp.Click(chromedp.CSS(`#status-menu [data-status="online"]`)),
		waitJS(`document.querySelector('#status-label').textContent.toLowerCase().includes('online')`))
}

// An agent signs in, sees a waiting chat, cannot accept it while offline
// (the desk shows the server's reason), goes online and accepts it,
// answers with a quick reply chosen with "/", then recalls the answer and
// finds its text back in the reply box to edit.
func TestDeskAcceptQuickReplyRecall(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	s.acceptByHand(f)

	const reply = "Thanks for waiting! Let me look into that for you."
	code := s.call(s.Admin, "POST", "/api/v1/quick-replies", map[string]any{"shortcut": "wait", "content": reply}, nil)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("create quick reply: status %d", code)
	}
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper", "email": "grace@example.com"}}, &created)
	id := created.Session.ID
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/message", id),
		map[string]any{"from": "end_user", "text": "Hello, my order has not arrived."}, nil)

	item := fmt.Sprintf(`.session-item[data-id="%d"]`, id)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	value := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Value(css("#input")))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	err := chromedp.Do(ctx,
		s.signIn(f),
		chromedp.Click(css(`.nav[data-view="queue"]`)),
		chromedp.WaitVisible(css(item+` .si-accept`)),
		screenshot("queue"),
		chromedp.Click(css(item+` .si-accept`)),
		waitJS(`[...document.querySelectorAll('.toast.error')].some(t => t.textContent.includes('is offline: an agent picks up sessions only while online or invisible'))`),
		screenshot("accept-refused"),
		goOnline(),
		chromedp.Click(css(`.nav[data-view="queue"]`)),
		clickJS(item+` .si-accept`),
		chromedp.WaitVisible(css(`#input`)),
		chromedp.WaitVisible(css(`.msg.end_user`)),
		screenshot("accepted"),
		// Accepting moves the focus to the reply box; keys typed before
		// that would land elsewhere.
		waitJS(`document.activeElement && document.activeElement.id === 'input'`),
		chromedp.SendKeys(css(`#input`), "/wa"),
		chromedp.WaitVisible(css(`#qr-menu [data-shortcut="wait"]`)),
		screenshot("quick-replies"),
		chromedp.SendKeys(css(`#input`), kb.Enter),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(); got != reply {
		t.Fatalf("after choosing the quick reply the input holds %q, want %q", got, reply)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css(`#input`), kb.Enter),
		chromedp.WaitVisible(css(`.msg.agent .recall`)),
		// The box empties once the server has the message.
		waitJS(`document.querySelector('#input').value === ''`),
		screenshot("conversation"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(); got != "" {
		t.Fatalf("the input holds %q after sending, want it empty", got)
	}
	var transcript struct {
		Messages []struct {
			From     string `json:"from"`
			Text     string `json:"text"`
			Recalled bool   `json:"recalled"`
		} `json:"messages"`
	}
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d/messages", id), nil, &transcript)
	if n := len(transcript.Messages); n == 0 || transcript.Messages[n-1].From != "agent" || transcript.Messages[n-1].Text != reply {
		t.Fatalf("the agent's reply is not the last message: %+v", transcript.Messages)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(css(`.msg.agent .recall`)),
		chromedp.WaitVisible(css(`.msg.agent.recalled`)),
		screenshot("recalled"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The text comes back once the server has taken the message back,
	// which may be after the recall shows in the transcript.
	if err := chromedp.Do(ctx, waitJS(fmt.Sprintf(`document.querySelector('#input').value === %q`, reply))); err != nil {
		t.Fatalf("after the recall the input holds %q, want the recalled text %q (%v)", value(), reply, err)
	}
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d/messages", id), nil, &transcript)
	if last := transcript.Messages[len(transcript.Messages)-1]; !last.Recalled {
		t.Fatalf("the server does not have the reply recalled: %+v", last)
	}
}
