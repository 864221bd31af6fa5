// Package web serves Switchboard's browser pages: the agent desk (/desk),
// the admin console (/admin), the login page (/login), the visitor widget
// loader (/widget.js) and the hosted chat page (/chat/{key}). The pages are
// plain HTML, CSS and JavaScript embedded in the binary; they use only the
// public API under /api/v1 (DESIGN §6).
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed static
var files embed.FS

// Static is the embedded tree of pages and assets, rooted at static/.
var Static, _ = fs.Sub(files, "static")

// pages maps page routes to their HTML file.
var pages = map[string]string{
	"GET /desk":       "desk/index.html",
	"GET /admin":      "admin/index.html",
	"GET /login":      "login/index.html",
	"GET /chat/{key}": "widget/chat.html",
}

// Handler serves the pages and their assets, and passes every other
// request to api.
func Handler(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	for route, file := range pages {
		mux.Handle(route, page(file, route == "GET /chat/{key}"))
	}
	mux.Handle("GET /{$}", http.RedirectHandler("/desk", http.StatusFound))
	mux.Handle("GET /widget.js", asset("widget/widget.js"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", assets()))
	mux.Handle("/", api)
	return mux
}

// securityHeaders are sent with every page. Only the hosted chat page may
// be framed (the widget loader opens it in an iframe on customers' sites).
func securityHeaders(h http.Header, frameable bool) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	csp := "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'"
	if frameable {
		csp += "; frame-ancestors *"
	} else {
		csp += "; frame-ancestors 'none'"
		h.Set("X-Frame-Options", "DENY")
	}
	h.Set("Content-Security-Policy", csp)
}

func page(file string, frameable bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(Static, file)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		securityHeaders(w.Header(), frameable)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	})
}

// etags caches the content hash of every asset.
var etags sync.Map

func etag(name string, b []byte) string {
	if v, ok := etags.Load(name); ok {
		return v.(string)
	}
	sum := sha256.Sum256(b)
	tag := `"` + hex.EncodeToString(sum[:8]) + `"`
	etags.Store(name, tag)
	return tag
}

func serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	if strings.HasSuffix(name, ".html") || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(Static, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	tag := etag(name, b)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if ct := contentType(name); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}

func asset(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serveAsset(w, r, name) })
}

func assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveAsset(w, r, path.Clean(strings.TrimPrefix(r.URL.Path, "/")))
	})
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json":
		return "application/json"
	}
	return ""
}
