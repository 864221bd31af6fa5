// Command wsload measures Switchboard's WebSocket API on loopback.
//
// Mode conns opens many connections, each following one session, checks
// that every one still answers a ping, and reports how much memory the
// server holds per connection (its heap and goroutine stacks, read from its
// --pprof endpoint, and its resident set from /proc):
//
//	wsload -mode conns -conns 10000 -pprof 127.0.0.1:6060 -pid $PID
//
// Mode latency sends chat messages from visitors at a fixed rate as
// session commands over WebSocket, each committed before it is answered,
// and times each one until the agent's connection receives its event; in
// the same run it times ping/pong round trips on another connection, the
// ceiling set by the WebSocket path alone:
//
//	wsload -mode latency -rate 5000 -duration 10s
//
// Mode centrifugo measures the same against a Centrifugo server, the peer
// that keeps nothing (scripts/bench-peer.sh):
//
//	wsload -mode centrifugo -addr 127.0.0.1:8000 -hmac-secret S -rate 5000
//
// It sends only to loopback addresses and stops by itself.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard/internal/loadclient"
)

func main() {
	o := options{}
	flag.StringVar(&o.mode, "mode", "latency", "conns, latency or centrifugo")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "server address (loopback only)")
	flag.StringVar(&o.token, "token", os.Getenv("SWITCHBOARD_ADMIN_TOKEN"), "admin token (env SWITCHBOARD_ADMIN_TOKEN)")
	flag.IntVar(&o.conns, "conns", 10000, "conns: connections to open")
	flag.IntVar(&o.sessions, "sessions", 500, "sessions the connections follow (conns: 0 for idle connections) or the messages go to")
	flag.StringVar(&o.pprof, "pprof", "", "conns: the server's --pprof address, to read its heap")
	flag.IntVar(&o.pid, "pid", 0, "conns: the server's process id, to read its resident set")
	flag.IntVar(&o.rate, "rate", 5000, "latency: messages a second, in all")
	flag.IntVar(&o.visitors, "visitors", 500, "latency: visitor connections sending messages")
	flag.IntVar(&o.agents, "agents", 10, "latency: agent connections receiving them")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "latency: how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "latency: sending before measuring starts")
	flag.BoolVar(&o.json, "json", false, "print the result as JSON")
	flag.DurationVar(&o.hold, "hold", 0, "conns: keep the connections open this long after measuring, to profile the server")
	flag.StringVar(&o.secret, "hmac-secret", "", "centrifugo: the HMAC secret of its connection tokens")
	flag.Parse()
	raiseFileLimit()
	var err error
	switch o.mode {
	case "conns":
		err = runConns(o)
	case "latency":
		err = runLatency(o)
	case "centrifugo":
		err = runCentrifugo(o)
	default:
		err = fmt.Errorf("unknown mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		os.Exit(1)
	}
}

type options struct {
	mode, addr, token, pprof string
	secret                   string
	conns, sessions, pid     int
	rate, visitors, agents   int
	duration, warmup, hold   time.Duration
	json                     bool
}

// raiseFileLimit lets the tool open as many connections as the system
// allows.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return
	}
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 1 << 20, Max: 1 << 20}) == nil {
		return
	}
	l.Cur = l.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("wsload only sends to loopback addresses, not %s", host)
	}
	return nil
}

// api is the REST side, used to set up agents, tokens and sessions.
type api = loadclient.Client

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

// maxConcurrent is the most sessions one agent may handle.
const maxConcurrent = 99

// setup creates an agent with a token and n connected web chats handled
// by it and, past its 99, by more agents; it returns the first agent's
// token and each session's id and seq.
func setup(a *api, n int) (agentToken string, ids, seqs []int64, err error) {
	if err := a.WaitReady(); err != nil {
		return "", nil, nil, err
	}
	stamp := time.Now().UnixNano()
	newAgent := func(k int) (map[string]any, error) {
		return a.Do("POST", "/api/v1/agents", map[string]any{"name": "Load Agent", "max_concurrent": maxConcurrent,
			"email": fmt.Sprintf("ws-%d-%d@example.com", stamp, k)})
	}
	agent, err := newAgent(0)
	if err != nil {
		return "", nil, nil, err
	}
	holder := agent // the server gives an agent at most maxConcurrent sessions
	tok, err := a.Do("POST", "/api/v1/tokens", map[string]any{"name": "load agent", "role": "agent", "agent_id": agent["id"]})
	if err != nil {
		return "", nil, nil, err
	}
	queue, err := a.Do("POST", "/api/v1/queues", map[string]any{"name": fmt.Sprintf("WS %d", stamp), "priority": 2})
	if err != nil {
		return "", nil, nil, err
	}
	for i := 0; i < n; i++ {
		out, err := a.Do("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": queue["id"],
			"end_user": map[string]any{"name": "Visitor"}})
		if err != nil {
			return "", nil, nil, err
		}
		id := num(out["session"].(map[string]any)["id"])
		p := "/api/v1/sessions/" + strconv.FormatInt(id, 10)
		if i > 0 && i%maxConcurrent == 0 {
			if holder, err = newAgent(i / maxConcurrent); err != nil {
				return "", nil, nil, err
			}
		}
		if _, err := a.Do("POST", p+"/assign", map[string]any{"agent_id": holder["id"]}); err != nil {
			return "", nil, nil, err
		}
		out, err = a.Do("POST", p+"/connect", nil)
		if err != nil {
			return "", nil, nil, err
		}
		ids = append(ids, id)
		seqs = append(seqs, num(out["session"].(map[string]any)["seq"]))
	}
	secret, _ := tok["secret"].(string)
	if secret == "" {
		return "", nil, nil, fmt.Errorf("no secret in the token answer")
	}
	return secret, ids, seqs, nil
}

func dial(ctx context.Context, addr, token string) (*websocket.Conn, error) {
	h := http.Header{"Authorization": {"Bearer " + token}}
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/v1/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

type frame struct {
	Op    string          `json:"op"`
	Ref   string          `json:"ref"`
	Event json.RawMessage `json:"event"`
	Error json.RawMessage `json:"error"`
}

// serverMemory reads the server's heap and stack in use (after a GC) from
// its pprof endpoint and its resident set from /proc.
func serverMemory(o options) (heap, stack, rss int64, err error) {
	if o.pprof != "" {
		// Collect a few times first: each collection also halves the
		// goroutine stacks that use less than a quarter of their size, as
		// the collections of a running server do.
		for i := 0; i < 4; i++ {
			res, err := http.Get("http://" + o.pprof + "/debug/pprof/heap?gc=1")
			if err != nil {
				return 0, 0, 0, err
			}
			res.Body.Close()
		}
		res, err := http.Get("http://" + o.pprof + "/debug/pprof/heap?gc=1&debug=1")
		if err != nil {
			return 0, 0, 0, err
		}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "# HeapInuse = "); ok {
				heap, _ = strconv.ParseInt(v, 10, 64)
			}
			if v, ok := strings.CutPrefix(line, "# Stack = "); ok {
				stack, _ = strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			}
		}
		res.Body.Close()
	}
	if o.pid != 0 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", o.pid))
		if err != nil {
			return 0, 0, 0, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				rss = kb << 10
			}
		}
	}
	return heap, stack, rss, nil
}
