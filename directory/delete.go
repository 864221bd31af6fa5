package directory

import (
	"context"
	"fmt"
	"slices"

	sb "github.com/switchboardhq/switchboard"
)

// DeleteQueue deletes a queue nothing refers to: no agent's groups, no
// child queue, no queue or routing rule, no web plugin. Sessions that waited in it keep
// their snapshots of it. The caller checks that no session waits in it.
func (d *Directory) DeleteQueue(ctx context.Context, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.queues[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "queue %d not found", id)
	}
	for _, a := range d.agents {
		if slices.Contains(a.Groups, id) {
			return inUse("queue", id, fmt.Sprintf("agent %d is a member", a.ID))
		}
	}
	for _, q := range d.queues {
		if q.ParentID == id {
			return inUse("queue", id, fmt.Sprintf("queue %d is its child", q.ID))
		}
	}
	for _, r := range d.rules {
		if slices.Contains(r.Groups, id) || r.OverflowTo == id {
			return inUse("queue", id, fmt.Sprintf("queue rule %d names it", r.ID))
		}
	}
	for _, r := range d.routes {
		if r.Target.QueueID == id || r.OffHours != nil && r.OffHours.QueueID == id {
			return inUse("queue", id, fmt.Sprintf("routing rule %d names it", r.ID))
		}
	}
	for _, p := range d.wplugs {
		if p.QueueID == id {
			return inUse("queue", id, fmt.Sprintf("web plugin %d sends its chats to it", p.ID))
		}
	}
	return d.remove(ctx, KindQueue, id, func() { delete(d.queues, id) })
}

// DeletePlan deletes a work-time plan no queue or routing rule uses.
func (d *Directory) DeletePlan(ctx context.Context, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.plans[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "work-time plan %d not found", id)
	}
	for _, q := range d.queues {
		if q.WorkTimePlanID == id {
			return inUse("work-time plan", id, fmt.Sprintf("queue %d uses it", q.ID))
		}
	}
	for _, r := range d.routes {
		if r.WorkTimePlanID == id {
			return inUse("work-time plan", id, fmt.Sprintf("routing rule %d uses it", r.ID))
		}
	}
	return d.remove(ctx, KindPlan, id, func() { delete(d.plans, id) })
}

// DeleteCustomerTag deletes a customer tag; customers keep the tag name,
// which then gives no level.
func (d *Directory) DeleteCustomerTag(ctx context.Context, id int64) error {
	return deleteFrom(ctx, d, KindCustomerTag, d.tags, id, "customer tag")
}

// DeleteQueueRule deletes a queue rule.
func (d *Directory) DeleteQueueRule(ctx context.Context, id int64) error {
	return deleteFrom(ctx, d, KindQueueRule, d.rules, id, "queue rule")
}

// DeleteRoutingRule deletes a routing rule.
func (d *Directory) DeleteRoutingRule(ctx context.Context, id int64) error {
	return deleteFrom(ctx, d, KindRoutingRule, d.routes, id, "routing rule")
}

func deleteFrom[T any](ctx context.Context, d *Directory, kind string, m map[int64]*T, id int64, what string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := m[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "%s %d not found", what, id)
	}
	return d.remove(ctx, kind, id, func() { delete(m, id) })
}

// remove deletes the stored document, then the cached one. d.mu must be held.
func (d *Directory) remove(ctx context.Context, kind string, id int64, uncache func()) error {
	if err := d.store.DeleteConfig(ctx, kind, id); err != nil {
		return err
	}
	uncache()
	d.writes++
	return nil
}

func inUse(what string, id int64, why string) error {
	return sb.Errorf(sb.ECONFLICT, "%s %d is in use: %s", what, id, why)
}
