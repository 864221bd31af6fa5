package app

import (
	"context"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/dispatch"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/routing"
	"github.com/switchboardhq/switchboard/service"
)

// Routing is this process's routing, for the API (service.Routing): it
// saves agents and settings through the engine's writer, so that the
// router sees every change in order with the session changes and assigns
// what the change makes possible, and reads the router in the writer or
// from its snapshots.
type Routing struct {
	a            *App
	eng          *engine.Engine
	disp         *dispatch.Dispatcher
	positions    *dispatch.Positions
	current      func(ctx context.Context, sessionID int64) (httpapi.QueuePosition, error)
	recentWithin func(ctx context.Context, sessionID int64, interval time.Duration) (httpapi.QueuePosition, error)
}

var _ service.Routing = (*Routing)(nil)

func newRouting(a *App) *Routing {
	r := &Routing{a: a, eng: a.Engine, disp: a.Dispatcher}
	r.current, r.recentWithin = r.queuePositions()
	return r
}

// SaveAgent implements service.Routing.
func (r *Routing) SaveAgent(ctx context.Context, ag sb.Agent) (sb.Agent, error) {
	return r.apply(ctx, func() (sb.Agent, error) { return r.a.Directory.SaveAgent(ctx, ag) })
}

// SetAgentStatus implements service.Routing.
func (r *Routing) SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (sb.Agent, error) {
	return r.apply(ctx, func() (sb.Agent, error) { return r.a.Directory.SetAgentStatus(ctx, id, s) })
}

// apply runs save in the writer and hands the saved agent to routing.
func (r *Routing) apply(ctx context.Context, save func() (sb.Agent, error)) (sb.Agent, error) {
	var saved sb.Agent
	err := r.eng.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		var err error
		if saved, err = save(); err != nil {
			return nil, err
		}
		return r.disp.AgentChanged(saved, now)
	})
	return saved, err
}

// SaveRoutingSettings implements service.Routing.
func (r *Routing) SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (sb.RoutingSettings, error) {
	var saved sb.RoutingSettings
	err := r.eng.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		var err error
		if saved, err = r.a.Directory.SaveRoutingSettings(ctx, s); err != nil {
			return nil, err
		}
		return r.disp.SettingsChanged(saved, now), nil
	})
	return saved, err
}

// QueuePosition implements service.Routing.
func (r *Routing) QueuePosition(ctx context.Context, sessionID int64, maxAge time.Duration) (service.QueuePosition, error) {
	if maxAge <= 0 {
		return r.current(ctx, sessionID)
	}
	return r.recentWithin(ctx, sessionID, maxAge)
}

// QueuePositions implements service.Routing.
func (r *Routing) QueuePositions(ctx context.Context, maxAge time.Duration) ([]service.QueuePosition, error) {
	s, err := r.positions.Recent(ctx, maxAge)
	if err != nil {
		return nil, err
	}
	now := r.a.opt.Clock.Now()
	ids := s.Sessions()
	slices.Sort(ids)
	out := make([]service.QueuePosition, 0, len(ids))
	for _, id := range ids {
		if pos, err := queuePosition(s, id, now); err == nil {
			out = append(out, pos)
		}
	}
	return out, nil
}

// QueueState implements service.Routing.
func (r *Routing) QueueState(ctx context.Context, queueID int64) (service.QueueState, error) {
	return r.queueState(ctx, queueID)
}

// View implements service.Routing: read in the writer goroutine, the
// router's owner.
func (r *Routing) View(ctx context.Context) (service.RoutingView, error) {
	agents := r.a.Directory.Agents()
	var v service.RoutingView
	err := r.eng.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		v = service.ViewOf(r.disp.Router(), agents, now)
		return nil, nil
	})
	return v, err
}

// queuePositions returns the readers of queue positions: current answers
// with every change routing made before the call (the REST answer, the
// start of a stream); follow answers from a snapshot at most about two
// intervals old (a stream's updates). Both read a snapshot of the router
// and go through the engine's writer only to take a new one.
func (r *Routing) queuePositions() (current func(context.Context, int64) (httpapi.QueuePosition, error),
	follow func(context.Context, int64, time.Duration) (httpapi.QueuePosition, error)) {
	p := r.disp.Positions(func(ctx context.Context, fn func()) error {
		return r.eng.Do(ctx, func(time.Time) ([]engine.Followup, error) {
			fn()
			return nil, nil
		})
	})
	r.positions = p
	current = func(ctx context.Context, sessionID int64) (httpapi.QueuePosition, error) {
		s, err := p.Current(ctx)
		if err != nil {
			return httpapi.QueuePosition{}, err
		}
		return queuePosition(s, sessionID, r.a.opt.Clock.Now())
	}
	follow = func(ctx context.Context, sessionID int64, interval time.Duration) (httpapi.QueuePosition, error) {
		s, err := p.Recent(ctx, interval)
		if err != nil {
			return httpapi.QueuePosition{}, err
		}
		return queuePosition(s, sessionID, r.a.opt.Clock.Now())
	}
	return current, follow
}

// queuePosition reads a session's place and estimated wait from a
// snapshot of the router, for the time now.
func queuePosition(s *routing.Snapshot, sessionID int64, now time.Time) (httpapi.QueuePosition, error) {
	p, n, queue, ok := s.Position(sessionID)
	if !ok {
		return httpapi.QueuePosition{SessionID: sessionID}, sb.Errorf(sb.ECONFLICT, "session %d is not waiting in a queue", sessionID)
	}
	pos := httpapi.QueuePosition{SessionID: sessionID, QueueID: queue, Position: p, Waiting: n}
	if ewt, why := s.EstimatedWait(queue, p, now); why == "" {
		secs := int64(ewt.Round(time.Second) / time.Second)
		pos.EstimatedWaitSeconds = &secs
	} else {
		pos.NoEstimate = why
	}
	return pos, nil
}

// queueState reads a queue's members and waiting count from the router, in
// the writer goroutine that owns it.
func (r *Routing) queueState(ctx context.Context, queueID int64) (httpapi.QueueState, error) {
	st := httpapi.QueueState{QueueID: queueID, Members: []httpapi.Member{}}
	var members []sb.Agent
	for _, ag := range r.a.Directory.Agents() {
		if slices.Contains(ag.Groups, queueID) {
			members = append(members, ag)
		}
	}
	err := r.eng.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		r := r.disp.Router()
		st.Waiting = r.Waiting(queueID)
		if ewt, why := r.EstimatedWait(queueID, st.Waiting+1, now); why == "" {
			secs := int64(ewt.Round(time.Second) / time.Second)
			st.NextWaitSeconds = &secs
		}
		for _, m := range members {
			load, capacity := r.Load(m.ID)
			st.Members = append(st.Members, httpapi.Member{AgentID: m.ID, Name: m.Name, Status: m.Status, Load: load, Capacity: capacity})
		}
		return nil, nil
	})
	return st, err
}
