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
// server: the real server's answer to a hold in sbload's run (a session
// connected to its agent, with one event), 1.7 KB, within a few percent of
// the mean answer of sbload's eight commands. The client then decodes as
// much JSON as it does against the real server: an answer of a few hundred
// bytes, as here before 2026-12-07, halved the client's cost per command
// and so overstated the ceiling that the real server is compared with.
const trivialSession = `{"session":{"id":%[1]d,"uuid":"5e35895b-14da-4cb2-8aa0-30cae975adb5","type":"chat_web","medium":"chat","direction":"inbound","channel":"web","lang":"en","status":"connected","seq":6,"created_at":"2026-12-07T13:19:34.676Z","updated_at":"2026-12-07T13:19:34.708Z","queued_at":"2026-12-07T13:19:34.676Z","assigned_at":"2026-12-07T13:19:34.685Z","connected_at":"2026-12-07T13:19:34.693Z","end_user":{"name":"Visitor","email":"visitor@example.com"},"queue":{"id":1,"name":"Load 1796647463214977446","path":"1","priority":2},"menu_path":[{"id":1,"name":"Load 1796647463214977446","path":"1","priority":2}],"agent":{"id":1,"name":"Load Agent","email":"load-1796647463211869641-57@example.com"},"on_hold":true,"participants":[{"id":1,"type":"end_user","status":"connected","name":"Visitor","connected_at":"2026-12-07T13:19:34.676Z"},{"id":2,"type":"agent","status":"connected","user_id":1,"name":"Load Agent","connected_at":"2026-12-07T13:19:34.693Z"}],"holds":[{"started_at":"2026-12-07T13:19:34.708Z","agent_id":1,"interaction":0}],"queue_waits":[{"queue":{"id":1,"name":"Load 1796647463214977446","path":"1","priority":2},"started_at":"2026-12-07T13:19:34.676Z","ended_at":"2026-12-07T13:19:34.685Z","outcome":"assigned","agent_id":1}],"handles":[{"agent":{"id":1,"name":"Load Agent","email":"load-1796647463211869641-57@example.com"},"assigned_at":"2026-12-07T13:19:34.685Z","connected_at":"2026-12-07T13:19:34.693Z"}],"verified":false,"status_code":5,"display_name":"Visitor 20261207","duration_since":"2026-12-07T13:19:34.685Z"},"events":[{"id":6,"session_id":%[1]d,"seq":6,"type":"held","v":1,"time":"2026-12-07T13:19:34.708Z","actor":{"kind":"admin","id":"1","name":"bootstrap admin"},"data":{"agent_id":1}}]}`

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
