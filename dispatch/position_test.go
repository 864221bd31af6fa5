package dispatch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
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
