package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// trivialSession is the answer of every session command on the trivial
// server: a fixed session, shaped like the real server's answer, so that
// the client decodes about as much JSON as it does against the real one.
const trivialSession = `{"session":{"id":%d,"seq":1,"type":"chat_web","status":"queued","status_code":100,` +
	`"queue_id":1,"agent_id":null,"end_user":{"name":"Visitor","email":"visitor@example.com"},` +
	`"participants":[],"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}`

// trivialHandler serves the routes sbload calls with fixed JSON answers:
// no store, no engine, no checks beyond reading the body. Driving it with
// the same clients measures the ceiling that the load tool, net/http and
// the loopback set on this machine, in the same sitting as the real
// server.
func trivialHandler() http.Handler {
	var next atomic.Int64
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	}
	mux.HandleFunc("GET /healthz", ok)
	mux.HandleFunc("GET /readyz", ok)
	withID := func(w http.ResponseWriter, r *http.Request) {
		if !readBody(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":%d,"name":"Load"}`, next.Add(1))
	}
	mux.HandleFunc("POST /api/v1/agents", withID)
	mux.HandleFunc("POST /api/v1/queues", withID)
	mux.HandleFunc("POST /api/v1/sessions", func(w http.ResponseWriter, r *http.Request) {
		if !readBody(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, trivialSession, next.Add(1))
	})
	mux.HandleFunc("POST /api/v1/sessions/{id}/{command}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.Error(w, `{"error":"bad id"}`, http.StatusBadRequest)
			return
		}
		if !readBody(w, r) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, trivialSession, id)
	})
	return mux
}

// readBody decodes a JSON body, if there is one, as a real handler would.
func readBody(w http.ResponseWriter, r *http.Request) bool {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, `{"error":"read"}`, http.StatusBadRequest)
		return false
	}
	if len(b) == 0 {
		return true
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
		return false
	}
	return true
}

// serveTrivial serves trivialHandler on addr (loopback only) until the
// process is stopped.
func serveTrivial(addr string) error {
	if err := checkLoopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	slog.Info("trivial JSON server", "addr", ln.Addr().String())
	srv := &http.Server{Handler: trivialHandler(), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("sbload serves only on loopback addresses, not %s", host)
	}
	return nil
}
