package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// A wrong password is refused on the page; the right one opens the desk;
// signing out ends the login and a reload of the desk goes back to /login.
func TestLoginErrorDeskAndSignOut(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	s.must(s.Admin, "POST", "/api/v1/users", map[string]any{"email": f.Email, "name": f.Agent.Name,
		"role": sb.RoleAgent, "agent_id": f.Agent.ID, "password": f.Password}, nil)
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/desk"),
		loginForm(), // not signed in: sent to the login page
		chromedp.SendKeys(css("#email"), f.Email),
		chromedp.SendKeys(css("#password"), "not the password"),
		chromedp.Click(css("#login-submit")),
		chromedp.WaitVisible(css("#login-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(css("#login-error")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "password is wrong") {
		t.Fatalf("login error %q, want the server's message", msg)
	}
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("password").value = ""`),
		chromedp.SendKeys(css("#password"), f.Password+"\r"),
		chromedp.WaitVisible(css(`body[data-ready="true"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/desk") {
		t.Fatalf("after signing in the browser is at %s, want the desk it came from", loc)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css("#me-btn")),
		chromedp.Click(css("#menu-logout")),
		chromedp.WaitVisible(css("#email")),
		chromedp.Navigate(s.URL+"/desk"),
		chromedp.WaitVisible(css("#email")),
	)
	if err != nil {
		t.Fatal(err)
	}
}
