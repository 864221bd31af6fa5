package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/service"
)

// Remote runs the commands and routing of a node that does not run the
// writer: a cluster's forwarder to its leader.
type Remote interface {
	service.Commands
	service.Routing
}

// roles hands the API's commands, routing, report catch-up and outbox
// wake-ups to whoever runs the writer now: this process's engine while it
// leads, the remote leader while it follows. The API is built once and
// keeps its connections when the role changes.
type roles struct {
	mu       sync.RWMutex
	commands service.Commands
	routing  service.Routing
	sync     func(context.Context) (report.Freshness, error)
	poke     func()
}

var (
	_ service.Commands = (*roles)(nil)
	_ service.Routing  = (*roles)(nil)
)

func (r *roles) set(c service.Commands, rt service.Routing, sync func(context.Context) (report.Freshness, error), poke func()) {
	r.mu.Lock()
	r.commands, r.routing, r.sync, r.poke = c, rt, sync, poke
	r.mu.Unlock()
}

func (r *roles) get() (service.Commands, service.Routing) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.commands, r.routing
}

func (r *roles) Create(ctx context.Context, c service.Caller, cmd *lifecycle.Create, opt service.RunOptions) (engine.Result, error) {
	x, _ := r.get()
	return x.Create(ctx, c, cmd, opt)
}

func (r *roles) Run(ctx context.Context, c service.Caller, id int64, cmd lifecycle.Command, opt service.RunOptions) (engine.Result, error) {
	x, _ := r.get()
	return x.Run(ctx, c, id, cmd, opt)
}

func (r *roles) SaveAgent(ctx context.Context, a sb.Agent) (sb.Agent, error) {
	_, x := r.get()
	return x.SaveAgent(ctx, a)
}

func (r *roles) SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (sb.Agent, error) {
	_, x := r.get()
	return x.SetAgentStatus(ctx, id, s)
}

func (r *roles) SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (sb.RoutingSettings, error) {
	_, x := r.get()
	return x.SaveRoutingSettings(ctx, s)
}

func (r *roles) QueuePosition(ctx context.Context, sessionID int64, maxAge time.Duration) (service.QueuePosition, error) {
	_, x := r.get()
	return x.QueuePosition(ctx, sessionID, maxAge)
}

func (r *roles) QueuePositions(ctx context.Context, maxAge time.Duration) ([]service.QueuePosition, error) {
	_, x := r.get()
	return x.QueuePositions(ctx, maxAge)
}

func (r *roles) QueueState(ctx context.Context, queueID int64) (service.QueueState, error) {
	_, x := r.get()
	return x.QueueState(ctx, queueID)
}

func (r *roles) View(ctx context.Context) (service.RoutingView, error) {
	_, x := r.get()
	return x.View(ctx)
}

func (r *roles) reportSync(ctx context.Context) (report.Freshness, error) {
	r.mu.RLock()
	sync := r.sync
	r.mu.RUnlock()
	return sync(ctx)
}

func (r *roles) pokeDeliveries() {
	r.mu.RLock()
	poke := r.poke
	r.mu.RUnlock()
	poke()
}

// remoteRouting is routing on the leader, as a follower sees it. The
// queue positions that streams follow (QueuePosition with a maxAge) are
// read from the leader's whole list of positions, fetched at most once
// per maxAge for every stream on the node together: thousands of visitors
// waiting on a follower cost the leader one call per interval. (Saves
// reach the leader as whole requests, node.Node.Handler, and the follower
// reloads its directory after them there.)
type remoteRouting struct {
	service.Routing
	clock sb.Clock

	fetch     sync.Mutex // one fetch of the positions at a time
	positions atomic.Pointer[positionView]
}

// positionView is the leader's list of positions, by session, as fetched
// at a time.
type positionView struct {
	at time.Time
	by map[int64]service.QueuePosition
}

// QueuePosition asks the leader for a current position (maxAge 0), and
// reads one at most about maxAge old from the node's copy of the leader's
// list: a session not in it is answered as not waiting, and the stream
// asking then makes sure with a current read.
func (r *remoteRouting) QueuePosition(ctx context.Context, sessionID int64, maxAge time.Duration) (service.QueuePosition, error) {
	if maxAge <= 0 {
		return r.Routing.QueuePosition(ctx, sessionID, 0)
	}
	v, err := r.recentPositions(ctx, maxAge)
	if err != nil {
		return service.QueuePosition{}, err
	}
	if p, ok := v.by[sessionID]; ok {
		return p, nil
	}
	return service.QueuePosition{SessionID: sessionID}, sb.Errorf(sb.ECONFLICT, "session %d is not waiting in a queue", sessionID)
}

// recentPositions returns the node's copy of the leader's positions,
// fetching it again when it is maxAge old.
func (r *remoteRouting) recentPositions(ctx context.Context, maxAge time.Duration) (*positionView, error) {
	fresh := func() *positionView {
		if v := r.positions.Load(); v != nil && r.clock.Now().Sub(v.at) < maxAge {
			return v
		}
		return nil
	}
	if v := fresh(); v != nil {
		return v, nil
	}
	r.fetch.Lock()
	defer r.fetch.Unlock()
	if v := fresh(); v != nil {
		return v, nil // fetched by another stream meanwhile
	}
	at := r.clock.Now()
	list, err := r.Routing.QueuePositions(ctx, maxAge)
	if err != nil {
		return nil, err
	}
	v := &positionView{at: at, by: make(map[int64]service.QueuePosition, len(list))}
	for _, p := range list {
		v.by[p.SessionID] = p
	}
	r.positions.Store(v)
	return v, nil
}

// storedFreshness is how current the report facts are by the store
// alone, for a node whose projector does not run: the leader's keeps
// them current.
func storedFreshness(db Store) func(context.Context) (report.Freshness, error) {
	return func(ctx context.Context) (report.Freshness, error) {
		through, err := db.ReportCheckpoint(ctx)
		if err != nil {
			return report.Freshness{}, err
		}
		last, err := db.LastEventID(ctx)
		if err != nil {
			return report.Freshness{}, err
		}
		return report.Freshness{Current: through >= last, FactsThrough: through, LastEvent: last}, nil
	}
}
