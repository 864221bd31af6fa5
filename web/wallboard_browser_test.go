package web_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// signInSupervisor creates a supervisor and signs in through the login
// page, landing on the console page of route.
func (s *stack) signInSupervisor(route string) chromedp.Action[chromedp.Void] {
	const email, password = "sam@example.com", "correct horse battery"
	s.must(s.Admin, "POST", "/api/v1/users", map[string]any{"email": email, "name": "Sam Supervisor",
		"role": sb.RoleSupervisor, "password": password}, nil)
	return chromedp.Steps(
		chromedp.Navigate(s.URL+"/login?next="+url.QueryEscape("/admin#"+route)),
		loginForm(),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".page-head h1")),
	)
}

// A supervisor opens the wallboard: the group's tile shows the chat that
// waits, its wait ticking; when the agent picks the chat up, the live
// frame brings the count down to 0 and the agent's load up.
func TestWallboardInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	var sales struct{ ID int64 }
	s.must(s.Admin, "POST", "/api/v1/queues", map[string]any{"name": "Sales"}, &sales)
	var bob struct{ ID int64 }
	s.must(s.Admin, "POST", "/api/v1/agents", map[string]any{"name": "Bob Sales", "email": "bob@example.com",
		"groups": []int64{sales.ID}, "max_concurrent": 2}, &bob)
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/agents/%d/status", bob.ID), map[string]any{"status": "online"}, nil)
	// Ada is offline: the chat waits in Support.
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper"}}, &created)
	s.Clock.Advance(42 * time.Second)

	support := fmt.Sprintf(`.wb-tile[data-group="%d"]`, f.Queue.ID)
	text := func(sel, want string) chromedp.Action[chromedp.Void] {
		return waitJS(fmt.Sprintf(`document.querySelector(%q)?.textContent === %q`, sel, want))
	}
	err := chromedp.Do(ctx,
		s.signInSupervisor("/wallboard"),
		waitText(".page-head h1", "Wallboard"),
		// A supervisor's navigation has the wallboard but no settings.
		waitJS(`!!document.querySelector('.nav-link[href="#/wallboard"]') && !document.querySelector('.nav-link[href="#/web-plugins"], .nav-link[href="#/users"], .nav-link[href="#/routing"]')`),
		text(support+" [data-waiting]", "1"),
		text(support+" .wb-name", "Support"),
		waitJS(`document.querySelector('.wb-state').textContent === "Live"`),
		// The longest wait starts at the server's 42 s and ticks on.
		waitJS(fmt.Sprintf(`/^0:4[3-9]$/.test(document.querySelector('%s [data-clock]').textContent)`, support)),
		waitJS(fmt.Sprintf(`document.querySelector('%s').classList.contains("wb-warn")`, support)),
		text(fmt.Sprintf(`.wb-tile[data-group="%d"] [data-waiting]`, sales.ID), "0"),
		text(`[data-total="waiting"] .wb-fig-value`, "1"),
		screenshot("wallboard-waiting"),
	)
	if err != nil {
		t.Fatal(err)
	}

	// An administrator gives the chat to Ada (offline, she could not pick
	// it up herself); the next tick pushes the change.
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/assign", created.Session.ID), map[string]any{"agent_id": f.Agent.ID}, nil)
	s.must(f.Token, "POST", fmt.Sprintf("/api/v1/sessions/%d/connect", created.Session.ID), nil, nil)
	s.Clock.Advance(time.Second)
	err = chromedp.Do(ctx,
		text(support+" [data-waiting]", "0"),
		text(support+" [data-clock]", "0:00"),
		text(`[data-total="waiting"] .wb-fig-value`, "0"),
		waitJS(fmt.Sprintf(`document.querySelector('%s .wb-load span').textContent.startsWith("1 in hand")`, support)),
		screenshot("wallboard-picked-up"),
		// Full screen, for a wall TV: the navigation goes.
		chromedp.Click(chromedp.CSS(".page-actions button")),
		waitJS(`document.body.classList.contains("wallboard-tv") && getComputedStyle(document.querySelector(".sidebar")).display === "none"`),
		screenshot("wallboard-tv"),
	)
	if err != nil {
		t.Fatal(err)
	}
}
