// Command sbload drives a running Switchboard server with concurrent
// clients and reports session commands per second and latency percentiles.
//
// Each client plays whole sessions, one after another: create a queued web
// chat, assign, connect, a data-stream event, hold, resume, end, wrap-up —
// every request a real session command. It sends only to the address given,
// for at most -duration, and stops by itself.
//
// With -followers N, N visitors each wait with a chat in a queue no agent
// serves and follow their queue position over its event stream while the
// clients run (-clients 0: the followers alone); -server-pid adds the
// server's CPU over the measured window.
//
//	sbload -addr 127.0.0.1:8080 -token $SWITCHBOARD_ADMIN_TOKEN -clients 64 -duration 10s
//	sbload -clients 0 -followers 10000 -server-pid $(pgrep -n switchboard)
//
// With -trivial-server it serves the same routes with fixed JSON answers
// instead, so that the same clients measure the ceiling beside the server:
//
//	sbload -trivial-server 127.0.0.1:18090
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/internal/loadclient"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address (loopback only)")
	token := flag.String("token", os.Getenv("SWITCHBOARD_ADMIN_TOKEN"), "admin token (env SWITCHBOARD_ADMIN_TOKEN)")
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	warmup := flag.Duration("warmup", 2*time.Second, "sending before measuring starts")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	nFollowers := flag.Int("followers", 0, "visitors following their queue position while the clients run")
	serverPID := flag.Int("server-pid", 0, "the server's process ID, to report its CPU over the measured window")
	trivial := flag.String("trivial-server", "", "instead of sending, serve the same routes with fixed JSON on this address (the ceiling)")
	flag.Parse()
	if *trivial != "" {
		if err := serveTrivial(*trivial); err != nil {
			fmt.Fprintln(os.Stderr, "sbload:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*addr, *token, *clients, *warmup, *duration, *asJSON, *nFollowers, *serverPID); err != nil {
		fmt.Fprintln(os.Stderr, "sbload:", err)
		os.Exit(1)
	}
}

type result struct {
	Clients    int     `json:"clients"`
	Seconds    float64 `json:"seconds"`
	Commands   int     `json:"commands"`
	Errors     int     `json:"errors"`
	PerSecond  float64 `json:"commands_per_second"`
	P50Millis  float64 `json:"p50_ms"`
	P90Millis  float64 `json:"p90_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
	// Followers is there with -followers or -server-pid.
	Followers *followerStats `json:"followers,omitempty"`
}

func run(addr, token string, clients int, warmup, duration time.Duration, asJSON bool, nFollowers, serverPID int) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("sbload only sends to loopback addresses, not %s", host)
	}
	if token == "" {
		return fmt.Errorf("an admin token is required (-token or SWITCHBOARD_ADMIN_TOKEN)")
	}
	c := &loadclient.Client{Base: "http://" + addr, Token: token, HTTP: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: max(clients, 64), MaxConnsPerHost: max(clients, 64)}}}
	if err := c.WaitReady(); err != nil {
		return err
	}
	// One agent per client: the server never assigns an agent more than
	// its max_concurrent sessions.
	agentIDs := make([]any, clients)
	for i := range agentIDs {
		agent, err := c.Do(http.MethodPost, "/api/v1/agents", map[string]any{"name": "Load Agent", "max_concurrent": 99,
			"email": fmt.Sprintf("load-%d-%d@example.com", time.Now().UnixNano(), i)})
		if err != nil {
			return fmt.Errorf("create agent: %w", err)
		}
		agentIDs[i] = agent["id"]
	}
	queue, err := c.Do(http.MethodPost, "/api/v1/queues", map[string]any{"name": fmt.Sprintf("Load %d", time.Now().UnixNano()), "priority": 2})
	if err != nil {
		return fmt.Errorf("create queue: %w", err)
	}
	queueID := queue["id"]
	fol, err := startFollowers(c, addr, nFollowers)
	if fol != nil {
		defer fol.stop()
	}
	if err != nil {
		return err
	}

	start := time.Now()
	measureFrom, stop := start.Add(warmup), start.Add(warmup+duration)
	cpu := make(chan float64, 1)
	if serverPID != 0 {
		go func() {
			time.Sleep(time.Until(measureFrom))
			t0, err0 := cpuTicks(serverPID)
			time.Sleep(time.Until(stop))
			t1, err1 := cpuTicks(serverPID)
			if err0 != nil || err1 != nil {
				fmt.Fprintln(os.Stderr, "sbload: server cpu:", err0, err1)
				cpu <- -1
				return
			}
			cpu <- float64(t1-t0) / clockTicks / duration.Seconds() * 100
		}()
	}
	var mu sync.Mutex
	var lat []time.Duration
	errors, commands := 0, 0
	firstErr := ""
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			agentID := agentIDs[i]
			local := make([]time.Duration, 0, 4096)
			localErr := 0
			var lastErr error
			timed := func(path string, body any) (map[string]any, bool) {
				t := time.Now()
				out, err := c.Do(http.MethodPost, path, body)
				d := time.Since(t)
				if t.After(measureFrom) {
					if err != nil {
						localErr++
						lastErr = err
					} else {
						local = append(local, d)
					}
				}
				return out, err == nil
			}
			for time.Now().Before(stop) {
				out, ok := timed("/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": queueID,
					"end_user": map[string]any{"name": "Visitor", "email": "visitor@example.com"}})
				if !ok {
					continue
				}
				id := int64(out["session"].(map[string]any)["id"].(float64))
				p := fmt.Sprintf("/api/v1/sessions/%d/", id)
				for _, st := range []struct {
					cmd  string
					body any
				}{
					{"assign", map[string]any{"agent_id": agentID}},
					{"connect", nil},
					{"events", map[string]any{"type": "sentiment_score", "data": map[string]any{"score": 52}}},
					{"hold", nil},
					{"resume", nil},
					{"end", map[string]any{"disconnected_by": "agent"}},
					{"wrap-up", map[string]any{"code": "resolved", "note": "load test"}},
				} {
					if _, ok := timed(p+st.cmd, st.body); !ok {
						break
					}
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			errors += localErr
			if lastErr != nil && firstErr == "" {
				firstErr = lastErr.Error()
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	time.Sleep(time.Until(stop)) // with no clients, the followers alone
	commands = len(lat)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	r := result{Clients: clients, Seconds: duration.Seconds(), Commands: commands, Errors: errors,
		PerSecond: float64(commands) / duration.Seconds(), P50Millis: pct(0.50), P90Millis: pct(0.90),
		P99Millis: pct(0.99), MaxMillis: pct(1), FirstError: firstErr}
	if nFollowers > 0 || serverPID != 0 {
		st := fol.stats(nFollowers)
		if serverPID != 0 {
			v := <-cpu
			st.ServerCPUPercent = &v
		}
		r.Followers = &st
	}
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return nil
	}
	fmt.Printf("clients %d, %.0f s: %d commands, %d errors, %.0f commands/s, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		r.Clients, r.Seconds, r.Commands, r.Errors, r.PerSecond, r.P50Millis, r.P90Millis, r.P99Millis, r.MaxMillis)
	if firstErr != "" {
		fmt.Println("first error:", firstErr)
	}
	if st := r.Followers; st != nil {
		fmt.Printf("followers %d: %d connected, %d position frames, %d failed", st.Followers, st.Connected, st.Frames, st.Failed)
		if st.ServerCPUPercent != nil {
			fmt.Printf(", server CPU %.1f%% of one core", *st.ServerCPUPercent)
		}
		fmt.Println()
		if st.FirstError != "" {
			fmt.Println("first follower error:", st.FirstError)
		}
	}
	return nil
}
