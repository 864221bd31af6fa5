package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/httpapi"
)

// stack is the whole application behind a local HTTP server, with an
// admin token to set it up through the public API.
type stack struct {
	t     *testing.T
	App   *app.App
	Clock *clock.Virtual
	URL   string
	Admin string
}

// startStack opens the app on a temporary store and serves it on
// 127.0.0.1. Its clock is virtual, set to the wall time of the start, so
// that times the browser shows are near its own clock.
func startStack(t *testing.T) *stack { t.Helper(); return startStackWith(t, nil) }

// startStackWith is startStack with a change to the app before it serves.
func startStackWith(t *testing.T, change func(*app.App)) *stack {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c := clock.NewVirtual(time.Now().UTC().Truncate(time.Millisecond))
	a, err := app.Open(ctx, app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		FilesDir: filepath.Join(dir, "files"), Clock: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	_, admin, err := httpapi.CreateToken(ctx, a.DB, c, "test admin", sb.RoleAdmin, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(a)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &stack{t: t, App: a, Clock: c, URL: srv.URL, Admin: admin}
}

// call sends a JSON request with a bearer token and decodes the answer
// into out (when not nil); it answers the status code.
func (s *stack) call(token, method, path string, body, out any) int {
	code, _ := s.send(token, method, path, body, out)
	return code
}

// send is call that also answers the body of a refusal.
func (s *stack) send(token, method, path string, body, out any) (int, string) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode, string(b)
}

// must is call that fails the test unless the answer is 2xx.
func (s *stack) must(token, method, path string, body, out any) {
	s.t.Helper()
	if code, msg := s.send(token, method, path, body, out); code >= 300 {
		s.t.Fatalf("%s %s: status %d: %s", method, path, code, msg)
	}
}

// chromiumPath finds the browser: $CHROMIUM, else /usr/bin/chromium.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "" // named but not there: as good as missing
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile. Without a
// browser the test is skipped, except in CI (CI=true), where it fails.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (set CHROMIUM or install /usr/bin/chromium); browser tests must run in CI")
		}
		t.Skip("no Chromium found: set CHROMIUM or install /usr/bin/chromium to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// The widget runs in a frame of another origin; kept in the page's
		// process, the frame is reliably reachable from the test.
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-features", "IsolateOrigins,site-per-process"),
		chromedp.WindowSize(1400, 900),
		// No animations: a click aims at where an element is when the
		// click is computed, and a sheet still sliding in is elsewhere a
		// moment later. The pages honour prefers-reduced-motion.
		chromedp.Flag("force-prefers-reduced-motion", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelB := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	ctx, cancelC := context.WithTimeout(browser, 90*time.Second)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	t.Cleanup(func() {
		// A failed test leaves a picture of the page, to see why.
		if dir := os.Getenv("SB_SCREENSHOTS"); dir != "" && t.Failed() {
			sctx, cancel := context.WithTimeout(browser, 5*time.Second)
			defer cancel()
			if buf, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, t.Name()+"-failed.png"), buf, 0o644)
			}
		}
	})
	// Start the browser on its own context, so that the test's deadline
	// ends the test but not the browser (it still takes the screenshot of
	// a failure).
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// An uncaught exception in a page fails the test.
	var mu sync.Mutex
	var thrown, console []string
	if err := chromedp.Listen(browser, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok {
			var args []string
			for _, a := range e.Args {
				if a.Value != nil {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			mu.Lock()
			console = append(console, string(e.Type)+": "+strings.Join(args, " "))
			mu.Unlock()
		}
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			mu.Lock()
			thrown = append(thrown, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() {
			// What the page logged, to see why.
			for _, m := range console {
				t.Logf("page console: %s", m)
			}
		}
		for _, m := range thrown {
			t.Errorf("uncaught exception in the page: %s", m)
		}
	})
	return ctx
}

// screenshot saves the page as <SB_SCREENSHOTS>/<name>.png when that
// environment variable names a directory; otherwise it does nothing.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		dir := os.Getenv("SB_SCREENSHOTS")
		if dir == "" {
			return chromedp.Void{}, nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, t)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	}
}

// agentFixture is a queue with one agent, the e-mail and password the
// agent's user will sign in with, and an API token of the agent's for
// driving the other side of a test through the API.
type agentFixture struct {
	Queue    sb.Queue
	Agent    sb.Agent
	Email    string
	Password string
	Token    string
}

func (s *stack) agentFixture() agentFixture {
	s.t.Helper()
	var f agentFixture
	s.must(s.Admin, "POST", "/api/v1/queues", map[string]any{"name": "Support"}, &f.Queue)
	f.Email, f.Password = "ada@example.com", "correct horse battery"
	s.must(s.Admin, "POST", "/api/v1/agents", map[string]any{"name": "Ada Lovelace", "email": f.Email,
		"groups": []int64{f.Queue.ID}, "max_concurrent": 5}, &f.Agent)
	var err error
	if _, f.Token, err = httpapi.CreateToken(context.Background(), s.App.DB, s.Clock, "ada", sb.RoleAgent, f.Agent.ID, ""); err != nil {
		s.t.Fatal(err)
	}
	return f
}

// signIn creates the agent's user and signs it in through the login page.
func (s *stack) signIn(f agentFixture) chromedp.Action[chromedp.Void] {
	s.must(s.Admin, "POST", "/api/v1/users", map[string]any{"email": f.Email, "name": f.Agent.Name,
		"role": sb.RoleAgent, "agent_id": f.Agent.ID, "password": f.Password}, nil)
	return chromedp.Steps(
		chromedp.Navigate(s.URL+"/login?next=/desk"),
		loginForm(),
		chromedp.SendKeys(chromedp.CSS("#email"), f.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), f.Password),
		screenshot("login"),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	)
}

// pollEvery is how often the helpers check a JavaScript condition: on a
// timer, not on animation frames, which a page in a background tab does
// not draw.
const pollEvery = 20 * time.Millisecond

// loginForm waits until the login page shows its form and its script has
// run: a click on Sign in before that would submit the form natively.
func loginForm() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS("#email")), waitJS(`document.readyState === "complete"`))
}

// waitJS waits until a JavaScript expression is truthy in the page. An
// expression that throws counts as false: it usually reads an element
// the page has not drawn yet.
func waitJS(expr string, opts ...chromedp.PollOption) chromedp.Action[chromedp.Void] {
	safe := fmt.Sprintf("(() => { try { return !!(%s); } catch { return false; } })()", expr)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](safe, append([]chromedp.PollOption{chromedp.WithPollingInterval(pollEvery)}, opts...)...)(ctx, t)
		if err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, nil
	}
}

// whenFound waits until the JavaScript expression find yields an element
// and then runs the statements act on it (as el), in the same turn of the
// page: pages redraw, and an element found in one step and used in the
// next may have been replaced between the two.
func whenFound(find, act string, opts ...chromedp.PollOption) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf(`(() => { const el = %s; if (!el) return false; %s; return true; })()`, find, act), opts...)
}
