package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboardhq/switchboard/httpapi"
)

// The network deadlines are wall-clock by nature; the tests configure
// short ones and let the client's pace, or the server's own keep-alives,
// mark the time.
const shortLimit = 200 * time.Millisecond

// trickle sends head (a request up to its blank line) to srv, then its
// body one byte every 20 ms, far slower than shortLimit allows, and
// returns the answer, if any, and whether the connection was then closed.
func trickle(t *testing.T, srv *httptest.Server, head string, bodyLen int) (*http.Response, []byte, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A safety net far past the limit: a server that waits fails here.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; i < bodyLen-1; i++ { // never the whole body
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	rd := bufio.NewReader(conn)
	res, err := http.ReadResponse(rd, nil)
	if err != nil {
		t.Fatalf("no answer to a body slower than the limit: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	_, err = rd.ReadByte()
	var ne net.Error
	closed := err != nil && !(errors.As(err, &ne) && ne.Timeout())
	return res, body, closed
}

// A client that sends its headers and then trickles the body is answered
// 408 timeout once the body deadline passes, and the connection closes,
// on JSON routes and the upload route alike.
func TestSlowBodiesAreCutOff(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201)
	srv := s.proxied(func(c *httpapi.Config) {
		c.BodyTimeout, c.UploadTimeout, c.Files = shortLimit, shortLimit, s.files
	})
	before := s.eventCount()
	for _, path := range []string{"/api/v1/sessions", "/api/v1/sessions/1/attachments?name=notes.txt"} {
		ct := "application/json"
		if strings.Contains(path, "attachments") {
			ct = "text/plain"
		}
		head := "POST " + path + " HTTP/1.1\r\nHost: switchboard\r\nAuthorization: Bearer " + s.tokens["integration"] +
			"\r\nContent-Type: " + ct + "\r\nContent-Length: 200\r\n\r\n{"
		start := time.Now()
		res, body, closed := trickle(t, srv, head, 200)
		var e struct{ Error struct{ Code string } }
		json.Unmarshal(body, &e)
		if res.StatusCode != 408 || e.Error.Code != "timeout" {
			t.Errorf("%s: %d %s, want 408 timeout", path, res.StatusCode, body)
		}
		if !closed {
			t.Errorf("%s: the connection stays open after the timeout", path)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: cut off after %v, the limit is %v", path, took, shortLimit)
		}
	}
	if n := s.eventCount(); n != before {
		t.Errorf("cut-off requests appended %d events", n-before)
	}
}

// Event streams and WebSocket connections carry no body: they stay open
// long past the body, header and stream-write limits while their clients
// read, and still deliver.
func TestStreamsOutliveTheRequestTimeouts(t *testing.T) {
	s := newStack(t)
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: s.directory(), Config: s.db, Logger: quietLog(),
		KeepAlive: 20 * time.Millisecond, BodyTimeout: shortLimit, UploadTimeout: shortLimit, StreamWriteTimeout: shortLimit})
	srv := httptest.NewUnstartedServer(api)
	srv.Config.ReadHeaderTimeout = shortLimit
	srv.Start()
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	auth := "Bearer " + s.tokens["supervisor"]

	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/events/stream", nil)
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", res, err)
	}
	defer res.Body.Close()
	sse := bufio.NewReader(res.Body)

	pings := make(chan struct{}, 1)
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/ws", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {auth}},
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
	defer ws.CloseNow()
	frames := make(chan string, 16)
	go func() {
		defer close(frames)
		for {
			_, b, err := ws.Read(ctx) // answers the pings meanwhile
			if err != nil {
				return
			}
			frames <- string(b)
		}
	}()
	if err := ws.Write(ctx, websocket.MessageText, []byte(`{"op":"subscribe_all","ref":"all"}`)); err != nil {
		t.Fatal(err)
	}
	if f := <-frames; !strings.Contains(f, `"subscribed"`) {
		t.Fatalf("subscribe_all: %s", f)
	}

	// Thirty keep-alives on each: three times the limits.
	for n := 0; n < 30; {
		line, err := sse.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended after %d keep-alives: %v", n, err)
		}
		if line == ": keep-alive\n" {
			n++
		}
	}
	for n := 0; n < 30; n++ {
		select {
		case <-pings:
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("the WebSocket closed after %d pings", n)
			}
			t.Fatalf("unexpected frame %s", f)
		case <-ctx.Done():
			t.Fatal("no keep-alive pings")
		}
	}
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201)
	for {
		line, err := sse.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended: %v", err)
		}
		if line == "event: session_created\n" {
			break
		}
	}
	for f := range frames {
		if strings.Contains(f, `"session_created"`) {
			return
		}
	}
	t.Fatal("the WebSocket closed before the event")
}
