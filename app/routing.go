package app

import (
	"context"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/routing"
)

// routedAgents saves agents through the engine's writer, so that the
// router sees every change of capacity, groups and status in order with the
// session changes, and assigns what the change makes possible.
type routedAgents struct{ a *App }

func (r routedAgents) SaveAgent(ctx context.Context, ag sb.Agent) (sb.Agent, error) {
	return r.apply(ctx, func() (sb.Agent, error) { return r.a.Directory.SaveAgent(ctx, ag) })
}

func (r routedAgents) SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (sb.Agent, error) {
	return r.apply(ctx, func() (sb.Agent, error) { return r.a.Directory.SetAgentStatus(ctx, id, s) })
}

// apply runs save in the writer and hands the saved agent to routing.
func (r routedAgents) apply(ctx context.Context, save func() (sb.Agent, error)) (sb.Agent, error) {
	var saved sb.Agent
	err := r.a.Engine.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		var err error
		if saved, err = save(); err != nil {
			return nil, err
		}
		return r.a.Dispatcher.AgentChanged(saved, now)
	})
	return saved, err
}

// routedSettings saves routing settings through the engine's writer, so
// that routing applies them in order with the session changes.
type routedSettings struct{ a *App }

func (r routedSettings) RoutingSettings() sb.RoutingSettings { return r.a.Directory.RoutingSettings() }

func (r routedSettings) SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (sb.RoutingSettings, error) {
	var saved sb.RoutingSettings
	err := r.a.Engine.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		var err error
		if saved, err = r.a.Directory.SaveRoutingSettings(ctx, s); err != nil {
			return nil, err
		}
		return r.a.Dispatcher.SettingsChanged(saved, now), nil
	})
	return saved, err
}

// queuePosition reads the router from the writer goroutine, its owner.
func (a *App) queuePosition(ctx context.Context, sessionID int64) (httpapi.QueuePosition, error) {
	var pos httpapi.QueuePosition
	found := false
	err := a.Engine.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		r := a.Dispatcher.Router()
		p, n, queue, ok := r.Position(sessionID)
		pos = httpapi.QueuePosition{SessionID: sessionID, QueueID: queue, Position: p, Waiting: n}
		if ewt, why := r.EstimatedWait(queue, p, now); why == "" {
			secs := int64(ewt.Round(time.Second) / time.Second)
			pos.EstimatedWaitSeconds = &secs
		} else {
			pos.NoEstimate = why
		}
		found = ok
		return nil, nil
	})
	if err != nil {
		return pos, err
	}
	if !found {
		return pos, sb.Errorf(sb.ECONFLICT, "session %d is not waiting in a queue", sessionID)
	}
	return pos, nil
}

// queueState reads a queue's members and waiting count from the router, in
// the writer goroutine that owns it.
func (a *App) queueState(ctx context.Context, queueID int64) (httpapi.QueueState, error) {
	st := httpapi.QueueState{QueueID: queueID, Members: []httpapi.Member{}}
	var members []sb.Agent
	for _, ag := range a.Directory.Agents() {
		if slices.Contains(ag.Groups, queueID) {
			members = append(members, ag)
		}
	}
	err := a.Engine.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		r := a.Dispatcher.Router()
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

// readRouter runs read in the writer goroutine, the router's owner.
func (a *App) readRouter(ctx context.Context, read func(r *routing.Router, now time.Time)) error {
	return a.Engine.Do(ctx, func(now time.Time) ([]engine.Followup, error) {
		read(a.Dispatcher.Router(), now)
		return nil, nil
	})
}
