package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// History finds an ended chat by the words of its messages and shows its
// transcript; a chat still going on is not history.
func TestDeskHistorySearch(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	chat := func(name, text string, end bool) int64 {
		t.Helper()
		var created struct {
			Session struct {
				ID int64 `json:"id"`
			} `json:"session"`
		}
		s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
			"end_user": map[string]any{"name": name}}, &created)
		id := created.Session.ID
		s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/message", id), map[string]any{"from": "end_user", "text": text}, nil)
		if end {
			s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/end", id), map[string]any{"disconnected_by": "end_user"}, nil)
		}
		return id
	}
	refund := chat("Grace Hopper", "Where is my refund for order 1042?", true)
	chat("Alan Turing", "The invoice address is wrong.", true)
	chat("Ken Thompson", "Another refund question, still waiting.", false)

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	err := chromedp.Do(ctx,
		s.signIn(f),
		clickJS(`.nav[data-view="history"]`),
		chromedp.WaitVisible(css(`#view-history input[name="q"]`)),
		chromedp.SendKeys(css(`#view-history input[name="q"]`), "refund\r"),
		waitJS(`document.querySelectorAll('#view-history tbody tr[data-id]').length === 1`),
		clickJS(fmt.Sprintf(`#view-history tr[data-id="%d"]`, refund)),
		chromedp.WaitVisible(css(`#view-history .msg.end_user`)),
		screenshot("history"),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(css(`#view-history .detail`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Where is my refund for order 1042?") || !strings.Contains(text, "Chat ended by the visitor") {
		t.Fatalf("the transcript reads %q, want the message and the end", text)
	}
}
