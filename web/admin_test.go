package web_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/web"
)

// TestAdminConsoleServed checks that /admin is the console page under the
// strict CSP and that every stylesheet and module it loads, and every
// module those import, is served with its type.
func TestAdminConsoleServed(t *testing.T) {
	h := web.Handler(http.NotFoundHandler())
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w
	}

	w := get("/admin")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/admin: %d %v", w.Code, w.Header())
	}
	csp := w.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("/admin CSP = %q", csp)
	}
	page := w.Body.String()
	if strings.Contains(page, "<script>") || strings.Contains(page, "style=") || strings.Contains(page, "<style") {
		t.Fatal("the console page has inline script or style, which its CSP blocks")
	}

	refs := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 4 {
		t.Fatalf("the console page links %d assets; want its icon, base.css, admin.css and app.js", len(refs))
	}
	for _, m := range refs {
		want, ok := map[string]string{".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}[path.Ext(m[1])]
		if !ok {
			t.Errorf("%s: an asset of a type this test does not know", m[1])
			continue
		}
		if w := get(m[1]); w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), want) {
			t.Errorf("%s: %d %q", m[1], w.Code, w.Header().Get("Content-Type"))
		}
	}

	// Every module of the console is served, and every relative import
	// of one names a module that exists.
	importRe := regexp.MustCompile(`(?:from|import\()\s*"(\.{1,2}/[^"]+)"`)
	mods, err := fs.Glob(web.Static, "admin/*.js")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := fs.Glob(web.Static, "admin/pages/*.js")
	mods = append(mods, pages...)
	if len(pages) < 10 {
		t.Fatalf("found %d console pages; want one per navigation entry", len(pages))
	}
	for _, m := range mods {
		w := get("/static/" + m)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
			t.Errorf("%s: %d %q", m, w.Code, w.Header().Get("Content-Type"))
			continue
		}
		dir := m[:strings.LastIndex(m, "/")]
		for _, imp := range importRe.FindAllStringSubmatch(w.Body.String(), -1) {
			target := resolve(dir, imp[1])
			if _, err := fs.Stat(web.Static, target); err != nil {
				t.Errorf("%s imports %s, which is not embedded (%s)", m, imp[1], target)
			}
		}
	}
}

// resolve joins a relative module path to the directory of its importer.
func resolve(dir, rel string) string {
	parts := strings.Split(dir, "/")
	for _, p := range strings.Split(rel, "/") {
		switch p {
		case ".":
		case "..":
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}
