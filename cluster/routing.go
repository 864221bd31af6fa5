package cluster

import (
	"context"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
)

var _ service.Routing = (*Forwarder)(nil)

// SaveAgent implements service.Routing on the leader. A new agent (ID 0)
// is not sent again once it may have reached the leader, since it would
// be created twice; a save of an existing one is.
func (f *Forwarder) SaveAgent(ctx context.Context, a sb.Agent) (out sb.Agent, err error) {
	err = f.call(ctx, RoutingPath+OpSaveAgent, RoutingRequest{Agent: &a}, &out, a.ID != 0)
	return out, err
}

// SetAgentStatus implements service.Routing on the leader.
func (f *Forwarder) SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (out sb.Agent, err error) {
	err = f.call(ctx, RoutingPath+OpAgentStatus, RoutingRequest{AgentID: id, Status: s}, &out, true)
	return out, err
}

// SaveRoutingSettings implements service.Routing on the leader.
func (f *Forwarder) SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (out sb.RoutingSettings, err error) {
	err = f.call(ctx, RoutingPath+OpSaveSettings, RoutingRequest{Settings: &s}, &out, true)
	return out, err
}

// QueuePosition implements service.Routing on the leader.
func (f *Forwarder) QueuePosition(ctx context.Context, sessionID int64, maxAge time.Duration) (out service.QueuePosition, err error) {
	err = f.call(ctx, RoutingPath+OpQueuePosition, RoutingRequest{SessionID: sessionID, MaxAgeMS: maxAge.Milliseconds()}, &out, true)
	return out, err
}

// QueuePositions implements service.Routing on the leader.
func (f *Forwarder) QueuePositions(ctx context.Context, maxAge time.Duration) (out []service.QueuePosition, err error) {
	err = f.call(ctx, RoutingPath+OpQueuePositions, RoutingRequest{MaxAgeMS: maxAge.Milliseconds()}, &out, true)
	return out, err
}

// QueueState implements service.Routing on the leader.
func (f *Forwarder) QueueState(ctx context.Context, queueID int64) (out service.QueueState, err error) {
	err = f.call(ctx, RoutingPath+OpQueueState, RoutingRequest{QueueID: queueID}, &out, true)
	return out, err
}

// View implements service.Routing on the leader.
func (f *Forwarder) View(ctx context.Context) (out service.RoutingView, err error) {
	err = f.call(ctx, RoutingPath+OpView, RoutingRequest{}, &out, true)
	return out, err
}
