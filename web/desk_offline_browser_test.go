package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// An agent takes an unprocessed offline message, moves it to processing
// with a note, and finds it under "Mine".
func TestDeskOfflineMessageAssignToMe(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	var m sb.OfflineMessage
	s.must(s.Admin, "POST", "/api/v1/offline-messages", map[string]any{"name": "Grace Hopper", "email": "grace@example.com",
		"content": "Please call me back about my order."}, &m)
	s.must(s.Admin, "POST", "/api/v1/offline-messages", map[string]any{"name": "Alan Turing", "email": "alan@example.com", "content": "Opening hours?"}, nil)

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	row := fmt.Sprintf(`#view-offline tr[data-id="%d"]`, m.ID)
	err := chromedp.Do(ctx,
		s.signIn(f),
		clickJS(`.nav[data-view="offline"]`),
		chromedp.WaitVisible(css(row)),
		clickJS(row),
		chromedp.WaitVisible(css(`#view-offline .detail select[name="status"]`)),
		clickJS(`#view-offline .detail button[type="button"]`), // Assign to me
		waitJS(fmt.Sprintf(`document.querySelector('%s td:last-child')?.textContent === 'Me'`, row)),
		clickJS(row),
		chromedp.SetValue(css(`#view-offline .detail select[name="status"]`), "processing"),
		chromedp.SendKeys(css(`#view-offline .detail textarea[name="note"]`), "Called, no answer."),
		clickJS(`#view-offline .detail button[type="submit"]`),
		waitJS(`[...document.querySelectorAll('.toast')].some(t => t.textContent.includes('Saved.'))`),
		clickJS(`#view-offline [data-list="mine"]`),
		waitJS(`document.querySelectorAll('#view-offline tbody tr[data-id]').length === 1`),
		screenshot("offline"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got sb.OfflineMessage
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/offline-messages/%d", m.ID), nil, &got)
	if got.AssigneeID != f.Agent.ID || got.Status != sb.OfflineProcessing || got.Note != "Called, no answer." {
		t.Fatalf("offline message %+v, want it assigned to the agent, processing, with the note", got)
	}
}
