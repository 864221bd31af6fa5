package httpapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// A command forwarded by another node runs on the leader for the caller it
// names, under the same rules as a command the leader's own API takes,
// and its answer — or its refusal, code and all — comes back whole.
func TestForwardedCommandsRunOnTheLeader(t *testing.T) {
	s := newStack(t)
	leader := httptest.NewServer(s.api.ClusterHandler("s3cret"))
	defer leader.Close()
	fwd := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return leader.URL, nil }, Secret: "s3cret", Clock: s.clock}
	ctx := context.Background()
	crm := service.Caller{Role: sb.RoleIntegration, TokenID: 3, Name: "crm"}
	res, err := fwd.Create(ctx, crm, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Name: "韩梅梅"}}, service.RunOptions{})
	if err != nil || res.Session.ID != 1 || res.Session.EndUser.Name != "韩梅梅" || len(res.Events) == 0 || res.Events[0].ID == 0 {
		t.Fatalf("forwarded create: %+v %v", res, err)
	}
	if res.Events[0].Actor.Kind != sb.ActorIntegration || res.Events[0].Actor.Name != "crm" {
		t.Errorf("recorded as %+v, want the forwarding node's caller", res.Events[0].Actor)
	}
	alex := service.Caller{Role: sb.RoleAgent, AgentID: 2, Name: "Alex B"}
	before := s.eventCount()
	_, err = fwd.Run(ctx, alex, 1, &lifecycle.Assign{AgentID: 1}, service.RunOptions{})
	var e *sb.Error
	if !errors.As(err, &e) || e.Code != sb.EFORBIDDEN {
		t.Fatalf("an agent assigning to another, forwarded: %v, want forbidden", err)
	}
	stale := int64(0)
	_, err = fwd.Run(ctx, crm, 1, &lifecycle.Assign{AgentID: 1}, service.RunOptions{IfMatch: &stale})
	if !errors.As(err, &e) || e.Code != sb.EPRECONDITION || e.Detail["seq"] == nil {
		t.Fatalf("a stale If-Match, forwarded: %v, want precondition with the seq", err)
	}
	if s.eventCount() != before {
		t.Fatal("refused forwarded commands appended events")
	}
	first, err := fwd.Run(ctx, crm, 1, &lifecycle.Assign{AgentID: 1}, service.RunOptions{IdempotencyKey: "k-9"})
	if err != nil || first.Session.Agent == nil || first.Session.Agent.ID != 1 {
		t.Fatalf("forwarded assign: %+v %v", first, err)
	}
	again, err := fwd.Run(ctx, crm, 1, &lifecycle.Assign{AgentID: 1}, service.RunOptions{IdempotencyKey: "k-9"})
	if err != nil || !again.Replayed || again.Session.Seq != first.Session.Seq {
		t.Errorf("the same key forwarded again: %+v %v", again, err)
	}

	// A wrong secret is refused, and not taken for a missing leader.
	bad := &cluster.Forwarder{Leader: fwd.Leader, Secret: "guess", Clock: s.clock}
	if _, err := bad.Run(ctx, crm, 1, &lifecycle.Tag{}, service.RunOptions{}); !errors.As(err, &e) || e.Code != sb.EUNAUTHORIZED {
		t.Errorf("a wrong secret: %v", err)
	}
}

// While no leader answers, a forwarded command waits (on the node's clock)
// and goes to the next leader; past its patience it is unavailable.
func TestForwarderWaitsForTheNextLeader(t *testing.T) {
	s := newStack(t)
	leader := httptest.NewServer(s.api.ClusterHandler("s3cret"))
	defer leader.Close()
	var elected atomic.Bool
	tries := make(chan struct{}, 100)
	fwd := &cluster.Forwarder{Secret: "s3cret", Clock: s.clock, Patience: 5 * time.Second, Pause: time.Second,
		Leader: func(context.Context) (string, error) {
			tries <- struct{}{}
			if !elected.Load() {
				return "http://127.0.0.1:1", nil // the old leader's address: nothing listens
			}
			return leader.URL, nil
		}}
	crm := service.Caller{Role: sb.RoleIntegration, TokenID: 3, Name: "crm"}
	done := make(chan error, 1)
	base := s.clock.Timers() // before the forwarder can pause
	go func() {
		_, err := fwd.Create(context.Background(), crm, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, service.RunOptions{})
		done <- err
	}()
	waitPause := func() {
		t.Helper()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for deadline := time.After(10 * time.Second); s.clock.Timers() != base+1; {
			select {
			case <-tick.C:
			case <-deadline:
				t.Fatal("the forwarder did not pause")
			}
		}
	}
	for i := range 2 { // two failed tries, a second apart
		<-tries
		waitPause()
		select {
		case err := <-done:
			t.Fatalf("gave up after one try: %v", err)
		default:
		}
		if i == 1 {
			elected.Store(true) // before the pause ends: the third try finds the leader
		}
		s.clock.Advance(time.Second)
	}
	if err := <-done; err != nil {
		t.Fatalf("after the election: %v", err)
	}
	<-tries // the try that found the leader
	if n := s.eventCount(); n == 0 {
		t.Fatal("the command never reached the new leader")
	}

	// Nobody elected for longer than the patience: unavailable.
	elected.Store(false)
	go func() {
		_, err := fwd.Create(context.Background(), crm, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1}, service.RunOptions{})
		done <- err
	}()
	for range 5 {
		<-tries
		waitPause()
		s.clock.Advance(time.Second)
	}
	<-tries
	if err := <-done; sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("past the patience: %v, want unavailable", err)
	}
}
