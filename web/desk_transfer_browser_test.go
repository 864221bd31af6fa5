package web_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
)

// A colleague offers a chat to the agent, who must confirm: the agent sees
// the request, accepts it, answers with a text and a picture (shown inline
// from its thumbnail), ends the chat and wraps it up.
func TestDeskIncomingTransferEndAndWrapUp(t *testing.T) {
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
	cmd(s.Admin, "assign", map[string]any{"agent_id": other.ID}) // offline: given to them
	cmd(otherToken, "connect", map[string]any{})
	cmd(s.Admin, "message", map[string]any{"from": "end_user", "text": "I need someone from billing."})
	cmd(otherToken, "transfer", map[string]any{"kind": "agent", "agent_id": f.Agent.ID, "confirm": true})

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	item := css(fmt.Sprintf(`.session-item[data-id="%d"]`, id))
	err = chromedp.Do(ctx,
		s.signIn(f),
		chromedp.WaitVisible(item),
		clickJS(string(item)),
		chromedp.WaitVisible(css(`#transfer-banner .primary`)),
		screenshot("transfer-request"),
		clickJS(`#transfer-banner .primary`),
		chromedp.WaitVisible(css(`#input`)),
		chromedp.SendKeys(css(`#input`), "Hi Grace, billing here.\r"),
		chromedp.WaitVisible(css(`.msg.agent`)),
		chromedp.SetUploadFiles(css(`#file-image`), []string{writePNG(t, 400, 300)}),
		chromedp.WaitVisible(css(`.msg.agent img.thumb`)),
		waitJS(`document.querySelector(".msg.agent img.thumb").naturalWidth > 0`),
		screenshot("image-sent"),
		clickJS(`#conv-actions .danger`),
		chromedp.WaitVisible(css(`#confirm-ok`)),
		clickJS(`#confirm-ok`),
		chromedp.WaitVisible(css(`#conv-actions .primary`)), // Wrap up
		clickJS(`#conv-actions .primary`),
		chromedp.WaitVisible(css(`#wrapup-code`)),
		chromedp.SendKeys(css(`#wrapup-code`), "resolved"),
		chromedp.SendKeys(css(`#wrapup-note`), "Moved the invoice address."),
		screenshot("wrap-up"),
		clickJS(`#wrapup-form button[value="ok"]`),
		chromedp.WaitVisible(css(`.session-item[aria-selected="true"] .pill`)),
		chromedp.WaitNotPresent(css(`#conv-actions .primary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got sb.Session
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d", id), nil, &got)
	if got.Status != sb.StatusFinished || got.DisconnectedBy != "agent" {
		t.Fatalf("session: status %s, disconnected by %q; want finished by the agent", got.Status, got.DisconnectedBy)
	}
	if got.Agent == nil || got.Agent.ID != f.Agent.ID {
		t.Fatalf("the chat is with %+v, want %s after the accepted transfer", got.Agent, f.Agent.Name)
	}
	if got.Disposition == nil || got.Disposition.Code != "resolved" || got.Disposition.Note != "Moved the invoice address." {
		t.Fatalf("disposition %+v, want code resolved with the note", got.Disposition)
	}
}

// writePNG writes a w×h PNG picture to a temporary file and returns its path.
func writePNG(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: 120, B: uint8(y * 255 / h), A: 255})
		}
	}
	path := filepath.Join(t.TempDir(), "photo.png")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
	return path
}
