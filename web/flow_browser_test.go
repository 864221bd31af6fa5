package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	sb "github.com/switchboardhq/switchboard"
)

// clickButton clicks the button under sel whose text is label, once it is
// there and enabled.
func clickButton(sel, label string) chromedp.Action[chromedp.Void] {
	return whenFound(fmt.Sprintf(`[...document.querySelectorAll(%q)].find(b => b.textContent.trim() === %q && !b.disabled)`, sel, label), `el.click()`)
}

// clickJS clicks the element sel names once it exists, looking it up at
// the moment of the click: lists that redraw replace their rows, and a
// node read before a redraw can no longer be clicked.
func clickJS(sel string) chromedp.Action[chromedp.Void] {
	return whenFound(fmt.Sprintf(`document.querySelector(%q)`, sel), `el.click()`)
}

// waitIn waits until a JavaScript expression is truthy in a frame.
func waitIn(frame *chromedp.Node, expr string) chromedp.Action[chromedp.Void] {
	return waitJS(expr, chromedp.WithPollingInFrame(frame))
}

// widgetFrame returns the widget's frame on a host page once the chat page
// inside it is ready. The frame's document replaces the blank one it
// starts with, and a node read too early still shows the blank one, so it
// reads the node again until the chat page is in it.
func widgetFrame(t *testing.T, ctx context.Context) *chromedp.Node {
	t.Helper()
	for range 30 {
		frames, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(".sbw-frame")))
		if err != nil || len(frames) != 1 {
			t.Fatalf("widget frame: %v %v", frames, err)
		}
		try, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = chromedp.Do(try, chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`), chromedp.FromNode(frames[0])))
		cancel()
		if err == nil {
			return frames[0]
		}
		if ctx.Err() != nil {
			break
		}
	}
	t.Fatal("the chat page never became ready in the widget's frame")
	return nil
}

// focusedInFrame waits until the widget's frame has the page's focus and
// its reply box has the frame's: the panel moves the focus there as it
// opens, and keys typed before that would land elsewhere.
func focusedInFrame(frame *chromedp.Node) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		waitJS(`document.activeElement && document.activeElement.classList.contains('sbw-frame')`),
		waitIn(frame, `document.activeElement && document.activeElement.id === 'input'`),
	)
}

// hostPage serves a shop page that carries the widget's embed snippet, on
// an origin of its own.
func hostPage(t *testing.T, s *stack, p sb.WebPlugin) string {
	t.Helper()
	var embed struct {
		Script string `json:"script"`
	}
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/web-plugins/%d/embed", p.ID), nil, &embed)
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop</h1><p>Orders, returns and invoices.</p>%s</body></html>`, embed.Script)
	}))
	t.Cleanup(host.Close)
	return host.URL
}

// TestChatFromEmbedToRating is the whole journey of issue 4 in real
// browsers: a visitor opens a shop page carrying the embed snippet and
// writes; an agent signs in, accepts the chat from the queue, answers with
// a quick reply, recalls and re-edits a message and transfers the chat to
// a colleague, who accepts it in their own desk and ends it; the visitor
// rates the chat. The visitor and the first agent share one browser (two
// tabs, as a tester would), the colleague has a browser of their own.
func TestChatFromEmbedToRating(t *testing.T) {
	s := startStack(t)
	ada := s.agentFixture()
	s.acceptByHand(ada) // the chat waits for Ada to accept it
	p := s.widgetFixture(ada)
	charles := agentFixture{Queue: ada.Queue, Email: "charles@example.com", Password: "analytical engine 1837"}
	s.must(s.Admin, "POST", "/api/v1/agents", map[string]any{"name": "Charles Babbage", "email": charles.Email,
		"groups": []int64{ada.Queue.ID}, "max_concurrent": 5}, &charles.Agent)
	const reply = "Thanks for waiting! Let me look into that for you."
	s.must(s.Admin, "POST", "/api/v1/quick-replies", map[string]any{"shortcut": "wait", "content": reply}, nil)
	var routing map[string]any
	s.must(s.Admin, "GET", "/api/v1/settings/routing", nil, &routing)
	routing["transfer_confirmation"] = true
	delete(routing, "updated_at")
	s.must(s.Admin, "PUT", "/api/v1/settings/routing", routing, nil)
	shop := hostPage(t, s, p)

	// The visitor opens the shop page and writes through the widget.
	visitor := newBrowser(t)
	do := func(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(visitor, chromedp.Navigate(shop),
		chromedp.WaitVisible(chromedp.CSS(`.sbw-root:not(.sbw-loading) .sbw-launcher`)),
		chromedp.Click(chromedp.CSS(".sbw-launcher")),
		chromedp.WaitVisible(chromedp.CSS(".sbw-open .sbw-panel")))
	frame := widgetFrame(t, visitor)
	in := chromedp.FromNode(frame)
	do(visitor, focusedInFrame(frame),
		chromedp.SendKeys(chromedp.CSS("#input"), "Hello, my parcel is late (order A-1001).\n", in),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me:not(.pending)`), in),
		screenshot("flow-1-visitor-waiting"))
	sess := s.visitorSession(0)
	item := fmt.Sprintf(`.session-item[data-id="%d"]`, sess.ID)

	// Ada signs in in another tab, goes online, accepts the chat from the
	// queue and answers with the quick reply.
	desk, closeDesk := chromedp.NewContext(visitor)
	defer closeDesk()
	do(desk, s.signIn(ada), goOnline(),
		chromedp.Click(chromedp.CSS(`.nav[data-view="queue"]`)),
		chromedp.WaitVisible(chromedp.CSS(item+` .si-accept`)),
		chromedp.Click(chromedp.CSS(item+` .si-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg.end_user`)),
		waitJS(`document.activeElement && document.activeElement.id === 'input'`),
		chromedp.SendKeys(chromedp.CSS(`#input`), "/wa"),
		chromedp.WaitVisible(chromedp.CSS(`#qr-menu [data-shortcut="wait"]`)),
		chromedp.SendKeys(chromedp.CSS(`#input`), kb.Enter),
		waitJS(fmt.Sprintf(`document.querySelector('#input').value === %q`, reply)),
		chromedp.SendKeys(chromedp.CSS(`#input`), kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.msg.agent .recall`)),
		// The reply box empties once the server has the message.
		waitJS(`document.querySelector('#input').value === ''`))
	do(visitor, waitIn(frame, fmt.Sprintf(`[...document.querySelectorAll('.msg.them .text')].some(e => e.textContent === %q)`, reply)))

	// A second answer goes out with a typo; Ada recalls it, finds its text
	// back in the reply box, corrects it and sends it again. The box holds
	// the text until the server has the message: only once it is empty
	// can the text in it be the recalled one.
	do(desk, chromedp.SendKeys(chromedp.CSS(`#input`), "Your parcel left the depot on Mondya.\r"),
		waitJS(`document.querySelector('#input').value === ''`),
		whenFound(`document.querySelectorAll('.msg.agent .recall').length === 2 && [...document.querySelectorAll('.msg.agent .recall')].pop()`, `el.click()`),
		waitJS(`document.querySelector('#input').value === "Your parcel left the depot on Mondya."`),
		whenFound(`document.querySelector('#input')`, `el.value = el.value.replace('Mondya', 'Monday'); el.dispatchEvent(new Event('input'))`),
		chromedp.SendKeys(chromedp.CSS(`#input`), kb.Enter),
		waitJS(`[...document.querySelectorAll('.msg.agent:not(.recalled)')].some(m => m.textContent.includes('on Monday.'))`),
		screenshot("flow-2-desk-recalled-and-edited"))
	do(visitor, waitIn(frame, `[...document.querySelectorAll('.msg.them .text')].some(e => e.textContent === 'Your parcel left the depot on Monday.')`))

	// Charles signs in in his own browser and goes online; Ada transfers
	// the chat to him and he accepts it.
	colleague := newBrowser(t)
	do(colleague, s.signIn(charles), goOnline())
	do(desk, clickButton(`#conv-actions button`, "Transfer"),
		chromedp.WaitVisible(chromedp.CSS(`#dlg-transfer`)),
		waitJS(fmt.Sprintf(`[...document.querySelectorAll('#transfer-target option')].some(o => o.value === "%d" && !o.disabled)`, charles.Agent.ID)),
		chromedp.SetValue(chromedp.CSS(`#transfer-target`), fmt.Sprint(charles.Agent.ID)),
		chromedp.Click(chromedp.CSS(`#dlg-transfer button[value="ok"]`)),
		waitJS(`!document.querySelector('#transfer-banner').hidden`))
	do(colleague, chromedp.WaitVisible(chromedp.CSS(item)),
		chromedp.Click(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.CSS(`#transfer-banner .primary`)),
		screenshot("flow-3-transfer-request"),
		chromedp.Click(chromedp.CSS(`#transfer-banner .primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#input`)),
		chromedp.SendKeys(chromedp.CSS(`#input`), "Hi, Charles here: it arrives tomorrow.\r"),
		chromedp.WaitVisible(chromedp.CSS(`.msg.agent`)),
		clickButton(`#conv-actions button`, "End chat"),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-ok`)),
		chromedp.Click(chromedp.CSS(`#confirm-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#conv-actions .primary`))) // wrap up

	do(visitor, waitIn(frame, `[...document.querySelectorAll('.msg.them')].some(m => m.textContent.includes('Charles Babbage') && m.textContent.includes('it arrives tomorrow'))`))

	// The chat ended with both sides having written: the visitor is
	// invited and rates it.
	do(visitor, chromedp.WaitVisible(chromedp.CSS("form.rating"), in))
	do(visitor, chromedp.Click(chromedp.CSS(".star:nth-child(5)"), in),
		chromedp.Click(chromedp.CSS("form.rating button[type=submit]"), in),
		chromedp.WaitVisible(chromedp.CSS(".card-msg.receipt"), in),
		screenshot("flow-4-rated"))

	var got sb.Session
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d", sess.ID), nil, &got)
	if got.Status != sb.StatusFinished || got.Rating == nil || *got.Rating != 5 {
		t.Fatalf("session %d: status %s, rating %v; want finished and rated 5", got.ID, got.Status, got.Rating)
	}
	if len(got.Handles) != 2 || got.Handles[0].Agent.ID != ada.Agent.ID || got.Handles[1].Agent.ID != charles.Agent.ID {
		t.Fatalf("handles %+v, want Ada then Charles", got.Handles)
	}
	var transcript struct {
		Messages []struct {
			From     string `json:"from"`
			Text     string `json:"text"`
			Recalled bool   `json:"recalled"`
			Purpose  string `json:"purpose"`
		} `json:"messages"`
	}
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d/messages", sess.ID), nil, &transcript)
	var lines []string
	for _, m := range transcript.Messages {
		line := m.From + ": " + m.Text
		if m.Recalled {
			line += " (recalled)"
		}
		if m.Purpose != "" {
			line = m.From + "/" + m.Purpose
		}
		lines = append(lines, line)
	}
	want := []string{
		"end_user: Hello, my parcel is late (order A-1001).",
		"agent: " + reply,
		"agent: Your parcel left the depot on Mondya. (recalled)",
		"agent: Your parcel left the depot on Monday.",
		"agent: Hi, Charles here: it arrives tomorrow.",
		"system/rating_receipt",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("transcript:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestOfflineMessageAfterHours leaves a message through the widget while
// the group is closed; an agent assigns it to themselves in the desk and
// processes it.
func TestOfflineMessageAfterHours(t *testing.T) {
	s := startStack(t)
	ada := s.agentFixture()
	p := s.widgetFixture(ada)
	var plan struct {
		ID int64 `json:"id"`
	}
	// A plan with a holiday covering today and tomorrow: the group is closed.
	today := s.Clock.Now().UTC()
	s.must(s.Admin, "POST", "/api/v1/work-time-plans", map[string]any{"name": "Closed", "time_zone": "UTC",
		"weekly":   []map[string]any{{"weekday": "monday", "hours": []map[string]string{{"from": "09:00", "to": "17:00"}}}},
		"holidays": []map[string]string{{"from": today.AddDate(0, 0, -1).Format("2006-01-02"), "to": today.AddDate(0, 0, 1).Format("2006-01-02")}}}, &plan)
	q := ada.Queue
	q.WorkTimePlanID = plan.ID
	s.must(s.Admin, "PUT", fmt.Sprintf("/api/v1/queues/%d", q.ID), q, nil)
	p.AfterHours = sb.AfterHoursLeaveMessage
	s.must(s.Admin, "PUT", fmt.Sprintf("/api/v1/web-plugins/%d", p.ID), p, nil)

	var cfg struct {
		Open bool `json:"open"`
	}
	s.must("", "GET", "/api/v1/widget/"+p.Key, nil, &cfg)
	if cfg.Open {
		t.Fatalf("the widget's group is open; the test needs it closed")
	}
	visitor := newBrowser(t)
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.leave`)),
		chromedp.SendKeys(chromedp.CSS("#lm-name"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.CSS("#lm-email"), "grace@example.com"),
		chromedp.SendKeys(chromedp.CSS("#lm-content"), "Please call me back about my invoice."),
		chromedp.Click(chromedp.CSS("form.leave button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".sheet .done")),
		screenshot("flow-5-after-hours-message")); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []sb.OfflineMessage `json:"items"`
	}
	s.must(s.Admin, "GET", "/api/v1/offline-messages", nil, &list)
	if len(list.Items) != 1 || list.Items[0].Content != "Please call me back about my invoice." {
		t.Fatalf("offline messages %+v", list.Items)
	}
	m := list.Items[0]

	desk := newBrowser(t)
	row := fmt.Sprintf(`#view-offline tr[data-id="%d"]`, m.ID)
	if err := chromedp.Do(desk, s.signIn(ada),
		chromedp.Click(chromedp.CSS(`.nav[data-view="offline"]`)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		clickJS(row),
		chromedp.WaitVisible(chromedp.CSS(`#view-offline .detail select[name="status"]`)),
		chromedp.Click(chromedp.CSS(`#view-offline .detail button[type="button"]`)), // Assign to me
		waitJS(fmt.Sprintf(`document.querySelector('%s td:last-child')?.textContent === 'Me'`, row)),
		// Under "Mine" the message stays in the list whatever its status.
		chromedp.Click(chromedp.CSS(`#view-offline [data-list="mine"]`)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		clickJS(row),
		chromedp.SetValue(chromedp.CSS(`#view-offline .detail select[name="status"]`), "processing"),
		chromedp.Click(chromedp.CSS(`#view-offline .detail button[type="submit"]`)),
		waitJS(fmt.Sprintf(`document.querySelector('%s td:nth-child(4)')?.textContent === 'Processing'`, row)),
		clickJS(row),
		chromedp.SetValue(chromedp.CSS(`#view-offline .detail select[name="status"]`), "processed"),
		chromedp.SendKeys(chromedp.CSS(`#view-offline .detail textarea[name="note"]`), "Called back, invoice resent."),
		chromedp.Click(chromedp.CSS(`#view-offline .detail button[type="submit"]`)),
		waitJS(fmt.Sprintf(`document.querySelector('%s td:nth-child(4)')?.textContent === 'Processed'`, row)),
		chromedp.Click(chromedp.CSS(`#view-offline [data-list="processed"]`)),
		chromedp.WaitVisible(chromedp.CSS(row)),
		screenshot("flow-6-offline-processed")); err != nil {
		t.Fatal(err)
	}
	var got sb.OfflineMessage
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/offline-messages/%d", m.ID), nil, &got)
	if got.AssigneeID != ada.Agent.ID || got.Status != sb.OfflineProcessed || got.ProcessedAt == nil || got.Note != "Called back, invoice resent." {
		t.Fatalf("offline message %+v, want it assigned to Ada and processed with the note", got)
	}
}
