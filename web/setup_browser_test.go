package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// check ticks the console's checkbox whose label is text, within the
// field labelled field, once it is there.
func check(field, text string) chromedp.Action[chromedp.Void] {
	return whenFound(fmt.Sprintf(`[...document.querySelectorAll('.editor [role=group][aria-label=%q] label.check')].find((l) => l.textContent.trim() === %q)?.querySelector('input')`, field, text),
		`if (!el.checked) el.click()`)
}

// choose picks the option whose text starts with text in the console's
// select labelled label, once the option is there.
func choose(label, text string) chromedp.Action[chromedp.Void] {
	sel := fmt.Sprintf(`document.getElementById([...document.querySelectorAll('.editor label')].find((l) => l.textContent.replace('*', '').trim() === %q)?.htmlFor || '-')`, label)
	return whenFound(fmt.Sprintf(`[...(%s?.options || [])].find((o) => o.textContent.startsWith(%q))`, sel, text),
		`el.parentElement.value = el.value; el.parentElement.dispatchEvent(new Event('change', { bubbles: true }))`)
}

// newItem opens the blank editor of the console page route.
func newItem(route, title, noun string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`.nav-link[href="#/`+route+`"]`)),
		waitText(".page-head h1", title),
		newEditor(noun),
	)
}

// TestFirstChatAfterConsoleSetup is a new team's first hour: an
// administrator makes a skill group, an agent in it, the agent's login and
// a web plugin naming the group, all in the console; the agent goes online
// in the desk; a visitor opens the widget, is told the team is online (not
// away) and writes, and the chat reaches the agent.
func TestFirstChatAfterConsoleSetup(t *testing.T) {
	s := startStack(t)
	const email, password = "ada@example.com", "correct horse battery"
	admin := newBrowser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(admin, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(s.signInAdmin("/groups"),
		newItem("groups", "Skill groups", "skill group"),
		typeInto("Name", "Support"),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".rows .row-title", "Support"),

		newItem("agents", "Agents", "agent"),
		typeInto("Name", "Ada Lovelace"),
		typeInto("E-mail", email),
		check("Skill groups", "Support"),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".rows .row-title", "Ada Lovelace"),

		newItem("users", "Users", "user"),
		typeInto("Name", "Ada Lovelace"),
		typeInto("E-mail", email),
		choose("Acts as agent", "Ada Lovelace"),
		typeInto("Password", password),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".rows .row-title", "Ada Lovelace"),

		newItem("web-plugins", "Web plugins", "web plugin"),
		typeInto("Name", "Main website"),
		choose("Skill group", "Support"),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".code", "/widget.js"),
		screenshot("setup-web-plugin"),
	)
	var queues struct{ Items []sb.Queue }
	var plugins struct{ Items []sb.WebPlugin }
	s.must(s.Admin, "GET", "/api/v1/queues", nil, &queues)
	s.must(s.Admin, "GET", "/api/v1/web-plugins", nil, &plugins)
	if len(queues.Items) != 1 || len(plugins.Items) != 1 || plugins.Items[0].QueueID != queues.Items[0].ID {
		t.Fatalf("after the console: queues %+v, plugins %+v", queues.Items, plugins.Items)
	}
	p := plugins.Items[0]

	// The agent signs in to the desk and goes online.
	desk := newBrowser(t)
	if err := chromedp.Do(desk,
		chromedp.Navigate(s.URL+"/login?next=/desk"),
		loginForm(),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.Click(chromedp.CSS(`#status-btn`)),
		chromedp.Click(chromedp.CSS(`#status-menu [data-status="online"]`)),
		waitJS(`document.querySelector('#status-label').textContent.toLowerCase().includes('online')`),
	); err != nil {
		t.Fatal(err)
	}

	// The visitor is told the team is online, and writes.
	visitor := newBrowser(t)
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		waitText("#presence", "We are online"),
		chromedp.WaitVisible(chromedp.CSS("#input")),
		screenshot("setup-widget-online"),
		chromedp.SendKeys(chromedp.CSS("#input"), "Hello, is anyone there?\n"),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me:not(.pending)`)),
	); err != nil {
		t.Fatal(err)
	}
	sess := s.visitorSession(0)

	// The chat reaches the agent's desk, with the visitor's message.
	item := fmt.Sprintf(`.session-item[data-id="%d"]`, sess.ID)
	if err := chromedp.Do(desk,
		chromedp.WaitVisible(chromedp.CSS(item)),
		clickJS(item),
		waitText(".msg.end_user", "Hello, is anyone there?"),
		screenshot("setup-desk-chat"),
	); err != nil {
		t.Fatal(err)
	}
	var got sb.Session
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d", sess.ID), nil, &got)
	if len(got.QueueWaits) != 1 || got.QueueWaits[0].Queue.ID != p.QueueID || got.Agent == nil || got.Agent.Name != "Ada Lovelace" {
		t.Fatalf("session %d: waits %+v, agent %+v; want it queued in the plugin's group and given to Ada", got.ID, got.QueueWaits, got.Agent)
	}
}

// TestWidgetWithNoGroupSaysChatIsUnavailable: a plugin whose chats no
// routing rule matches and that names no group is not "away" (its group is
// not closed: there is none): the widget says chat is unavailable and
// offers the leave-message form instead of a chat that cannot start.
func TestWidgetWithNoGroupSaysChatIsUnavailable(t *testing.T) {
	s := startStack(t)
	var p sb.WebPlugin
	s.must(s.Admin, "POST", "/api/v1/web-plugins", map[string]any{"name": "Main website", "after_hours": "open_chat"}, &p)
	visitor := newBrowser(t)
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		waitText("#presence", "Chat is not available right now"),
		chromedp.WaitVisible(chromedp.CSS(`form.leave`)),
		screenshot("widget-no-group"),
	); err != nil {
		t.Fatal(err)
	}
	composer, err := chromedp.Run(visitor, chromedp.Evaluate[bool](`document.getElementById('composer').hidden`))
	if err != nil || !composer {
		t.Fatalf("the composer of a chat that cannot start is shown (hidden %v, %v)", composer, err)
	}
}

// TestWidgetWaitWithNoAgentAvailable: a visitor waiting while no agent of
// the group is available is told so, not given a made-up wait.
func TestWidgetWaitWithNoAgentAvailable(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture() // offline
	p := s.widgetFixture(f)
	visitor := newBrowser(t)
	if err := chromedp.Do(visitor, chromedp.EmulateViewport(420, 720),
		chromedp.Navigate(s.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.WaitVisible(chromedp.CSS("#input")),
		chromedp.SendKeys(chromedp.CSS("#input"), "Hello?\n"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
		waitText("#queue-detail", "No agent is available right now"),
		screenshot("widget-no-agent"),
	); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(visitor, chromedp.Text(chromedp.CSS("#queue")))
	if err != nil || strings.Contains(text, "Estimated wait") {
		t.Fatalf("the queue notice says %q (%v)", text, err)
	}
}
