package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// signInAdmin creates an administrator and signs in through the login
// page, landing on the console page of route.
func (s *stack) signInAdmin(route string) chromedp.Action[chromedp.Void] {
	const email, password = "grace@example.com", "correct horse battery"
	s.must(s.Admin, "POST", "/api/v1/users", map[string]any{"email": email, "name": "Grace Hopper",
		"role": sb.RoleAdmin, "password": password}, nil)
	return chromedp.Steps(
		chromedp.Navigate(s.URL+"/login?next="+url.QueryEscape("/admin#"+route)),
		loginForm(),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".page-head h1")),
	)
}

// js runs a script in the page.
func js(script string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](script)
}

// typeInto replaces the value of the form control the console labels
// label (the bound form listens to input events), once the form shows it.
func typeInto(label, value string) chromedp.Action[chromedp.Void] {
	return whenFound(fmt.Sprintf(`(() => {
			const l = [...document.querySelectorAll(".editor label, .settings label, dialog[open] label")].find((l) => !l.closest("[hidden]") && l.textContent.replace("*", "").trim() === %q);
			const c = l && document.getElementById(l.htmlFor);
			return c && !c.disabled ? c : null;
		})()`, label),
		fmt.Sprintf(`el.value = %q; el.dispatchEvent(new Event(el.tagName === "SELECT" ? "change" : "input", { bubbles: true }))`, value))
}

// waitText waits until an element matching css shows text.
func waitText(css, text string) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf(`[...document.querySelectorAll(%q)].some((e) => !e.closest("[hidden]") && e.textContent.includes(%q))`, css, text))
}

// newEditor opens the blank editor of the console page on screen, and
// waits until it replaced whatever the editor showed before.
func newEditor(noun string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		waitJS(`!document.querySelector(".loading")`),
		chromedp.Click(chromedp.CSS(".page-actions button")),
		waitText(".editor-head h2", "New "+noun),
	)
}

// TestAdminConsoleInBrowser signs in and clicks through the console
// against the real API (so every write carries the login's CSRF token): a
// refusal shown beside its field, a create, the unsaved-change guard,
// ordering session tags, settings saves and refusals, a web plugin's embed
// code, quick replies, and every page of the navigation.
func TestAdminConsoleInBrowser(t *testing.T) {
	s := startStack(t)
	ctx := newBrowser(t)

	// A field error, then a create.
	err := chromedp.Do(ctx,
		s.signInAdmin("/customer-tags"),
		waitText(".who-name", "Grace Hopper"),
		newEditor("customer tag"),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".field-error", "Name is required"),
		screenshot("admin-field-error"),
		typeInto("Name", "VIP"),
		typeInto("Priority level", "9"),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".editor-head h2", "VIP"),
		waitText(".rows .row-title", "VIP"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var tags struct{ Items []sb.CustomerTag }
	s.must(s.Admin, "GET", "/api/v1/customer-tags", nil, &tags)
	if len(tags.Items) != 1 || tags.Items[0].Name != "VIP" || tags.Items[0].Level != 9 {
		t.Fatalf("customer tags after the form: %+v", tags.Items)
	}

	// Unsaved changes hold the page until the user lets them go.
	var hash string
	err = chromedp.Do(ctx,
		typeInto("Name", "VIP customers"),
		chromedp.Click(chromedp.CSS(`.nav-link[href="#/session-tags"]`)),
		chromedp.WaitVisible(chromedp.CSS("dialog[open]")),
		screenshot("admin-unsaved-guard"),
		chromedp.Click(chromedp.CSS(`dialog button[value="cancel"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("dialog")),
	)
	if err == nil {
		hash, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.nav-link[aria-current="page"]').textContent`))
	}
	if err != nil {
		t.Fatal(err)
	}
	if hash != "Customer tags" {
		t.Fatalf("after Cancel the console shows %q", hash)
	}

	// Ordering within a level saves the siblings' positions.
	var billing, refund, invoice sb.SessionTag
	s.must(s.Admin, "POST", "/api/v1/session-tags", map[string]any{"name": "Billing"}, &billing)
	s.must(s.Admin, "POST", "/api/v1/session-tags", map[string]any{"name": "Refund", "parent_id": billing.ID, "position": 0}, &refund)
	s.must(s.Admin, "POST", "/api/v1/session-tags", map[string]any{"name": "Invoice", "parent_id": billing.ID, "position": 1}, &invoice)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.nav-link[href="#/session-tags"]`)),
		chromedp.WaitVisible(chromedp.CSS("dialog[open]")),
		chromedp.Click(chromedp.CSS(`dialog button[value="ok"]`)),
		waitText(".page-head h1", "Session tags"),
		waitText(".rows .row-title", "Invoice"),
		whenFound(`document.querySelector('[aria-label="Move Invoice up"]')`, `el.click()`),
		waitJS(`[...document.querySelectorAll(".rows .row-title")].map((e) => e.textContent).join() === "Billing,Invoice,Refund"`),
		screenshot("admin-session-tags"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]int{invoice.ID: 0, refund.ID: 1} {
		var got sb.SessionTag
		s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/session-tags/%d", id), nil, &got)
		if got.Position != want {
			t.Errorf("%s is at position %d, want %d", got.Name, got.Position, want)
		}
	}

	// A settings page saves the whole document.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.nav-link[href="#/routing"]`)),
		waitText(".page-head h1", "Routing"),
		typeInto("A transfer fails after", "2"),
		whenFound(`document.querySelector('[aria-label="A transfer fails after unit"]')`, `el.value = "60"; el.dispatchEvent(new Event("change", { bubbles: true }))`),
		chromedp.Click(chromedp.CSS(".savebar button.primary")),
		waitText(".toast", "Settings saved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	var rs sb.RoutingSettings
	s.must(s.Admin, "GET", "/api/v1/settings/routing", nil, &rs)
	if rs.TransferTimeoutSeconds != 120 {
		t.Fatalf("transfer timeout %d s after saving 2 minutes", rs.TransferTimeoutSeconds)
	}

	// A new web plugin shows its embed code, with the key the server made.
	if s.call(s.Admin, "GET", "/api/v1/web-plugins", nil, nil) == http.StatusOK {
		var script string
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.nav-link[href="#/web-plugins"]`)),
			waitText(".page-head h1", "Web plugins"),
			newEditor("web plugin"),
			typeInto("Name", "Main website"),
			chromedp.Click(chromedp.CSS(".savebar button.primary")),
			waitText(".code", "/widget.js"),
			screenshot("admin-web-plugin"),
		)
		if err == nil {
			script, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".code")))
		}
		if err != nil {
			t.Fatal(err)
		}
		var plugins struct{ Items []sb.WebPlugin }
		s.must(s.Admin, "GET", "/api/v1/web-plugins", nil, &plugins)
		if len(plugins.Items) != 1 || plugins.Items[0].Key == "" || !strings.Contains(script, `data-plugin="`+plugins.Items[0].Key+`"`) {
			t.Fatalf("embed code %q for plugins %+v", script, plugins.Items)
		}
	}

	// A quick reply with its category, through the category dialog.
	if s.call(s.Admin, "GET", "/api/v1/quick-replies", nil, nil) == http.StatusOK {
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.nav-link[href="#/quick-replies"]`)),
			waitText(".page-head h1", "Quick replies"),
			chromedp.Click(chromedp.CSS(`[aria-label="New category"]`)),
			chromedp.SendKeys(chromedp.CSS("dialog[open] input"), "Shipping"),
			chromedp.Click(chromedp.CSS("dialog[open] button.primary")),
			waitText(".list-pane .row-title", "Shipping"),
			newEditor("quick reply"),
			typeInto("Shortcut", "track"),
			typeInto("Content", "Track your parcel with the link in your e-mail."),
			chromedp.Click(chromedp.CSS(".savebar button.primary")),
			waitText(".rows .row-title", "/track"),
			screenshot("admin-quick-replies"),
		)
		if err != nil {
			t.Fatal(err)
		}
		var qr struct {
			Categories []sb.QuickReplyCategory
			Replies    []sb.QuickReply
		}
		s.must(s.Admin, "GET", "/api/v1/quick-replies", nil, &qr)
		if len(qr.Categories) != 1 || len(qr.Replies) != 1 || qr.Replies[0].CategoryID != qr.Categories[0].ID || qr.Replies[0].Shortcut != "track" {
			t.Fatalf("quick replies after the form: %+v", qr)
		}
	}

	// A refusal of a settings document lands beside its field; Discard
	// changes brings back the saved values.
	if s.call(s.Admin, "GET", "/api/v1/settings/chat", nil, nil) == http.StatusOK {
		want := sb.DefaultChatSettings().DispatcherNickname
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.nav-link[href="#/chat"]`)),
			waitText(".page-head h1", "Chat features"),
			typeInto("Dispatcher nickname", ""),
			chromedp.Click(chromedp.CSS(".savebar button.primary")),
			waitText(".field-error", "Dispatcher nickname is required"),
			screenshot("admin-chat-settings-error"),
			chromedp.Click(chromedp.CSS(".savebar button:not(.primary):not(.danger)")),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The form is drawn again from the saved values.
		if err := chromedp.Do(ctx, waitJS(fmt.Sprintf(`document.querySelector(".settings input[type=text]")?.value === %q`, want))); err != nil {
			nick, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(".settings input[type=text]")))
			t.Fatalf("after Discard changes the nickname is %q, want %q (%v)", nick, want, err)
		}
	}

	// Every page of the navigation opens without an error once the API
	// behind it is served.
	for _, page := range []string{"web-plugins", "quick-replies", "templates", "chat", "csat", "users", "agents", "groups", "wallboard"} {
		var problem string
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.nav-link[href="#/`+page+`"]`)),
			waitJS(`document.querySelector('.nav-link[aria-current="page"]').getAttribute("href") === "#/`+page+`" && !document.querySelector(".loading")`),
		)
		if err == nil {
			problem, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".page > .form-error")?.textContent || ""`))
		}
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if problem != "" && !strings.Contains(problem, "does not offer") {
			t.Errorf("%s: %s", page, problem)
		}
		if strings.Contains(problem, "does not offer") && s.call(s.Admin, "GET", apiOf[page], nil, nil) != http.StatusNotFound {
			t.Errorf("%s says its API is missing, but %s answers", page, apiOf[page])
		}
	}
}

// apiOf is the collection or document each console page reads first.
var apiOf = map[string]string{
	"web-plugins": "/api/v1/web-plugins", "quick-replies": "/api/v1/quick-replies", "templates": "/api/v1/leave-message-templates",
	"chat": "/api/v1/settings/chat", "csat": "/api/v1/settings/csat", "users": "/api/v1/users",
	"agents": "/api/v1/agents", "groups": "/api/v1/queues", "wallboard": "/api/v1/wallboard",
}
