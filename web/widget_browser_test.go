package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
)

// widgetFixture is a web plugin routed to the agent fixture's queue.
func (s *stack) widgetFixture(f agentFixture) sb.WebPlugin {
	s.t.Helper()
	s.must(s.Admin, "POST", "/api/v1/routing-rules", map[string]any{"name": "web", "enabled": true, "match": "channel",
		"value": "web", "target": map[string]any{"queue_id": f.Queue.ID}}, nil)
	var p sb.WebPlugin
	s.must(s.Admin, "POST", "/api/v1/web-plugins", map[string]any{
		"name": "Acme", "title": "Acme Support", "theme_color": "#7c3aed", "banner": "Orders before 3 pm ship today.",
		"quick_buttons": []string{sb.ButtonHuman, sb.ButtonRate, sb.ButtonLeaveMessage},
		"toolbar":       []string{sb.ToolEmoji, sb.ToolImage, sb.ToolAttachment, sb.ToolRating, sb.ToolMessage},
		"after_hours":   "open_chat", "offline_messages": true,
		"sidebar": map[string]any{"faq": []map[string]string{{"question": "Where is my order?", "answer": "Track it at https://acme.example/track"}},
			"self_service": []string{"Cancel my order"}},
		"invitations": []map[string]any{{"after_seconds": 1, "text": "Need a hand?"}},
	}, &p)
	if p.Key == "" {
		s.t.Fatalf("web plugin without a key: %+v", p)
	}
	return p
}

// visitorSession returns the visitor's newest chat after skip. The caller
// waits first until the page shows that the server has the chat (a sent
// message no longer pending, a new conversation started).
func (s *stack) visitorSession(skip int64) sb.Session {
	s.t.Helper()
	var page struct {
		Sessions []sb.Session `json:"sessions"`
	}
	s.must(s.Admin, "GET", "/api/v1/sessions?channel=web&limit=10", nil, &page)
	for _, x := range page.Sessions {
		if x.ID > skip {
			return x
		}
	}
	s.t.Fatalf("the visitor's chat after %d is not on the server: %+v", skip, page.Sessions)
	return sb.Session{}
}

// TestWidgetChatPage drives the hosted chat page as a visitor while an
// agent answers through the API: a message each way (text rendered as
// text, links made safe), the rating the agent invites, and a new chat.
func TestWidgetChatPage(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	ctx := newBrowser(t)

	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return v
	}

	run(chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		screenshot("widget-intro"))
	if got := text("#title"); got != "Acme Support" {
		t.Errorf("title %q", got)
	}
	if got := text("#banner"); got != "Orders before 3 pm ship today." {
		t.Errorf("banner %q", got)
	}

	run(chromedp.SendKeys(chromedp.CSS("#input"), "Hello <b>there</b>\n"),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me[data-id]:not(.pending):not([data-id=""])`)))
	if got := text(".msg.me .text"); got != "Hello <b>there</b>" {
		t.Errorf("own message shown as %q", got)
	}
	sess := s.visitorSession(0)
	if sess.Channel != sb.ChannelWeb || !strings.HasPrefix(sess.Device, "Chrome on ") {
		t.Errorf("session channel %q, device %q", sess.Channel, sess.Device)
	}
	id := sess.ID

	// The chat is given to the agent (offline), who answers with a link.
	path := fmt.Sprintf("/api/v1/sessions/%d/", id)
	if code := s.call(s.Admin, "POST", path+"assign", map[string]any{"agent_id": f.Agent.ID}, nil); code != 200 && code != http.StatusConflict {
		t.Fatalf("assign: %d", code)
	}
	s.must(f.Token, "POST", path+"connect", nil, nil)
	s.must(f.Token, "POST", path+"message", map[string]any{"text": "Hi, I am Ada. See https://acme.example/orders/1. <img src=x>"}, nil)
	run(chromedp.WaitVisible(chromedp.CSS(".msg.them")), screenshot("widget-chatting"))
	if got := text(".msg.them .text"); got != "Hi, I am Ada. See https://acme.example/orders/1. <img src=x>" {
		t.Errorf("agent message shown as %q", got)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.msg.them a')].map(a => a.href + ' ' + a.target + ' ' + a.rel)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0] != "https://acme.example/orders/1 _blank noopener noreferrer nofollow" {
		t.Errorf("links %q", links)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#log img').length`)); n != 0 {
		t.Errorf("%d images made from message text", n)
	}

	// The visitor sends a picture; it shows inline from its thumbnail.
	img := writePNG(t, 320, 200)
	run(chromedp.SetUploadFiles(chromedp.CSS("#file-image"), []string{img}),
		chromedp.WaitVisible(chromedp.CSS(".msg.me .image img")), screenshot("widget-image"))
	if err := chromedp.Do(ctx, waitJS(`(() => { const i = document.querySelector('.msg.me .image img'); return i.complete && i.naturalWidth > 0; })()`)); err != nil {
		t.Errorf("the thumbnail did not load: %v", err)
	}
	var msgs struct {
		Messages []struct {
			Kind string `json:"kind"`
		} `json:"messages"`
	}
	s.must(s.Admin, "GET", path+"messages", nil, &msgs)
	if n := len(msgs.Messages); n == 0 || msgs.Messages[n-1].Kind != "image" {
		t.Errorf("transcript %+v: the last message is not the image", msgs.Messages)
	}

	// The agent ends the chat and invites a rating; the visitor gives five
	// stars with a tag.
	s.must(f.Token, "POST", path+"end", map[string]any{"disconnected_by": "agent"}, nil)
	s.must(f.Token, "POST", path+"invite-rating", nil, nil)
	run(chromedp.WaitVisible(chromedp.CSS("form.rating")),
		chromedp.Click(chromedp.CSS(".star:nth-child(5)")),
		chromedp.Click(chromedp.CSS(".tag")),
		screenshot("widget-rating"),
		chromedp.Click(chromedp.CSS("form.rating button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".card-msg.receipt")))
	var events struct {
		Events []sb.Event `json:"events"`
	}
	s.must(s.Admin, "GET", path+"events", nil, &events)
	rated := ""
	for _, e := range events.Events {
		if e.Type == "rated" {
			rated = string(e.Data)
		}
	}
	if !strings.Contains(rated, `"rating":5`) {
		t.Errorf("rated event %q", rated)
	}

	// "Continue consulting" starts a new chat.
	run(chromedp.Click(chromedp.CSS("#btn-continue")),
		// The new chat exists once the page follows it.
		waitJS(`document.getElementById('ended').hidden && !document.getElementById('btn-continue').disabled`))
	if next := s.visitorSession(id); next.ID == id {
		t.Errorf("no new chat")
	}
}

// TestWidgetLoaderInBrowser embeds the loader on a page of another origin:
// the launcher takes the plugin's colour, opens the chat in a frame, and
// the page gains only the Switchboard global.
func TestWidgetLoaderInBrowser(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop</title></head><body><h1>Shop</h1><script src="%s/widget.js" data-plugin="%s" async></script></body></html>`, s.URL, p.Key)
	}))
	t.Cleanup(host.Close)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(host.URL),
		chromedp.WaitVisible(chromedp.CSS(`.sbw-root:not(.sbw-loading) .sbw-launcher`)),
		chromedp.WaitVisible(chromedp.CSS(`.sbw-inviting .sbw-invite`)),
		screenshot("widget-invitation"),
		chromedp.Click(chromedp.CSS(".sbw-launcher")),
		chromedp.WaitVisible(chromedp.CSS(".sbw-open .sbw-panel")),
		screenshot("widget-open"),
	); err != nil {
		t.Fatal(err)
	}
	color, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.sbw-launcher')).backgroundColor`))
	if err != nil || color != "rgb(124, 58, 237)" {
		t.Errorf("launcher colour %q, %v", color, err)
	}
	src, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.sbw-frame').src`))
	if src != s.URL+"/chat/"+p.Key+"?embed=1" {
		t.Errorf("frame %q", src)
	}
	leaked, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const f = document.createElement('iframe'); document.body.appendChild(f);
		const clean = new Set(Object.keys(f.contentWindow)); f.remove();
		return Object.keys(window).filter(k => !clean.has(k) && !/^\d+$/.test(k)); })()`))
	if len(leaked) != 1 || leaked[0] != "Switchboard" {
		t.Errorf("globals added to the page: %q", leaked)
	}
	open, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`Switchboard.close(), Switchboard.isOpen()`))
	if open {
		t.Errorf("Switchboard.close() left the chat open")
	}
}

// TestWidgetLeaveMessage fills the leave-message form the plugin's
// template defines, first wrongly, and finds the message on the server.
func TestWidgetLeaveMessage(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.Click(chromedp.CSS(`[data-tool="message"]`)),
		chromedp.WaitVisible(chromedp.CSS("form.leave")),
		chromedp.SendKeys(chromedp.CSS("#lm-email"), "not an address"),
		chromedp.Click(chromedp.CSS("form.leave button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`#lm-email[aria-invalid="true"]`)),
		screenshot("widget-leave-errors"),
	); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Messages []sb.OfflineMessage `json:"items"`
	}
	s.must(s.Admin, "GET", "/api/v1/offline-messages", nil, &list)
	if len(list.Messages) != 0 {
		t.Fatalf("an invalid form was sent: %+v", list.Messages)
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('lm-email').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#lm-name"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.CSS("#lm-email"), "grace@example.com"),
		chromedp.SendKeys(chromedp.CSS("#lm-content"), "Please call me back about my invoice."),
		chromedp.Click(chromedp.CSS("form.leave button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".sheet .done")),
		screenshot("widget-leave-sent"),
	); err != nil {
		t.Fatal(err)
	}
	s.must(s.Admin, "GET", "/api/v1/offline-messages", nil, &list)
	if len(list.Messages) != 1 {
		t.Fatalf("offline messages %+v", list.Messages)
	}
	m := list.Messages[0]
	if m.Name != "Grace Hopper" || m.Email != "grace@example.com" || m.Content != "Please call me back about my invoice." || m.PluginID != p.ID || m.VisitorID == "" {
		t.Errorf("offline message %+v", m)
	}
}

// TestWidgetSignedInCustomer embeds the loader with a signed identity: the
// chat the visitor starts in the frame belongs to the verified customer,
// and a reply while the panel is closed shows on the launcher's badge.
func TestWidgetSignedInCustomer(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	mac := hmac.New(sha256.New, []byte(p.IdentitySecret))
	mac.Write([]byte("cust-42"))
	hash := hex.EncodeToString(mac.Sum(nil))
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Account</title></head><body><h1>Your account</h1>
<script>window.SwitchboardSettings = {userId: "cust-42", userHash: %q, name: "Grace Hopper", email: "grace@example.com"};</script>
<script src="%s/widget.js" data-plugin="%s" async></script></body></html>`, hash, s.URL, p.Key)
	}))
	t.Cleanup(host.Close)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(host.URL),
		chromedp.WaitVisible(chromedp.CSS(`.sbw-root:not(.sbw-loading) .sbw-launcher`)),
		chromedp.Click(chromedp.CSS(".sbw-launcher")),
		chromedp.WaitVisible(chromedp.CSS(".sbw-open .sbw-panel")),
	); err != nil {
		t.Fatal(err)
	}
	frame := widgetFrame(t, ctx)
	in := chromedp.FromNode(frame)
	if err := chromedp.Do(ctx,
		focusedInFrame(frame),
		chromedp.SendKeys(chromedp.CSS("#input"), "Hi, it is Grace\n", in),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me:not(.pending)`), in),
	); err != nil {
		t.Fatal(err)
	}
	sess := s.visitorSession(0)
	if sess.EndUser.Identifier != "u:cust-42" || sess.EndUser.Name != "Grace Hopper" || sess.EndUser.Email != "grace@example.com" {
		t.Errorf("the chat's customer is %+v, want the verified cust-42", sess.EndUser)
	}

	// Closed, the launcher counts the agent's reply.
	path := fmt.Sprintf("/api/v1/sessions/%d/", sess.ID)
	if code := s.call(s.Admin, "POST", path+"assign", map[string]any{"agent_id": f.Agent.ID}, nil); code != 200 && code != http.StatusConflict {
		t.Fatalf("assign: %d", code)
	}
	s.must(f.Token, "POST", path+"connect", nil, nil)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".sbw-launcher")),
		chromedp.WaitReady(chromedp.CSS(`.sbw-root:not(.sbw-open) .sbw-panel[aria-hidden="true"]`))); err != nil {
		t.Fatal(err)
	}
	s.must(f.Token, "POST", path+"message", map[string]any{"text": "Hello Grace!"}, nil)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".sbw-has-unread .sbw-badge")),
		waitJS(`document.querySelector('.sbw-badge').textContent === "1" && document.querySelector('.sbw-inviting .sbw-invite-text')?.textContent === "Ada Lovelace: Hello Grace!"`),
		screenshot("widget-unread")); err != nil {
		badge, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.sbw-badge')?.textContent ?? ""`))
		preview, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.sbw-inviting .sbw-invite-text')?.textContent ?? ""`))
		t.Fatalf("badge %q and preview %q, want 1 and the agent's reply (%v)", badge, preview, err)
	}
}

// TestWidgetTypingAndRecall follows a chat over the WebSocket from the
// agent's side: typing notices cross both ways, and a message the visitor
// recalls is gone for the agent and back in the visitor's input.
func TestWidgetTypingAndRecall(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.SendKeys(chromedp.CSS("#input"), "Which size should I order?\n"),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me:not(.pending)`)),
	); err != nil {
		t.Fatal(err)
	}
	sess := s.visitorSession(0)
	path := fmt.Sprintf("/api/v1/sessions/%d/", sess.ID)
	if code := s.call(s.Admin, "POST", path+"assign", map[string]any{"agent_id": f.Agent.ID}, nil); code != 200 && code != http.StatusConflict {
		t.Fatalf("assign: %d", code)
	}
	s.must(f.Token, "POST", path+"connect", nil, nil)

	wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(wctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/api/v1/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + f.Token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(v any) {
		t.Helper()
		b, _ := json.Marshal(v)
		if err := conn.Write(wctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	// await reads frames until one satisfies ok.
	await := func(what string, ok func(map[string]any) bool) {
		t.Helper()
		for {
			_, b, err := conn.Read(wctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			var m map[string]any
			if json.Unmarshal(b, &m) == nil && ok(m) {
				return
			}
		}
	}
	send(map[string]any{"op": "subscribe", "session_id": sess.ID, "after_seq": 0})
	await("subscribed", func(m map[string]any) bool { return m["op"] == "subscribed" })

	send(map[string]any{"op": "typing", "session_id": sess.ID, "typing": true})
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#typing")), screenshot("widget-typing")); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#typing-text"))); !strings.HasSuffix(got, "is typing…") {
		t.Errorf("typing notice %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#input"), "Actually")); err != nil {
		t.Fatal(err)
	}
	await("the visitor typing", func(m map[string]any) bool {
		return m["op"] == "typing" && m["from"] == "end_user" && m["typing"] == true
	})

	// The visitor recalls the first message: the agent sees the recall and
	// the text returns to the visitor's input.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById('input').value = ''`),
		chromedp.Click(chromedp.CSS(".msg.me .recall")),
		chromedp.WaitVisible(chromedp.CSS(".info.recalled")),
	); err != nil {
		t.Fatal(err)
	}
	await("the recall", func(m map[string]any) bool {
		e, _ := m["event"].(map[string]any)
		return m["op"] == "event" && e["type"] == "message_recalled"
	})
	if err := chromedp.Do(ctx, waitJS(`document.getElementById('input').value === "Which size should I order?"`)); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#input")))
		t.Errorf("input after the recall %q (%v)", v, err)
	}
}
