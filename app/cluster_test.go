package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Routing's calls forwarded by another node run on the leader's router:
// an agent saved and put online through the forwarder is routed the
// waiting chat, and the queue reads answer as the leader sees them,
// refusals with their code.
func TestForwardedRoutingRunsOnTheLeader(t *testing.T) {
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	a, err := app.Open(ctx, app.Options{DBPath: filepath.Join(t.TempDir(), "sb.db"), ExportsDir: t.TempDir(), Clock: c,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	leader := httptest.NewServer(a.API.ClusterHandler("s3cret"))
	defer leader.Close()
	fwd := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return leader.URL, nil }, Secret: "s3cret", Clock: c}

	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "售后"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	pos, err := fwd.QueuePosition(ctx, second.Session.ID, 0)
	if err != nil || pos.Position != 2 || pos.Waiting != 2 || pos.QueueID != q.ID {
		t.Fatalf("the second chat's place, forwarded: %+v %v", pos, err)
	}

	ag, err := fwd.SaveAgent(ctx, sb.Agent{Name: "李雷", Email: "lilei@example.com", Groups: []int64{q.ID}, MaxConcurrent: 1})
	if err != nil || ag.ID == 0 {
		t.Fatalf("save an agent, forwarded: %+v %v", ag, err)
	}
	if got, err := a.Directory.GetAgent(ag.ID); err != nil || got.Name != "李雷" {
		t.Fatalf("the leader's directory: %+v %v", got, err)
	}
	if _, err := fwd.SetAgentStatus(ctx, ag.ID, sb.AgentOnline); err != nil {
		t.Fatal(err)
	}
	s, err := a.DB.Session(ctx, first.Session.ID)
	if err != nil || s.Agent == nil || s.Agent.ID != ag.ID {
		t.Fatalf("the first chat after the agent came online: %+v %v, want assigned to %d", s, err, ag.ID)
	}
	pos, err = fwd.QueuePosition(ctx, second.Session.ID, 0)
	if err != nil || pos.Position != 1 || pos.Waiting != 1 {
		t.Errorf("the second chat's place after the first was assigned: %+v %v", pos, err)
	}
	if _, err := fwd.QueuePosition(ctx, first.Session.ID, 0); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("the assigned chat's place: %v, want conflict (not waiting)", err)
	}
	st, err := fwd.QueueState(ctx, q.ID)
	if err != nil || st.Waiting != 1 || len(st.Members) != 1 || st.Members[0].Load != 1 || st.Members[0].Capacity != 1 {
		t.Errorf("queue state, forwarded: %+v %v", st, err)
	}
	v, err := fwd.View(ctx)
	if err != nil || len(v.Loads) != 1 || v.Loads[0].AgentID != ag.ID || v.Loads[0].Load != 1 || !v.At.Equal(c.Now()) {
		t.Errorf("routing view, forwarded: %+v %v", v, err)
	}
	set := a.Directory.RoutingSettings()
	set.TransferConfirmation = true
	if got, err := fwd.SaveRoutingSettings(ctx, set); err != nil || !got.TransferConfirmation || !a.Directory.RoutingSettings().TransferConfirmation {
		t.Errorf("settings, forwarded: %+v %v", got, err)
	}
}

// A call whose answer is lost after it may have reached the leader is
// sent again only when running it twice is harmless: a new agent is not
// (it would be created twice), a status change is.
func TestForwarderResendsOnlyWhatIsSafeToRepeat(t *testing.T) {
	c := clock.NewVirtual(t0)
	var hits atomic.Int64
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the request arrived; no answer comes back
		}
	}))
	defer cut.Close()
	fwd := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return cut.URL, nil }, Secret: "s3cret", Clock: c,
		Patience: 3 * time.Second, Pause: time.Second}
	if _, err := fwd.SaveAgent(context.Background(), sb.Agent{Name: "Ann"}); err == nil || hits.Load() != 1 {
		t.Fatalf("a new agent whose answer was lost: %v after %d tries, want an error after one", err, hits.Load())
	}

	done := make(chan error, 1)
	go func() {
		_, err := fwd.SetAgentStatus(context.Background(), 1, sb.AgentOnline)
		done <- err
	}()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		default:
		}
		if c.Timers() > 0 { // the forwarder pauses between tries
			c.Advance(time.Second)
		}
		time.Sleep(time.Millisecond) // waiting for the forwarder's goroutine, not test logic
	}
	if sb.ErrorCode(err) != sb.EUNAVAILABLE || hits.Load() < 3 {
		t.Errorf("a status change whose answers were lost: %v after %d tries, want unavailable after several", err, hits.Load())
	}
}
