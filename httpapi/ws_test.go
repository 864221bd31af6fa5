package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/httpapi"
)

// wsClient is a real WebSocket client of the test server.
type wsClient struct {
	t   *testing.T
	c   *websocket.Conn
	ctx context.Context
}

func (s *stack) dialWS(as string) *wsClient {
	s.t.Helper()
	// A generous deadline so a broken connection fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	s.t.Cleanup(cancel)
	h := http.Header{}
	if tok, ok := s.tokens[as]; ok {
		h.Set("Authorization", "Bearer "+tok)
	}
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/api/v1/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		s.t.Fatalf("dial as %s: %v (status %d)", as, err, status)
	}
	s.t.Cleanup(func() { c.CloseNow() })
	return &wsClient{t: s.t, c: c, ctx: ctx}
}

func (w *wsClient) send(frame string) {
	w.t.Helper()
	if err := w.c.Write(w.ctx, websocket.MessageText, []byte(frame)); err != nil {
		w.t.Fatalf("send %s: %v", frame, err)
	}
}

func (w *wsClient) next() map[string]any {
	w.t.Helper()
	typ, b, err := w.c.Read(w.ctx)
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		w.t.Fatalf("frame type %v", typ)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("frame is not JSON: %v: %s", err, b)
	}
	return m
}

// expect reads the next frame and checks its op.
func (w *wsClient) expect(op string) map[string]any {
	w.t.Helper()
	m := w.next()
	if m["op"] != op {
		w.t.Fatalf("frame %v, want op %s", m, op)
	}
	return m
}

func (w *wsClient) errCode(m map[string]any) string {
	w.t.Helper()
	if m["op"] != "error" {
		w.t.Fatalf("not an error frame: %v", m)
	}
	e := m["error"].(map[string]any)
	if msg, _ := e["message"].(string); msg == "" {
		w.t.Errorf("error without a message: %v", m)
	}
	return e["code"].(string)
}

// eventSeq returns the session seq of an event frame.
func eventSeq(t *testing.T, m map[string]any) int64 {
	t.Helper()
	if m["op"] != "event" {
		t.Fatalf("not an event frame: %v", m)
	}
	return int64(m["event"].(map[string]any)["seq"].(float64))
}

// connectedChat creates web chat 1 handled by agent 1.
func connectedChat(s *stack) {
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201) // seq 1, 2
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
}

// A subscriber that reconnects and resumes from its last seq gets every
// event once, in order, while messages are being appended concurrently.
func TestWSResumeWithoutGapOrDuplicateUnderConcurrentAppends(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	base := len(s.mustDo("supervisor", "GET", "/api/v1/sessions/1/events", "", 200).json(t)["events"].([]any))

	const writers, each = 4, 30
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// A conflict on the session version is retried inside the engine; every message lands.
				if r := s.do("integration", "POST", "/api/v1/sessions/1/message", fmt.Sprintf(`{"from":"end_user","text":"w%d-%d"}`, w, i)); r.Status != 200 {
					t.Errorf("message: %d %s", r.Status, r.Body)
					return
				}
			}
		}()
	}
	total := int64(base + writers*each)
	var last int64
	seen := map[int64]bool{}
	for round := 0; last < total; round++ {
		c := s.dialWS("supervisor")
		c.send(fmt.Sprintf(`{"op":"subscribe","session_id":1,"after_seq":%d,"ref":"r%d"}`, last, round))
		if m := c.expect("subscribed"); m["session_id"] != float64(1) || m["ref"] != fmt.Sprintf("r%d", round) {
			t.Fatalf("subscribed frame %v", m)
		}
		// Take a few events, then drop the connection mid-stream.
		for i := 0; i < 7 && last < total; i++ {
			seq := eventSeq(t, c.next())
			if seq != last+1 || seen[seq] {
				t.Fatalf("round %d: seq %d after %d", round, seq, last)
			}
			seen[seq], last = true, seq
		}
		c.c.CloseNow()
	}
	wg.Wait()
	if last != total || int64(len(seen)) != total {
		t.Fatalf("saw %d events up to %d, want %d", len(seen), last, total)
	}
}

func TestWSSubscribeOrderAndUnsubscribe(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	c := s.dialWS("agent")
	c.send(`{"op":"subscribe","session_id":1,"after_seq":2}`)
	c.expect("subscribed")
	for want := int64(3); want <= 4; want++ { // assigned, connected from the store
		if seq := eventSeq(t, c.next()); seq != want {
			t.Fatalf("replayed seq %d, want %d", seq, want)
		}
	}
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"hello"}`, 200)
	m := c.expect("event")
	ev := m["event"].(map[string]any)
	if ev["seq"] != float64(5) || ev["type"] != "message_sent" || ev["data"].(map[string]any)["text"] != "hello" {
		t.Fatalf("live event %v", ev)
	}
	c.send(`{"op":"unsubscribe","session_id":1,"ref":"u"}`)
	c.expect("unsubscribed")
	s.mustDo("integration", "POST", "/api/v1/sessions/1/message", `{"from":"end_user","text":"unheard"}`, 200)
	c.send(`{"op":"ping","ref":"p"}`)
	if m := c.next(); m["op"] != "pong" || m["ref"] != "p" {
		t.Fatalf("after unsubscribe got %v, want the pong", m)
	}
	if code := c.errCode(func() map[string]any { c.send(`{"op":"unsubscribe","session_id":1}`); return c.next() }()); code != "not_found" {
		t.Errorf("second unsubscribe: %s", code)
	}
	c.send(`{"op":"subscribe","session_id":99}`)
	if m := c.next(); c.errCode(m) != "not_found" || m["session_id"] != float64(99) {
		t.Errorf("unknown session: %v", m)
	}

	// subscribe_all sends every session's events by global id.
	all := s.dialWS("supervisor")
	all.send(`{"op":"subscribe_all","after_id":4}`)
	all.expect("subscribed")
	var ids []float64
	for i := 0; i < 2; i++ {
		ids = append(ids, all.expect("event")["event"].(map[string]any)["id"].(float64))
	}
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201)
	ev = all.expect("event")["event"].(map[string]any)
	if ids[0] != 5 || ids[1] != 6 || ev["id"] != float64(7) || ev["session_id"] != float64(2) {
		t.Errorf("subscribe_all ids %v then %v", ids, ev)
	}
}

// Typing notices reach the session's other followers, not the sender,
// and are never stored.
func TestWSTypingRelay(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	events := s.eventCount()
	agent, visitor, other := s.dialWS("agent"), s.dialWS("integration"), s.dialWS("supervisor")
	for _, c := range []*wsClient{agent, visitor} {
		c.send(`{"op":"subscribe","session_id":1,"after_seq":4}`)
		c.expect("subscribed")
	}
	visitor.send(`{"op":"typing","session_id":1,"typing":true}`)
	m := agent.expect("typing")
	if m["session_id"] != float64(1) || m["from"] != "end_user" || m["typing"] != true || m["agent_id"] != nil {
		t.Errorf("visitor typing as seen by the agent: %v", m)
	}
	agent.send(`{"op":"typing","session_id":1,"typing":false}`)
	m = visitor.expect("typing")
	if m["from"] != "agent" || m["agent_id"] != float64(1) || m["typing"] != false {
		t.Errorf("agent typing as seen by the visitor: %v", m)
	}
	// The sender gets nothing back: its next frame is the pong.
	agent.send(`{"op":"ping"}`)
	agent.expect("pong")
	// A connection that does not follow the session may not type in it.
	other.send(`{"op":"typing","session_id":1,"typing":true}`)
	if code := other.errCode(other.next()); code != "invalid" {
		t.Errorf("typing without a subscription: %s", code)
	}
	// The burst is 5; the clock stands still, so the sixth is refused.
	for i := 0; i < 4; i++ {
		visitor.send(`{"op":"typing","session_id":1,"typing":true}`)
		agent.expect("typing")
	}
	visitor.send(`{"op":"typing","session_id":1,"typing":true,"ref":"t6"}`)
	if m := visitor.next(); visitor.errCode(m) != "rate_limited" || m["ref"] != "t6" {
		t.Errorf("sixth typing notice: %v", m)
	}
	s.clock.Advance(time.Second) // two more tokens
	visitor.send(`{"op":"typing","session_id":1,"typing":true}`)
	agent.expect("typing")
	if n := s.eventCount(); n != events {
		t.Errorf("typing stored events: %d, want %d", n, events)
	}
}

// The command op answers as the REST command does, policy included.
func TestWSCommandMatchesREST(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	agent := s.dialWS("agent")
	agent.send(`{"op":"command","ref":"c1","session_id":1,"command":"message","body":{"text":"Hi there"},"if_match":4}`)
	m := agent.expect("result")
	evs := m["events"].([]any)
	data := evs[0].(map[string]any)["data"].(map[string]any)
	if m["ref"] != "c1" || m["seq"] != float64(5) || data["from"] != "agent" || data["agent_id"] != float64(1) {
		t.Errorf("result %v", m)
	}
	if _, ok := m["session"]; ok {
		t.Errorf("a message's result carries the session: %v", m)
	}
	for _, c := range []struct {
		as, frame, code string
	}{
		{"agent", `{"op":"command","ref":"c2","session_id":1,"command":"message","body":{"text":"x"},"if_match":4}`, "precondition"},
		{"agent", `{"op":"command","ref":"c3","session_id":1,"command":"message","body":{"from":"end_user","text":"x"}}`, "forbidden"},
		{"agent", `{"op":"command","ref":"c4","session_id":1,"command":"rate","body":{"rating":5}}`, "forbidden"},
		{"agent", `{"op":"command","ref":"c5","session_id":1,"command":"message","body":{"text":""}}`, "invalid"},
		{"agent", `{"op":"command","ref":"c6","session_id":1,"command":"message","body":{"text":"x","bogus":1}}`, "invalid"},
		{"agent", `{"op":"command","ref":"c7","session_id":1,"command":"record-event","body":{}}`, "not_found"},
		{"agent", `{"op":"command","ref":"c8","session_id":1,"command":"expire-offer"}`, "not_found"},
		{"agent", `{"op":"command","ref":"c9","session_id":7,"command":"hold"}`, "not_found"},
		{"integration", `{"op":"command","ref":"c10","session_id":1,"command":"message","body":{"text":"who"}}`, "invalid"},
	} {
		ws := s.dialWS(c.as)
		ws.send(c.frame)
		m := ws.next()
		if got := ws.errCode(m); got != c.code {
			t.Errorf("%s: %s, want %s: %v", c.frame, got, c.code, m)
		}
		var f map[string]any
		json.Unmarshal([]byte(c.frame), &f)
		if m["ref"] != f["ref"] {
			t.Errorf("%s: ref %v", c.frame, m["ref"])
		}
	}
	// The same refusals over REST, for the record.
	s.mustDo("agent", "POST", "/api/v1/sessions/1/rate", `{"rating":5}`, 403)
	// Agent 2 handles nothing: its commands on session 1 are refused, as over REST.
	_, secret, err := httpapi.CreateToken(context.Background(), s.db, s.clock, "Alex", sb.RoleAgent, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["agent2"] = secret
	a2 := s.dialWS("agent2")
	a2.send(`{"op":"command","ref":"x","session_id":1,"command":"hold","body":{}}`)
	if code := a2.errCode(a2.next()); code != "forbidden" {
		t.Errorf("agent 2 hold: %s", code)
	}
	if r := s.do("agent2", "POST", "/api/v1/sessions/1/hold", `{}`); r.Status != 403 {
		t.Errorf("agent 2 hold over REST: %d", r.Status)
	}
	// Nothing of this changed the session.
	if seq := s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t)["seq"]; seq != float64(5) {
		t.Errorf("session seq %v after refusals, want 5", seq)
	}
	// Other commands answer with the session.
	agent.send(`{"op":"command","ref":"c11","session_id":1,"command":"hold","if_match":5}`)
	if m := agent.expect("result"); m["session"].(map[string]any)["seq"] != float64(6) || m["seq"] != nil {
		t.Errorf("a hold's result: %v", m)
	}
}

func TestWSBadFramesKeepTheConnection(t *testing.T) {
	s := newStack(t)
	c := s.dialWS("supervisor")
	for _, frame := range []string{
		`not json`, `[]`, `{}`, `{"op":"dance"}`, `{"op":"ping","session_id":1}`,
		`{"op":"subscribe"}`, `{"op":"subscribe","session_id":0}`, `{"op":"subscribe","session_id":1,"after_seq":-1}`,
		`{"op":"subscribe","session_id":"1"}`, `{"op":"typing","session_id":1}`, `{"op":"command","session_id":1}`,
		`{"op":"command","session_id":1,"command":"hold","body":[1]}`, `{"op":"subscribe_all","after_id":-3}`,
		`{"op":"ping"} {"op":"ping"}`, `{"op":"ping","extra":true}`, `{"op":"ping","ref":"` + strings.Repeat("r", 65) + `"}`,
	} {
		c.send(frame)
		if code := c.errCode(c.next()); code != "invalid" {
			t.Errorf("%s: code %s", frame, code)
		}
	}
	c.send(`{"op":"dance","ref":"d1"}`)
	if m := c.next(); m["ref"] != "d1" {
		t.Errorf("error frame without the ref: %v", m)
	}
	if err := c.c.Write(c.ctx, websocket.MessageBinary, []byte(`{"op":"ping"}`)); err != nil {
		t.Fatal(err)
	}
	if code := c.errCode(c.next()); code != "invalid" {
		t.Errorf("binary frame: %s", code)
	}
	c.send(`{"op":"ping"}`)
	c.expect("pong")
	// A frame over the limit closes the connection with 1009.
	c.send(`{"op":"ping","ref":"` + strings.Repeat("x", 70<<10) + `"}`)
	if _, _, err := c.c.Read(c.ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Errorf("oversized frame: %v", err)
	}
}

func TestWSRefusals(t *testing.T) {
	s := newStack(t)
	// No token: a JSON 401 before any upgrade.
	_, res, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/api/v1/ws", nil)
	if err == nil || res == nil || res.StatusCode != 401 {
		t.Errorf("dial without a token: %v %v", err, res)
	}
	// A plain GET is told to upgrade.
	if r := s.do("supervisor", "GET", "/api/v1/ws", ""); r.Status != 400 || r.errCode(t) != "invalid" {
		t.Errorf("plain GET: %d %s", r.Status, r.Body)
	}
}

// A client that does not read is disconnected with 1013 instead of
// holding the server's memory or slowing its writers.
func TestWSSlowConsumerIsDisconnected(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	c := s.dialWS("supervisor")
	c.send(`{"op":"subscribe","session_id":1}`)
	c.expect("subscribed")
	for i := 0; i < 4; i++ {
		c.expect("event")
	}
	// Fill the send queue and the socket buffers with answers the client never reads.
	big := `{"op":"ping","ref":"` + strings.Repeat("p", 60) + `"}`
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if err := c.c.Write(c.ctx, websocket.MessageText, []byte(big)); err != nil {
			break
		}
		if s.feed.Subscribers() == 0 {
			break
		}
	}
	for {
		_, _, err := c.c.Read(c.ctx)
		if err != nil {
			if st := websocket.CloseStatus(err); st != websocket.StatusTryAgainLater && st != -1 {
				t.Errorf("close status %v (%v), want 1013", st, err)
			}
			break
		}
	}
	for s.feed.Subscribers() != 0 && time.Now().Before(deadline) {
		runtime.Gosched() // the server ends the subscription as the connection closes
	}
	if n := s.feed.Subscribers(); n != 0 {
		t.Errorf("%d subscriptions still open", n)
	}
}

// A frame the client sends in the same packet as its handshake is not
// lost when the connection changes hands from net/http to the WebSocket.
func TestWSFrameRightAfterTheHandshake(t *testing.T) {
	s := newStack(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	payload := []byte(`{"op":"ping","ref":"early"}`)
	mask := []byte{1, 2, 3, 4}
	frame := append([]byte{0x81, 0x80 | byte(len(payload))}, mask...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	req := "GET /api/v1/ws HTTP/1.1\r\nHost: " + conn.RemoteAddr().String() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + s.tokens["supervisor"] + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	res, err := http.ReadResponse(rd, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", err, res)
	}
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(rd, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(rd, body); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0x81 || string(body) != `{"op":"pong","ref":"early"}` {
		t.Errorf("answer %x %s, want the pong", hdr, body)
	}
}

// The server pings idle connections, and the client's pongs keep them open.
func TestWSServerKeepAlivePings(t *testing.T) {
	s := newStack(t)
	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: dir, Config: s.db, KeepAlive: 5 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(api)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pings := make(chan struct{}, 16)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + s.tokens["supervisor"]}},
		OnPingReceived: func(context.Context, []byte) bool {
			select {
			case pings <- struct{}{}:
			default:
			}
			return true
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	read := make(chan error, 1)
	go func() { _, _, err := c.Read(ctx); read <- err }() // control frames are handled while reading
	for i := 0; i < 3; i++ {
		select {
		case <-pings:
		case err := <-read:
			t.Fatalf("connection ended before the pings: %v", err)
		case <-ctx.Done():
			t.Fatal("no keep-alive ping from the server")
		}
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"op":"ping","ref":"after"}`)); err != nil {
		t.Fatalf("connection closed after answered pings: %v", err)
	}
	if err := <-read; err != nil {
		t.Fatalf("read after the pings: %v", err)
	}
}

// A visitor follows and writes to its own chat only, sees it as visitors
// do on the REST routes, and may not follow every session.
func TestWSVisitorPolicy(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	s.tokens["ana"], _ = s.visitor(key, `{"name":"Ana"}`)
	s.tokens["bob"], _ = s.visitor(key, `{"name":"Bob"}`)
	s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/events", `{"type":"customer_note","data":{"text":"angry customer"}}`, 200)

	ana := s.dialWS("ana")
	ana.send(`{"op":"subscribe_all","ref":"all"}`)
	if m := ana.next(); ana.errCode(m) != "forbidden" || m["ref"] != "all" {
		t.Errorf("visitor subscribe_all: %v", m)
	}
	ana.send(`{"op":"subscribe","session_id":1}`)
	ana.expect("subscribed")
	ana.send(`{"op":"command","ref":"m","session_id":1,"command":"message","body":{"text":"Hello"}}`)
	// The result and the chat's events come in either order.
	var result map[string]any
	var seen []string
	for result == nil || !slices.Contains(seen, "message_sent") {
		m := ana.next()
		switch m["op"] {
		case "event":
			ev := m["event"].(map[string]any)
			seen = append(seen, ev["type"].(string))
			if ev["type"] == "customer_note" {
				t.Errorf("a visitor saw a staff note: %v", ev)
			}
		case "result":
			result = m
		default:
			t.Fatalf("unexpected frame %v", m)
		}
	}
	if result["session"] != nil || result["seq"] == nil {
		t.Errorf("the visitor's message result: %v", result)
	}
	for _, e := range result["events"].([]any) {
		if actor := e.(map[string]any)["actor"].(map[string]any); actor["id"] != nil || actor["name"] != nil {
			t.Errorf("the visitor's result shows staff fields: %v", e)
		}
	}
	bob := s.dialWS("bob")
	bob.send(`{"op":"subscribe","session_id":1}`)
	if code := bob.errCode(bob.next()); code != "forbidden" {
		t.Errorf("another visitor subscribing: %s", code)
	}
	bob.send(`{"op":"command","session_id":1,"command":"message","body":{"text":"intruder"}}`)
	if code := bob.errCode(bob.next()); code != "forbidden" {
		t.Errorf("another visitor writing: %s", code)
	}
	ana.send(`{"op":"command","session_id":1,"command":"hold","body":{}}`)
	if code := ana.errCode(ana.next()); code != "forbidden" {
		t.Errorf("a visitor holding its chat: %s", code)
	}
}
