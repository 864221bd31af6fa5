// Package dispatch connects the router to the engine: it watches every
// session change, keeps the router's queues and agent loads in step with
// the sessions, and turns the router's decisions into assign commands that
// commit with the change that caused them. The engine's writer goroutine is
// its only caller.
package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// Dispatcher implements engine.Dispatcher with a routing.Router.
type Dispatcher struct {
	store    sb.EventStore
	dir      *directory.Directory
	clock    sb.Clock
	log      *slog.Logger
	settings routing.Settings

	router *routing.Router
	// changes counts the router's changes, shared by every router a
	// rebuild makes, for readers of queue positions (Positions).
	changes atomic.Uint64
	// pending holds decisions whose assign command has been issued but not
	// yet observed: session → agent.
	pending map[int64]int64
	// history remembers who served each customer (familiar customer
	// first), read from the store customer by customer when first needed;
	// rebuilds (after a failed commit) keep it, as it only ever gains
	// entries.
	history map[string]*history
	// opened lists queues whose work hours just began (a queue_opens
	// timer fired); the next Observe dispatches them.
	opened []int64
}

var _ engine.Dispatcher = (*Dispatcher)(nil)

// New returns a dispatcher; the engine calls Reset before first use. The
// routing settings come from the directory.
func New(store sb.EventStore, dir *directory.Directory, clock sb.Clock, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.Default()
	}
	s := routerSettings(dir.RoutingSettings())
	d := &Dispatcher{store: store, dir: dir, clock: clock, log: log, settings: s, pending: map[int64]int64{},
		history: map[string]*history{}}
	d.router = d.newRouter()
	return d
}

// Router returns the live router, for reads from the writer goroutine only
// (queue state). Queue positions are read from Positions.
func (d *Dispatcher) Router() *routing.Router { return d.router }

// Reset implements engine.Dispatcher: it rebuilds the router from the
// directory's agents and the store's live sessions.
func (d *Dispatcher) Reset(ctx context.Context) ([]engine.Followup, error) {
	now := d.clock.Now()
	d.settings = routerSettings(d.dir.RoutingSettings())
	r := d.newRouter()
	r.Pause()
	for _, a := range d.dir.Agents() {
		if err := d.loadAgent(r, a, now); err != nil {
			return nil, err
		}
	}
	live, err := d.store.LiveSessions(ctx)
	if err != nil {
		return nil, fmt.Errorf("rebuild routing: %w", err)
	}
	for _, s := range live {
		if h := s.CurrentHandle(); h != nil {
			_ = r.Hold(h.Agent.ID, s.ID) // an agent deleted since holds nothing
		}
	}
	for _, s := range live {
		if w := s.CurrentWait(); w != nil {
			if _, err := r.Enqueue(d.waiting(s, w), now); err != nil {
				return nil, fmt.Errorf("rebuild routing: %w", err)
			}
		}
	}
	d.router = r
	d.changes.Add(1) // whatever the rebuild dropped is a change too
	clear(d.pending)
	return d.followups(r.Resume(now)), nil
}

// newRouter returns an empty router that reads groups' work hours from
// their work-time plans.
func (d *Dispatcher) newRouter() *routing.Router {
	r := routing.New(d.settings)
	r.InWorkHours = d.dir.QueueOpen
	r.Changes = &d.changes
	return r
}

func (d *Dispatcher) loadAgent(r *routing.Router, a sb.Agent, now time.Time) error {
	if _, err := r.SetAgent(routing.AgentConfig{ID: a.ID, Capacity: a.MaxConcurrent, Groups: a.Groups}, now); err != nil {
		return fmt.Errorf("rebuild routing: %w", err)
	}
	_, err := r.SetStatus(a.ID, routing.Status(a.Status), now)
	return err
}

// AgentChanged applies a saved agent (capacity, groups, status) to the
// router and returns the decisions it makes possible. Run it through
// engine.Do.
func (d *Dispatcher) AgentChanged(a sb.Agent, now time.Time) ([]engine.Followup, error) {
	ds, err := d.router.SetAgent(routing.AgentConfig{ID: a.ID, Capacity: a.MaxConcurrent, Groups: a.Groups}, now)
	if err != nil {
		return nil, err
	}
	more, err := d.router.SetStatus(a.ID, routing.Status(a.Status), now)
	if err != nil {
		return nil, err
	}
	return d.followups(append(ds, more...)), nil
}

// Observe implements engine.Dispatcher. It compares where the session
// waited and who handled it before and after the change: a session that
// stopped waiting leaves its queue, an agent who stopped handling it is
// released (and may pick up the next one), a new handler is counted, and a
// session that started waiting joins its queue (and may be assigned).
func (d *Dispatcher) Observe(before, after *sb.Session, events []sb.Event) engine.Reaction {
	now := d.clock.Now()
	var reaction engine.Reaction
	d.offerTimers(before, after, now, &reaction)
	d.chatTimers(before, after, events, now, &reaction)
	reaction.Followups = append(reaction.Followups, d.welcome(after, events)...)
	reaction.Followups = append(reaction.Followups, d.greetings(before, after, events)...)
	reaction.Followups = append(reaction.Followups, d.endTags(after, events)...)
	reaction.Followups = append(reaction.Followups, d.closing(after, events)...)
	reaction.Followups = append(reaction.Followups, d.receipt(after, events)...)
	var wb, wa *sb.QueueWait
	var hb, ha int64
	if before != nil {
		wb = before.CurrentWait()
		if h := before.CurrentHandle(); h != nil {
			hb = h.Agent.ID
		}
	}
	wa = after.CurrentWait()
	if h := after.CurrentHandle(); h != nil {
		ha = h.Agent.ID
	}
	d.waitTimers(wb, wa, after, events, now, &reaction)
	var ds []routing.Decision
	for _, g := range d.opened {
		ds = append(ds, d.router.Dispatch(g, now)...)
	}
	d.opened = d.opened[:0]
	if wb != nil && !sameWait(wb, wa) {
		d.router.Remove(after.ID)
	}
	if hb != 0 && hb != ha {
		ds = append(ds, d.router.Release(hb, after.ID, now)...)
	}
	if ha != 0 && ha != hb {
		d.remember(after.EndUser.CustomerKey(), after.ID, ha)
		if d.pending[after.ID] == ha {
			delete(d.pending, after.ID) // our own decision, counted when it was made
		} else if err := d.router.Hold(ha, after.ID); err != nil {
			d.log.Warn("routing: handler unknown to routing", "session", after.ID, "agent", ha, "err", err)
		}
	}
	if wa != nil && !sameWait(wb, wa) {
		if f, ok := d.afterHours(after, wa, now); ok {
			reaction.Followups = append(reaction.Followups, f)
			reaction.Followups = append(reaction.Followups, d.followups(ds)...)
			return reaction
		}
		fus, overflowed := d.applyQueueRule(after, wa)
		reaction.Followups = append(reaction.Followups, fus...)
		if overflowed {
			reaction.Followups = append(reaction.Followups, d.followups(ds)...)
			return reaction
		}
		more, err := d.router.Enqueue(d.waiting(after, wa), now)
		if err != nil {
			d.log.Warn("routing: enqueue", "session", after.ID, "err", err)
		}
		ds = append(ds, more...)
		reaction.Followups = append(reaction.Followups, d.noFreeAgent(after, ds)...)
	}
	reaction.Followups = append(reaction.Followups, d.followups(ds)...)
	return reaction
}

// afterHours deflects a session that starts waiting in a queue outside the
// queue's work hours, when its channel's after-hours setting says so. A
// wait that comes from a transfer is left alone.
func (d *Dispatcher) afterHours(s *sb.Session, w *sb.QueueWait, now time.Time) (engine.Followup, bool) {
	if w.TransferID != 0 || d.dir.QueueOpen(w.Queue.ID, now) {
		return engine.Followup{}, false
	}
	deflection := map[string]string{
		sb.AfterHoursLeaveMessage: sb.DeflectionAfterHoursLeaveMessage,
		sb.AfterHoursMessage:      sb.DeflectionAfterHoursMessageOnly,
	}[d.dir.RoutingSettings().AfterHours[s.Channel]]
	if deflection == "" {
		return engine.Followup{}, false
	}
	return engine.Followup{SessionID: s.ID, Command: &lifecycle.Deflect{Deflection: deflection}}, true
}

// applyQueueRule checks the enabled queue rule of the group a session
// starts waiting in: when more than its threshold wait already, it notifies
// administrators (a queue_alert event) and/or moves the arrival to the
// overflow group, marked as an overflow. An arrival that is itself an
// overflow is not moved again.
func (d *Dispatcher) applyQueueRule(s *sb.Session, w *sb.QueueWait) (fus []engine.Followup, overflowed bool) {
	rule, ok := d.dir.QueueRuleFor(w.Queue.ID)
	if !ok || w.TransferID != 0 && s.Transfers[w.TransferID-1].Overflow {
		return nil, false
	}
	waiting := d.router.Waiting(w.Queue.ID)
	if waiting < rule.Threshold {
		return nil, false
	}
	alert := lifecycle.AlertData{RuleID: rule.ID, RuleName: rule.Name, QueueID: w.Queue.ID, Waiting: waiting,
		Threshold: rule.Threshold, OverflowTo: rule.OverflowTo}
	if rule.NotifyAdmins {
		fus = append(fus, engine.Followup{SessionID: s.ID, Command: &lifecycle.Alert{Data: alert}})
	}
	if rule.OverflowTo != 0 {
		fus = append(fus, engine.Followup{SessionID: s.ID, Command: &lifecycle.Transfer{Kind: sb.TransferToQueue,
			QueueID: rule.OverflowTo, Overflow: true}})
		return fus, true
	}
	return fus, false
}

func sameWait(a, b *sb.QueueWait) bool {
	return a != nil && b != nil && a.Queue.ID == b.Queue.ID && a.StartedAt.Equal(b.StartedAt)
}

// waiting describes a session's wait to the router; the customer's level
// comes from its tags (dispatch rules).
func (d *Dispatcher) waiting(s *sb.Session, w *sb.QueueWait) routing.Waiting {
	var last, most int64
	if w.TransferID == 0 { // a transfer chose where to go: no familiar agent
		last, most = d.familiar(s)
	}
	return routing.Waiting{SessionID: s.ID, GroupID: w.Queue.ID, Since: w.StartedAt, Level: d.dir.CustomerLevel(s.EndUser.Tags),
		PreferredAgentID: w.PreferredAgentID, LastAgentID: last, MostServedAgentID: most}
}

// followups turns decisions into assign commands that carry the reason.
func (d *Dispatcher) followups(ds []routing.Decision) []engine.Followup {
	out := make([]engine.Followup, 0, len(ds))
	for _, dec := range ds {
		why, err := json.Marshal(dec.Why)
		if err != nil {
			d.log.Error("routing: encode decision", "err", err)
			continue
		}
		d.pending[dec.SessionID] = dec.AgentID
		out = append(out, engine.Followup{SessionID: dec.SessionID, Command: &lifecycle.Assign{AgentID: dec.AgentID, Rule: dec.Why.Rule, Why: why}})
	}
	return out
}
