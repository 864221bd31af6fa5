package directory

import (
	"context"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/worktime"
)

// Plans lists the work-time plans by ID.
func (d *Directory) Plans() []worktime.Plan { return list(d, d.plans) }

// GetPlan returns one work-time plan.
func (d *Directory) GetPlan(id int64) (worktime.Plan, error) {
	return get(d, d.plans, id, "work-time plan")
}

// SavePlan creates (ID 0) or replaces a work-time plan. Names are unique
// regardless of case.
func (d *Directory) SavePlan(ctx context.Context, p worktime.Plan) (worktime.Plan, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range d.plans {
		if o.ID != p.ID && strings.EqualFold(o.Name, p.Name) {
			return p, sb.Errorf(sb.ECONFLICT, "work-time plan %d is named %q already", o.ID, o.Name)
		}
	}
	if err := stamp(ctx, d, KindPlan, d.plans, &p.ID, &p.CreatedAt, func(o *worktime.Plan) time.Time { return o.CreatedAt }); err != nil {
		return p, err
	}
	p.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return p, persist(ctx, d, KindPlan, p.ID, d.plans, p)
}

// QueueOpen reports whether a queue is in its work hours at t: always when
// it has no plan. An unknown queue counts as open.
func (d *Directory) QueueOpen(queueID int64, t time.Time) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	q, ok := d.queues[queueID]
	if !ok || q.WorkTimePlanID == 0 {
		return true
	}
	p, ok := d.plans[q.WorkTimePlanID]
	if !ok {
		return true
	}
	open, err := p.Open(t)
	return err != nil || open
}

// QueueOpens returns when a closed queue's work hours begin next; ok is
// false when the queue is open, has no plan, or never opens.
func (d *Directory) QueueOpens(queueID int64, now time.Time) (time.Time, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	q, ok := d.queues[queueID]
	if !ok || q.WorkTimePlanID == 0 {
		return time.Time{}, false
	}
	p, ok := d.plans[q.WorkTimePlanID]
	if !ok {
		return time.Time{}, false
	}
	if open, err := p.Open(now); err != nil || open {
		return time.Time{}, false
	}
	at, open, ok := p.NextChange(now)
	return at, ok && open
}

// HasMembers reports whether any agent belongs to a queue.
func (d *Directory) HasMembers(queueID int64) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, a := range d.agents {
		if slices.Contains(a.Groups, queueID) {
			return true
		}
	}
	return false
}
