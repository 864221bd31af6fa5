package lifecycle

import (
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// dir is a small in-memory directory for tests.
type dir struct{}

func (dir) Agent(id int64) (sb.AgentRef, error) {
	if id > 100 {
		return sb.AgentRef{}, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
	}
	return sb.AgentRef{ID: id, Name: fmt.Sprintf("Agent %d", id), Email: fmt.Sprintf("a%d@example.com", id)}, nil
}

func (dir) AgentGroups(int64) ([]int64, error) { return nil, nil }

func (dir) VirtualAgent(id int64) (sb.VirtualAgentRef, error) {
	if id > 100 {
		return sb.VirtualAgentRef{}, sb.Errorf(sb.ENOTFOUND, "virtual agent %d not found", id)
	}
	return sb.VirtualAgentRef{ID: id, Name: fmt.Sprintf("Bot %d", id)}, nil
}

func (dir) Queue(id int64) (sb.QueueRef, error) {
	if id > 100 {
		return sb.QueueRef{}, sb.Errorf(sb.ENOTFOUND, "queue %d not found", id)
	}
	return sb.QueueRef{ID: id, Name: fmt.Sprintf("Queue %d", id), Path: fmt.Sprint(id), Priority: 3}, nil
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// run executes cmds in order, one second apart, failing the test on any
// refusal, and checks that folding the log gives the same projection.
type runner struct {
	t      *testing.T
	s      *sb.Session
	events []sb.Event
	now    time.Time
}

func newRunner(t *testing.T) *runner { return &runner{t: t, now: t0} }

func (r *runner) env() Env {
	return Env{Now: r.now, Actor: sb.Actor{Kind: sb.ActorIntegration, ID: "test"}, Dir: dir{},
		NewUUID: func() string { return "00000000-0000-4000-8000-000000000001" }, SessionID: 1}
}

func (r *runner) try(cmd Command) error {
	r.t.Helper()
	res, err := Execute(r.s, cmd, r.env())
	r.now = r.now.Add(time.Second)
	if err != nil {
		return err
	}
	r.s = res.Session
	r.events = append(r.events, res.Events...)
	return nil
}

func (r *runner) do(cmds ...Command) *runner {
	r.t.Helper()
	for _, c := range cmds {
		if err := r.try(c); err != nil {
			r.t.Fatalf("%s in %s: %v", c.Name(), r.status(), err)
		}
	}
	return r
}

func (r *runner) status() string {
	if r.s == nil {
		return "(none)"
	}
	return r.s.Status.String()
}

func status(name string) Command {
	c, ok := NewStatusCommand(name)
	if !ok {
		panic(name)
	}
	return c
}
