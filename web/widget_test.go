package web_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/web"
)

func serve(t *testing.T, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	web.Handler(api).ServeHTTP(w, r)
	return w
}

// TestWidgetLoader checks the embed loader customers paste on their sites:
// served as JavaScript, revalidated by ETag, and self-contained.
func TestWidgetLoader(t *testing.T) {
	w := serve(t, "/widget.js")
	if w.Code != 200 {
		t.Fatalf("/widget.js: %d", w.Code)
	}
	h := w.Header()
	if ct := h.Get("Content-Type"); ct != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") == "" || h.Get("Cache-Control") != "no-cache" {
		t.Errorf("headers %v", h)
	}
	if again := serve(t, "/widget.js", "If-None-Match", h.Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.Code)
	}
	src := w.Body.String()
	// One function scope: nothing but window.Switchboard leaks to the host page.
	code := strings.TrimSpace(regexp.MustCompile(`(?s)^/\*.*?\*/`).ReplaceAllString(src, ""))
	if !strings.HasPrefix(code, "(function () {") || !strings.HasSuffix(code, "})();") {
		t.Errorf("the loader is not wrapped in one function scope")
	}
	if got := regexp.MustCompile(`window\.([A-Za-z_$][\w$]*)\s*=[^=]`).FindAllStringSubmatch(code, -1); len(got) != 1 || got[0][1] != "Switchboard" {
		t.Errorf("globals assigned: %v, want only Switchboard", got)
	}
	for _, want := range []string{"data-plugin", "/chat/", "?embed=1", "/static/widget/launcher.css", "SwitchboardSettings", "postMessage"} {
		if !strings.Contains(src, want) {
			t.Errorf("the loader does not mention %q", want)
		}
	}
	if css := serve(t, "/static/widget/launcher.css"); css.Code != 200 || !strings.HasPrefix(css.Header().Get("Content-Type"), "text/css") {
		t.Errorf("launcher.css: %d %v", css.Code, css.Header())
	}
}

// TestChatPage checks the hosted chat page: frameable by any site, under
// a CSP without inline code, and every asset it names exists.
func TestChatPage(t *testing.T) {
	w := serve(t, "/chat/pk_demo")
	if w.Code != 200 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/chat/pk_demo: %d %v", w.Code, w.Header())
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors *", "connect-src 'self' ws: wss:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if w.Header().Get("X-Frame-Options") != "" {
		t.Errorf("the chat page must be frameable, got X-Frame-Options %q", w.Header().Get("X-Frame-Options"))
	}
	page := w.Body.String()
	if m := regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`).FindString(page); m != "" {
		t.Errorf("inline script (the CSP blocks it): %q", m)
	}
	if regexp.MustCompile(`(?i)<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Errorf("inline style or event handler attribute (the CSP blocks it)")
	}
	refs := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("the page names %d assets", len(refs))
	}
	for _, ref := range refs {
		a := serve(t, ref[1])
		if a.Code != 200 {
			t.Errorf("%s: %d", ref[1], a.Code)
		}
	}
	// Every element the scripts look up by ID is on the page.
	for _, name := range widgetScripts(t) {
		b, _ := fs.ReadFile(web.Static, "widget/"+name)
		for _, m := range regexp.MustCompile(`\$\('([\w-]+)'\)`).FindAllStringSubmatch(string(b), -1) {
			if !strings.Contains(page, `id="`+m[1]+`"`) {
				t.Errorf("%s looks up #%s, which the page lacks", name, m[1])
			}
		}
	}
}

func widgetScripts(t *testing.T) []string {
	t.Helper()
	entries, err := fs.ReadDir(web.Static, "widget")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if path.Ext(e.Name()) == ".js" {
			names = append(names, e.Name())
		}
	}
	if len(names) < 2 {
		t.Fatalf("widget scripts: %v", names)
	}
	return names
}

// TestWidgetScripts checks that the scripts parse, import only files that
// exist, and never turn data into markup.
func TestWidgetScripts(t *testing.T) {
	names := widgetScripts(t)
	markup := regexp.MustCompile(`\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	imports := regexp.MustCompile(`(?m)^import .* from '([^']+)';`)
	for _, name := range names {
		b, err := fs.ReadFile(web.Static, "widget/"+name)
		if err != nil {
			t.Fatal(err)
		}
		if m := markup.Find(b); m != nil {
			t.Errorf("%s uses %s: build elements and text nodes instead", name, m)
		}
		for _, m := range imports.FindAllStringSubmatch(string(b), -1) {
			if _, err := fs.Stat(web.Static, path.Join("widget", m[1])); err != nil {
				t.Errorf("%s imports %s: %v", name, m[1], err)
			}
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; skipping the syntax check")
	}
	dir := t.TempDir()
	for _, name := range names {
		b, _ := fs.ReadFile(web.Static, "widget/"+name)
		// .mjs: parse the chat page's modules as modules, whatever the
		// node version's default.
		file := filepath.Join(dir, strings.TrimSuffix(name, ".js")+".mjs")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(node, "--check", file).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse: %v\n%s", name, err, out)
		}
	}
}
