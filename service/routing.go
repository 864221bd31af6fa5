package service

import (
	"context"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/routing"
)

// Routing is what belongs to the node that runs the router (the one
// process, or a cluster's leader): the agent and settings changes routing
// must see in order with the session changes, and reads of its queues.
// Every value is plain data, so a node without the router can ask the
// leader for it (cluster.Forwarder).
type Routing interface {
	// SaveAgent saves an agent; routing applies its capacity, groups and
	// status, and assigns what the change makes possible.
	SaveAgent(ctx context.Context, a sb.Agent) (sb.Agent, error)
	// SetAgentStatus changes an agent's status, as SaveAgent.
	SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (sb.Agent, error)
	// SaveRoutingSettings saves the routing settings; routing applies them
	// at once.
	SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (sb.RoutingSettings, error)
	// QueuePosition is a waiting session's place in its queue: with every
	// change routing made before the call when maxAge is zero, else read
	// from a view at most about maxAge old (a stream's updates, which
	// must not cost a trip through the writer each).
	QueuePosition(ctx context.Context, sessionID int64, maxAge time.Duration) (QueuePosition, error)
	// QueuePositions is every waiting session's place, read from a view
	// at most about maxAge old, as QueuePosition with a maxAge: what a
	// node without the router caches, so that its streams cost the
	// leader one call per interval, not one per waiting visitor.
	QueuePositions(ctx context.Context, maxAge time.Duration) ([]QueuePosition, error)
	// QueueState is a queue's members and waiting sessions.
	QueueState(ctx context.Context, queueID int64) (QueueState, error)
	// View is every queue's and every agent's state, read at one instant.
	View(ctx context.Context) (RoutingView, error)
}

// QueuePosition is a waiting session's place in its queue.
type QueuePosition struct {
	SessionID int64 `json:"session_id"`
	QueueID   int64 `json:"queue_id"`
	// Position is 1 for the next session to be served.
	Position int `json:"position"`
	Waiting  int `json:"waiting"`
	// EstimatedWaitSeconds is how much longer the session should wait,
	// from the queue's recent pace; absent when there is no estimate.
	EstimatedWaitSeconds *int64 `json:"estimated_wait_seconds,omitempty"`
	// NoEstimate says why there is none: no_agent_available (no member
	// of the queue can take sessions now), outside_work_hours or
	// pace_unknown.
	NoEstimate string `json:"no_estimate,omitempty"`
}

// QueueState is a queue as routing sees it now.
type QueueState struct {
	QueueID int64 `json:"queue_id"`
	Waiting int   `json:"waiting"`
	// NextWaitSeconds estimates the wait of a session that would join now.
	NextWaitSeconds *int64 `json:"next_wait_seconds,omitempty"`
	// Members are the queue's agents with their status and load.
	Members []Member `json:"members"`
}

// Member is an agent of a queue as routing sees it.
type Member struct {
	AgentID  int64          `json:"agent_id"`
	Name     string         `json:"name"`
	Status   sb.AgentStatus `json:"status"`
	Load     int            `json:"load"`
	Capacity int            `json:"capacity"`
}

// RoutingView is routing's state at one instant.
type RoutingView struct {
	At     time.Time    `json:"at"`
	Queues []QueueStats `json:"queues"`
	// Loads are the agents routing knows.
	Loads []AgentLoad `json:"loads"`
}

// QueueStats is one queue in a RoutingView.
type QueueStats struct {
	GroupID int64 `json:"group_id"`
	Waiting int   `json:"waiting"`
	// Oldest is when the session waiting longest began to wait; zero when
	// none waits.
	Oldest time.Time `json:"oldest"`
}

// AgentLoad is an agent's sessions and capacity in a RoutingView.
type AgentLoad struct {
	AgentID  int64 `json:"agent_id"`
	Load     int   `json:"load"`
	Capacity int   `json:"capacity"`
}

// ViewOf reads r's state at now, with the loads of agents; call it in
// the goroutine that owns r.
func ViewOf(r *routing.Router, agents []sb.Agent, now time.Time) RoutingView {
	qs := r.Queues()
	v := RoutingView{At: now, Queues: make([]QueueStats, len(qs)), Loads: make([]AgentLoad, 0, len(agents))}
	for i, q := range qs {
		v.Queues[i] = QueueStats{GroupID: q.GroupID, Waiting: q.Waiting, Oldest: q.Oldest}
	}
	for _, a := range agents {
		load, capacity := r.Load(a.ID)
		if capacity > 0 || load > 0 {
			v.Loads = append(v.Loads, AgentLoad{AgentID: a.ID, Load: load, Capacity: capacity})
		}
	}
	return v
}
