package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// hijacks serves h and keeps the connections it hands over to WebSockets,
// so that a test can cut them.
type hijacks struct {
	h     http.Handler
	mu    sync.Mutex
	conns []net.Conn
}

func (x *hijacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x.h.ServeHTTP(hijackWriter{w, x}, r)
}

func (x *hijacks) cut() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, c := range x.conns {
		c.Close()
	}
	x.conns = nil
}

type hijackWriter struct {
	http.ResponseWriter
	x *hijacks
}

func (w hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.x.mu.Lock()
		w.x.conns = append(w.x.conns, c)
		w.x.mu.Unlock()
	}
	return c, brw, err
}

// The widget opens its WebSocket and its queue-position stream with a
// fresh single-use ticket each time, reconnects included, loads its
// attachments through fetch, and never puts the visitor token in a URL.
func TestWidgetStreamsOpenWithTickets(t *testing.T) {
	s := startStack(t)
	f := s.agentFixture()
	p := s.widgetFixture(f)
	x := &hijacks{h: s.App.Handler()}
	srv := httptest.NewServer(x)
	t.Cleanup(srv.Close)
	ctx := newBrowser(t)

	var mu sync.Mutex
	var urls []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *network.EventWebSocketCreated:
			urls = append(urls, e.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// tickets waits until the page has opened path with at least n
	// tickets and returns them.
	tickets := func(path string, n int) []string {
		t.Helper()
		tick := time.NewTicker(20 * time.Millisecond) // the browser works in real time
		defer tick.Stop()
		for {
			mu.Lock()
			var out []string
			for _, u := range urls {
				if _, rest, ok := strings.Cut(u, path+"?ticket="); ok {
					out = append(out, rest)
				}
			}
			mu.Unlock()
			if len(out) >= n {
				return out
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s opened with %d tickets, want %d", path, len(out), n)
			case <-tick.C:
			}
		}
	}
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}

	run(chromedp.Navigate(srv.URL+"/chat/"+p.Key),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.SendKeys(chromedp.CSS("#input"), "Hello\n"),
		chromedp.WaitVisible(chromedp.CSS(`.msg.me[data-id]:not(.pending):not([data-id=""])`)),
		waitJS(`/in line/.test(document.getElementById('queue-title').textContent)`),
		waitJS(`!document.body.classList.contains('degraded')`))
	sess := s.visitorSession(0) // its message is on the page with its id: the chat exists
	position := fmt.Sprintf("/api/v1/sessions/%d/queue-position/stream", sess.ID)
	ws, queue := tickets("/api/v1/ws", 1), tickets(position, 1)

	// The connections break; the page opens both again, with new tickets.
	x.cut()
	srv.CloseClientConnections()
	ws2, queue2 := tickets("/api/v1/ws", len(ws)+1), tickets(position, len(queue)+1)
	run(waitJS(`!document.body.classList.contains('degraded')`))

	// The agent answers with a picture: its thumbnail loads through fetch.
	path := fmt.Sprintf("/api/v1/sessions/%d/", sess.ID)
	if code := s.call(s.Admin, "POST", path+"assign", map[string]any{"agent_id": f.Agent.ID}, nil); code != 200 && code != http.StatusConflict {
		t.Fatalf("assign: %d", code)
	}
	s.must(f.Token, "POST", path+"connect", nil, nil)
	run(chromedp.SetUploadFiles(chromedp.CSS("#file-image"), []string{writePNG(t, 64, 48)}),
		chromedp.WaitVisible(chromedp.CSS(".msg.me .image img")),
		waitJS(`(() => { const i = document.querySelector('.msg.me .image img'); return i.complete && i.naturalWidth > 0 && i.src.startsWith('blob:'); })()`))

	seen := map[string]bool{}
	for _, tk := range append(ws2, queue2...) {
		if !strings.HasPrefix(tk, "sbk_") || seen[tk] {
			t.Errorf("ticket %q: not a ticket, or used twice", tk)
		}
		seen[tk] = true
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range urls {
		if strings.Contains(u, "access_token") || strings.Contains(u, "sbv_") {
			t.Errorf("the visitor token went in a URL: %s", u)
		}
	}
}
