package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type sseEvent struct {
	ID   int64
	Type string
	Data map[string]any
}

type sseConn struct {
	t      *testing.T
	res    *http.Response
	rd     *bufio.Reader
	cancel context.CancelFunc
}

func (s *stack) subscribe(path, lastID string) *sseConn {
	s.t.Helper()
	// A generous deadline so a broken stream fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["supervisor"])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		s.t.Fatalf("subscribe %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	return &sseConn{t: s.t, res: res, rd: bufio.NewReader(res.Body), cancel: cancel}
}

func (c *sseConn) next() sseEvent {
	c.t.Helper()
	var ev sseEvent
	for {
		line, err := c.rd.ReadString('\n')
		if err != nil {
			c.t.Fatalf("stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && ev.Type != "":
			return ev
		case strings.HasPrefix(line, "id: "):
			ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(line[6:]), &ev.Data); err != nil {
				c.t.Fatalf("bad data line %q: %v", line, err)
			}
		}
	}
}

func (c *sseConn) close() { c.cancel(); c.res.Body.Close() }

// A subscriber that disconnects and resumes from its last event id gets
// every event it missed, once, in order — for one session and for all.
func TestLiveSubscriptionResumesWithoutGapOrDuplicate(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"voice_inbound"}`, 201) // seq 1
	s.mustDo("integration", "POST", "/api/v1/sessions/1/enqueue", `{"queue_id":1}`, 200) // seq 2

	one := s.subscribe("/api/v1/sessions/1/events/stream?after_seq=1", "")
	all := s.subscribe("/api/v1/events/stream", "")
	if ev := one.next(); ev.ID != 2 || ev.Type != "queued" {
		t.Fatalf("first catch-up event = %d %s, want 2 queued", ev.ID, ev.Type)
	}
	for want := int64(1); want <= 2; want++ {
		if ev := all.next(); ev.ID != want {
			t.Fatalf("global catch-up id %d, want %d", ev.ID, want)
		}
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200) // seq 3, live
	if ev := one.next(); ev.ID != 3 || ev.Type != "assigned" || ev.Data["seq"] != float64(3) {
		t.Fatalf("live event = %+v", ev)
	}
	if ev := all.next(); ev.ID != 3 {
		t.Fatalf("global live id %d", ev.ID)
	}
	one.close()
	all.close()

	// While disconnected, more happens, in this session and another.
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)                // seq 4
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201) // global 5
	s.mustDo("agent", "POST", "/api/v1/sessions/1/hold", `{}`, 200)                 // seq 5, global 6
	one = s.subscribe("/api/v1/sessions/1/events/stream", "3")
	defer one.close()
	all = s.subscribe("/api/v1/events/stream", "3")
	defer all.close()
	for _, want := range []string{"connected", "held"} {
		if ev := one.next(); ev.Type != want {
			t.Fatalf("resumed event %s, want %s", ev.Type, want)
		}
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/resume", `{}`, 200) // seq 6, global 7
	if ev := one.next(); ev.ID != 6 || ev.Type != "resumed" {
		t.Fatalf("after resume: %d %s, want 6 resumed", ev.ID, ev.Type)
	}
	for want := int64(4); want <= 7; want++ {
		if ev := all.next(); ev.ID != want {
			t.Fatalf("global resumed id %d, want %d", ev.ID, want)
		}
	}
}

func TestStreamOfUnknownSessionIs404(t *testing.T) {
	s := newStack(t)
	r := s.do("supervisor", "GET", "/api/v1/sessions/9/events/stream", "")
	if r.Status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("status %d", r.Status)
	}
}
