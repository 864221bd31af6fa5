package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// login signs in over the API and answers the status and the login
// cookie.
func (s *stack) login(email, password string) (int, *http.Cookie) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(s.URL+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "sb_session" {
			return res.StatusCode, c
		}
	}
	return res.StatusCode, nil
}

// loggedIn reports whether a login cookie still authenticates.
func (s *stack) loggedIn(c *http.Cookie) bool {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/me", nil)
	req.AddCookie(c)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// An agent changes their own password in the desk: a wrong current
// password is refused beside the form; the right one changes it, the old
// password stops working, the new one works, and the agent's other
// browser is signed out while this one stays.
func TestChangePasswordInTheDesk(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	ctx := newBrowser(t)
	const fresh = "battery staple horse"
	if err := chromedp.Do(ctx, s.signIn(f)); err != nil {
		t.Fatal(err)
	}
	_, other := s.login(f.Email, f.Password)
	if other == nil || !s.loggedIn(other) {
		t.Fatal("the second login did not work")
	}
	change := func(current, next string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Click(chromedp.CSS("#me-btn")),
			chromedp.WaitVisible(chromedp.CSS("#menu-password")),
			chromedp.Click(chromedp.CSS("#menu-password")),
			chromedp.WaitVisible(chromedp.CSS("#dlg-password[open] #pw-current")),
			chromedp.SendKeys(chromedp.CSS("#pw-current"), current),
			chromedp.SendKeys(chromedp.CSS("#pw-new"), next),
			chromedp.Click(chromedp.CSS("#pw-save")),
		)
	}
	if err := chromedp.Do(ctx,
		change("not my password", fresh),
		waitText("#pw-error", "Current password is wrong"),
		screenshot("desk-password-wrong"),
		chromedp.Click(chromedp.CSS("#pw-cancel")),
		chromedp.WaitNotVisible(chromedp.CSS("#dlg-password")),
	); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.login(f.Email, fresh); code != http.StatusUnauthorized {
		t.Fatalf("a refused change took effect: login with the new password %d", code)
	}
	if err := chromedp.Do(ctx,
		change(f.Password, fresh),
		waitText(".toast", "Password changed"),
		chromedp.WaitNotVisible(chromedp.CSS("#dlg-password")),
	); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.login(f.Email, f.Password); code != http.StatusUnauthorized {
		t.Errorf("the old password still logs in: %d", code)
	}
	if code, _ := s.login(f.Email, fresh); code != http.StatusOK {
		t.Errorf("the new password does not log in: %d", code)
	}
	if s.loggedIn(other) {
		t.Error("the other browser's login survived the change")
	}
	// This browser stays signed in.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/desk"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		waitJS(fmt.Sprintf(`document.querySelector('#me-name').textContent.includes(%q)`, f.Agent.Name)),
	); err != nil {
		t.Fatal(err)
	}
}

// An administrator changes their own password in the console.
func TestChangePasswordInTheConsole(t *testing.T) {
	s := startStack(t)
	ctx := newBrowser(t)
	const email, old, fresh = "grace@example.com", "correct horse battery", "compiler cobol 1959"
	if err := chromedp.Do(ctx,
		s.signInAdmin("/web-plugins"),
		chromedp.Click(chromedp.CSS("#change-password")),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[autocomplete="current-password"]`)),
		chromedp.SendKeys(chromedp.CSS(`dialog[open] input[autocomplete="current-password"]`), "wrong password"),
		chromedp.SendKeys(chromedp.CSS(`dialog[open] input[autocomplete="new-password"]`), fresh),
		chromedp.Click(chromedp.CSS("dialog[open] button.primary")),
		waitText("dialog[open] .field-error", "Current password is wrong"),
		screenshot("admin-password-wrong"),
		js(`document.querySelector('dialog[open] input[autocomplete="current-password"]').value = ""`),
		chromedp.SendKeys(chromedp.CSS(`dialog[open] input[autocomplete="current-password"]`), old),
		chromedp.Click(chromedp.CSS("dialog[open] button.primary")),
		waitText(".toast", "Password changed"),
		chromedp.WaitNotPresent(chromedp.CSS("dialog")),
	); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.login(email, old); code != http.StatusUnauthorized {
		t.Errorf("the old password still logs in: %d", code)
	}
	if code, _ := s.login(email, fresh); code != http.StatusOK {
		t.Errorf("the new password does not log in: %d", code)
	}
}
