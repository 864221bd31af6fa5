package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
)

// wsFollower follows every session's events over a node's WebSocket,
// keeping the positions it saw.
type wsFollower struct {
	mu     sync.Mutex
	ids    []int64
	closed error
}

func followWS(t *testing.T, s *server) *wsFollower {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a safety net, not a timing assumption
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws://"+s.addr+"/api/v1/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + adminToken}}})
	if err != nil {
		t.Fatalf("WebSocket on %s: %v", s.addr, err)
	}
	c.SetReadLimit(1 << 20)
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"op":"subscribe_all","after_id":0}`)); err != nil {
		t.Fatal(err)
	}
	f := &wsFollower{}
	go func() {
		defer c.CloseNow()
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				f.mu.Lock()
				f.closed = err
				f.mu.Unlock()
				return
			}
			var m struct {
				Op    string `json:"op"`
				Event struct {
					ID int64 `json:"id"`
				} `json:"event"`
			}
			if json.Unmarshal(b, &m) == nil && m.Op == "event" {
				f.mu.Lock()
				f.ids = append(f.ids, m.Event.ID)
				f.mu.Unlock()
			}
		}
	}()
	return f
}

func (f *wsFollower) seen() ([]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.ids...), f.closed
}

// The leader is SIGKILLed while sessions are routed to agents with
// pending queue timers, and another node is paused with SIGSTOP past its
// term and woken: what the cluster did across both is what one process
// would have done. No session is assigned twice and no agent beyond its
// capacity; every queue reminder and queue timeout fired once (the ones
// due after the kill, on the new leader); the WebSocket subscribers on
// the surviving nodes saw every event once, in order; the paused node's
// writes are refused and it rejoins as a follower.
func TestClusterFailoverKeepsRoutingTimersAndStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three server processes")
	}
	const ttl = 2 * time.Second
	const agents, capacity = 3, 2
	cl := startCluster(t, 3, ttl)
	nodes, db, holder := cl.nodes, cl.db, cl.holder

	// Configured through a follower: the writes go to the leader.
	cfg := nodes[1]
	var q sb.Queue
	json.Unmarshal(cfg.must("POST", "/api/v1/queues", map[string]any{"name": "售后"}, 201), &q)
	var set map[string]any
	json.Unmarshal(cfg.must("GET", "/api/v1/settings/routing", nil, 200), &set)
	set["queue_timeout_seconds"] = 5
	set["queue_reminder_seconds"] = 2
	set["queue_reminders"] = 2
	set["queue_reminder_text"] = "请稍候 / please wait"
	cfg.must("PUT", "/api/v1/settings/routing", set, 200)
	for i := range agents {
		var a sb.Agent
		json.Unmarshal(cfg.must("POST", "/api/v1/agents", map[string]any{"name": fmt.Sprintf("坐席 %d", i+1),
			"email": fmt.Sprintf("agent%d@example.com", i+1), "groups": []int64{q.ID}, "max_concurrent": capacity}, 201), &a)
		cfg.must("POST", fmt.Sprintf("/api/v1/agents/%d/status", a.ID), map[string]any{"status": "online"}, 200)
	}
	subs := []*wsFollower{followWS(t, nodes[1]), followWS(t, nodes[2])}

	// Chats arrive through every node while the leader dies: the first
	// ones are assigned up to the agents' capacity, the rest wait with
	// their reminders and queue timeout pending.
	create := func(n *server, key string) {
		t.Helper()
		for try := 0; try < 400; try++ {
			code, _, err := n.callKeyed("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": q.ID}, key)
			if err == nil && code == 201 {
				return
			}
			time.Sleep(25 * time.Millisecond) // a client's back-off between retries
		}
		t.Fatalf("session %s was never created", key)
	}
	for i := range 12 {
		create(nodes[i%3], fmt.Sprintf("before-%d", i))
	}
	nodes[0].cmd.Process.Signal(syscall.SIGKILL)
	<-nodes[0].done
	for i := range 12 {
		create(nodes[1+i%2], fmt.Sprintf("after-%d", i))
	}
	waitFor(t, func() bool { h := holder(); return h == "node-2" || h == "node-3" })

	// The new leader pauses past its term; the other node takes over.
	paused, other := nodes[1], nodes[2]
	if holder() == "node-3" {
		paused, other = nodes[2], nodes[1]
	}
	paused.cmd.Process.Signal(syscall.SIGSTOP)
	waitFor(t, func() bool { h := holder(); return h != "" && h != nodeName(paused, nodes) })
	for i := range 6 {
		create(other, fmt.Sprintf("paused-%d", i))
	}
	before, err := db.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	paused.cmd.Process.Signal(syscall.SIGCONT)
	// Woken, it finds its term gone and follows: a command sent to it is
	// forwarded to the leader, and its own writes from the old term never
	// land (the fence), which the log below shows.
	create(paused, "woken")
	if after, _ := db.LastEventID(context.Background()); after <= before {
		t.Errorf("the woken node's command did not land through the leader")
	}
	if h := holder(); h != nodeName(other, nodes) {
		t.Errorf("after the paused node woke, %q leads, want %s", h, nodeName(other, nodes))
	}

	// Every waiting chat's reminders and queue timeout fall due: 5 s.
	waitFor(t, func() bool {
		for _, st := range []sb.Status{sb.StatusQueued, sb.StatusRequeued} {
			w, err := db.Sessions(context.Background(), sb.SessionFilter{Status: &st, Limit: 1})
			if err != nil || len(w) > 0 {
				return false
			}
		}
		return true
	})
	events, err := db.Events(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	checkRoutingAndTimers(t, events, capacity)
	last := events[len(events)-1].ID
	for i, f := range subs {
		waitFor(t, func() bool { ids, _ := f.seen(); return len(ids) > 0 && ids[len(ids)-1] >= last })
		ids, closed := f.seen()
		for j, id := range ids {
			if id != int64(j+1) {
				t.Fatalf("subscriber %d saw %d events, want 1..%d once each, in order; at %d: %d (closed: %v)", i, len(ids), last, j, id, closed)
			}
		}
	}
	t.Logf("%d events; leader now %s", len(events), holder())
}

// nodeName is the --node-name of s among nodes.
func nodeName(s *server, nodes []*server) string {
	for i, n := range nodes {
		if n == s {
			return fmt.Sprintf("node-%d", i+1)
		}
	}
	return ""
}

// checkRoutingAndTimers reads the log as routing and the timers wrote it:
// no session assigned while it is with an agent, no agent above capacity,
// each session ended at most once, its queue reminders numbered 1, 2, …
// once each, and no session still waiting after its queue timeout.
func checkRoutingAndTimers(t *testing.T, events []sb.Event, capacity int) {
	t.Helper()
	with := map[int64]int64{} // session → the agent it is with
	load := map[int64]int{}   // agent → sessions with it
	ended := map[int64]int{}
	reminders := map[int64]int{}
	waiting := map[int64]bool{}
	for _, e := range events {
		switch e.Type {
		case "queued", "requeued":
			waiting[e.SessionID] = true
		case "assigned":
			var d struct {
				Agent struct{ ID int64 } `json:"agent"`
			}
			json.Unmarshal(e.Data, &d)
			if a := with[e.SessionID]; a != 0 {
				t.Errorf("session %d assigned to agent %d while with agent %d (event %d)", e.SessionID, d.Agent.ID, a, e.ID)
			}
			with[e.SessionID] = d.Agent.ID
			if load[d.Agent.ID]++; load[d.Agent.ID] > capacity {
				t.Errorf("agent %d has %d sessions at event %d, capacity %d", d.Agent.ID, load[d.Agent.ID], e.ID, capacity)
			}
			delete(waiting, e.SessionID)
		case "ended":
			if ended[e.SessionID]++; ended[e.SessionID] > 1 {
				t.Errorf("session %d ended twice (event %d)", e.SessionID, e.ID)
			}
			if a := with[e.SessionID]; a != 0 {
				load[a]--
				delete(with, e.SessionID)
			}
			delete(waiting, e.SessionID)
		case "queue_reminder":
			var d struct {
				Number int `json:"number"`
			}
			json.Unmarshal(e.Data, &d)
			if reminders[e.SessionID]++; d.Number != reminders[e.SessionID] {
				t.Errorf("session %d's reminder %d is number %d (event %d): a timer fired twice or was lost", e.SessionID, reminders[e.SessionID], d.Number, e.ID)
			}
		}
	}
	timedOut := 0
	for id, n := range ended {
		if n == 1 && reminders[id] == 2 {
			timedOut++
		}
	}
	if len(waiting) != 0 {
		t.Errorf("sessions still waiting after their queue timeout: %v", waiting)
	}
	if timedOut == 0 {
		t.Error("no session waited out its reminders and queue timeout: the test did not exercise the timers")
	}
	t.Logf("%d sessions with agents, %d ended by their queue timeout after 2 reminders", len(with), timedOut)
}
