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

	// A generous deadline so a broken stream fails instead of hanging.
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", srv.URL+"/api/v1/sessions/3/queue-position/stream", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, res.Status)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	next := func() (string, httpapi.QueuePosition) {
		t.Helper()
		var event string
		var pos httpapi.QueuePosition
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "event: "):
				event = line[7:]
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(line[6:]), &pos)
			case line == "" && event != "":
				return event, pos
			}
		}
	}
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

	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", url+path+"/stream", nil)
	req.Header.Set("Authorization", "Bearer "+integration.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, res)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	next := func() QueueEvent {
		t.Helper()
		var ev QueueEvent
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Raw = line[6:]
				json.Unmarshal([]byte(ev.Raw), &ev.Position)
			case line == "" && ev.Event != "":
				return ev
			}
		}
	}
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

	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(sctx, "GET", fmt.Sprintf("%s/api/v1/sessions/%d/queue-position/stream", url, third), nil)
	req.Header.Set("Authorization", "Bearer "+integration.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, res)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	next := func() QueueEvent {
		t.Helper()
		var ev QueueEvent
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Raw = line[6:]
				json.Unmarshal([]byte(ev.Raw), &ev.Position)
			case line == "" && ev.Event != "":
				return ev
			}
		}
	}
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
