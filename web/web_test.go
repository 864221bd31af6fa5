package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/web"
)

func TestPagesAssetsAndAPIPassThrough(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := web.Handler(api)
	get := func(path string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := get("/desk"); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("/desk: %d %v", w.Code, w.Header())
	}
	if w := get("/chat/abc"); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors *") {
		t.Fatalf("/chat/abc must be frameable: %d %v", w.Code, w.Header())
	}
	w := get("/static/common/base.css")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") || w.Header().Get("ETag") == "" {
		t.Fatalf("base.css: %d %v", w.Code, w.Header())
	}
	if w := get("/static/common/base.css", "If-None-Match", w.Header().Get("ETag")); w.Code != http.StatusNotModified {
		t.Fatalf("revalidation: %d", w.Code)
	}
	if w := get("/static/desk/index.html"); w.Code != http.StatusNotFound {
		t.Fatalf("pages are served only at their routes: %d", w.Code)
	}
	for _, js := range []string{"/static/common/api.js", "/static/common/ws.js", "/static/desk/desk.js", "/static/login/login.js"} {
		if w := get(js); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
			t.Fatalf("%s: %d %v", js, w.Code, w.Header())
		}
	}
	if w := get("/login"); w.Code != 200 || !strings.Contains(w.Body.String(), `src="/static/login/login.js"`) {
		t.Fatalf("/login: %d", w.Code)
	}
	if w := get("/widget.js"); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("/widget.js: %d %v", w.Code, w.Header())
	}
	if w := get("/api/v1/sessions"); w.Code != http.StatusTeapot {
		t.Fatalf("the API is not reached: %d", w.Code)
	}
	if w := get("/"); w.Code != http.StatusFound || w.Header().Get("Location") != "/desk" {
		t.Fatalf("/: %d %v", w.Code, w.Header())
	}
}
