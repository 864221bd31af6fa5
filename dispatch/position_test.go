package dispatch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// A visitor's queue position is pushed as it changes, and the stream says
// when the visitor leaves the queue (picked up).
func TestQueuePositionIsUpdatedLive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.a.API.PositionInterval = 10 * time.Millisecond
	srv := httptest.NewServer(e.a.Handler())
	defer srv.Close()
	_, secret, err := httpapi.CreateToken(ctx, e.a.DB, e.clock, "widget", sb.RoleIntegration, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	e.chat(1)
	second := e.chat(1)
	third := e.chat(1)

	st := openPositionStream(t, e, srv.URL+"/api/v1/sessions/3/queue-position/stream", secret)
	next := func() (string, httpapi.QueuePosition) { t.Helper(); ev := st.next(); return ev.Event, ev.Position }
	if ev, pos := next(); ev != "position" || pos.Position != 3 || pos.Waiting != 3 {
		t.Fatalf("first: %s %+v", ev, pos)
	}
	e.status(1, sb.AgentOnline) // takes the first two
	if ev, pos := next(); ev != "position" || pos.Position != 1 || pos.Waiting != 1 {
		t.Fatalf("after two were picked up: %s %+v", ev, pos)
	}
	e.do(second, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser}) // frees a place: the third is taken
	if ev, _ := next(); ev != "left" || e.agentOf(third) != 1 {
		t.Fatalf("after the third was picked up: %s, agent %d", ev, e.agentOf(third))
	}
}

// A queue's recent pace gives no estimate while no member of the queue
// can take sessions: the position says so instead, and the stream tells
// the visitor when that changes.
func TestQueuePositionHasNoEstimateWithoutAnAgent(t *testing.T) {
	e := newEnv(t)
	e.a.API.PositionInterval = 10 * time.Millisecond
	url := e.serve()
	integration := e.client(url, sb.RoleIntegration, 0)
	// Noam takes two chats 30 s apart (his capacity): the queue has a pace.
	e.status(1, sb.AgentOnline)
	e.chat(1)
	e.clock.Advance(30 * time.Second)
	e.chat(1)
	third := e.chat(1)
	path := fmt.Sprintf("/api/v1/sessions/%d/queue-position", third)
	var pos httpapi.QueuePosition
	integration.must("GET", path, nil, &pos)
	if pos.Position != 1 || pos.EstimatedWaitSeconds == nil || *pos.EstimatedWaitSeconds != 30 || pos.NoEstimate != "" {
		t.Fatalf("with Noam online: %+v", pos)
	}

	next := openPositionStream(t, e, url+path+"/stream", integration.token).next
	if ev := next(); ev.Position.EstimatedWaitSeconds == nil {
		t.Fatalf("first: %s %s", ev.Event, ev.Raw)
	}

	// Noam goes away: no agent of the queue is available.
	e.status(1, sb.AgentAway)
	if ev := next(); ev.Event != "position" || strings.Contains(ev.Raw, "estimated_wait_seconds") || ev.Position.NoEstimate != "no_agent_available" {
		t.Fatalf("after Noam went away: %s %s", ev.Event, ev.Raw)
	}
	var raw map[string]any
	integration.must("GET", path, nil, &raw)
	if _, ok := raw["estimated_wait_seconds"]; ok || raw["no_estimate"] != "no_agent_available" {
		t.Fatalf("position with nobody available: %v", raw)
	}
}

// positionStream reads a queue-position stream. The stream reads
// positions on the server's virtual clock, once per interval: while next
// waits for an event, it moves the clock on by the interval.
type positionStream struct {
	t        *testing.T
	e        *env
	interval time.Duration
	lines    chan string
	cancel   context.CancelFunc
}

func openPositionStream(t *testing.T, e *env, url, token string) *positionStream {
	t.Helper()
	// A generous deadline so a broken stream fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		cancel()
		t.Fatalf("stream: %v %v", err, res)
	}
	s := &positionStream{t: t, e: e, interval: e.a.API.PositionInterval, lines: make(chan string), cancel: cancel}
	go func() {
		defer close(s.lines)
		defer res.Body.Close()
		rd := bufio.NewReader(res.Body)
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			select {
			case s.lines <- strings.TrimSpace(line):
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next returns the stream's next event.
func (s *positionStream) next() QueueEvent {
	s.t.Helper()
	var ev QueueEvent
	for range 20000 {
		select {
		case line, ok := <-s.lines:
			if !ok {
				s.t.Fatal("the stream ended")
			}
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Raw = line[6:]
				json.Unmarshal([]byte(ev.Raw), &ev.Position)
			case line == "" && ev.Event != "":
				return ev
			}
		case <-time.After(time.Millisecond): // the server's goroutines' turn, not test logic
			s.e.clock.Advance(s.interval)
		}
	}
	s.t.Fatal("no event on the stream")
	return ev
}

// QueueEvent is one event of the queue-position stream.
type QueueEvent struct {
	Event    string
	Raw      string
	Position httpapi.QueuePosition
}

// A stream reads positions without the engine's writer: while the writer
// is held up, a visitor still learns that the queue's pace grew too old
// for an estimate, which only the passing of time changed.
func TestQueuePositionStreamDoesNotWaitForTheWriter(t *testing.T) {
	e := newEnv(t)
	e.a.API.PositionInterval = 10 * time.Millisecond
	url := e.serve()
	integration := e.client(url, sb.RoleIntegration, 0)
	e.status(1, sb.AgentOnline)
	e.chat(1)
	e.clock.Advance(30 * time.Second)
	e.chat(1)
	third := e.chat(1)

	next := openPositionStream(t, e, fmt.Sprintf("%s/api/v1/sessions/%d/queue-position/stream", url, third), integration.token).next
	if ev := next(); ev.Position.EstimatedWaitSeconds == nil {
		t.Fatalf("first: %s %s", ev.Event, ev.Raw)
	}
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.a.Engine.Do(context.Background(), func(time.Time) ([]engine.Followup, error) {
			close(held)
			<-release
			return nil, nil
		})
	}()
	defer func() { close(release); <-done }()
	<-held
	e.clock.Advance(2 * time.Hour) // the pace is now over an hour old
	if ev := next(); ev.Event != "position" || ev.Position.NoEstimate != "pace_unknown" {
		t.Fatalf("with the writer held up: %s %s", ev.Event, ev.Raw)
	}
}
