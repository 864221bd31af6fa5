package directory

import (
	"context"
	"slices"
	"strconv"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// QueueRules lists the queue rules by ID.
func (d *Directory) QueueRules() []sb.QueueRule { return list(d, d.rules) }

// GetQueueRule returns one queue rule.
func (d *Directory) GetQueueRule(id int64) (sb.QueueRule, error) {
	return get(d, d.rules, id, "queue rule")
}

// SaveQueueRule creates (ID 0) or replaces a queue rule. A rule needs an
// action; its groups and overflow target must exist; it may not overflow
// into a group it covers; and an enabled rule may not cover a group that
// another enabled rule covers, so that one arrival meets one rule.
func (d *Directory) SaveQueueRule(ctx context.Context, r sb.QueueRule) (sb.QueueRule, error) {
	for _, err := range []error{
		validate.Text("name", r.Name, 100, true),
		validate.Range("threshold", int64(r.Threshold), 1, 10000),
		validate.Range("overflow_to", r.OverflowTo, 0, 1<<53),
	} {
		if err != nil {
			return r, err
		}
	}
	r.Groups = append([]int64{}, slices.Compact(slices.Sorted(slices.Values(r.Groups)))...)
	switch {
	case r.OverflowTo == 0 && !r.NotifyAdmins:
		return r, sb.Errorf(sb.EINVALID, "a queue rule needs an action: overflow_to, notify_admins or both")
	case r.AllGroups && len(r.Groups) > 0:
		return r, sb.Errorf(sb.EINVALID, "give either all_groups or groups, not both")
	case !r.AllGroups && len(r.Groups) == 0:
		return r, sb.Errorf(sb.EINVALID, "groups is required unless all_groups is set")
	case r.OverflowTo != 0 && r.Covers(r.OverflowTo):
		return r, sb.Errorf(sb.EINVALID, "overflow_to %d is a group the rule covers; overflow must leave the rule's groups", r.OverflowTo)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, g := range append(slices.Clone(r.Groups), r.OverflowTo) {
		if _, ok := d.queues[g]; g != 0 && !ok {
			return r, sb.Errorf(sb.EINVALID, "queue %d not found", g)
		}
	}
	if r.Enabled {
		for _, o := range d.rules {
			if o.ID == r.ID || !o.Enabled {
				continue
			}
			if overlap := overlaps(&r, o); overlap != "" {
				return r, sb.Errorf(sb.ECONFLICT, "rule %d (%s) covers %s too; enabled queue rules may not overlap", o.ID, o.Name, overlap)
			}
		}
	}
	if err := stamp(ctx, d, KindQueueRule, d.rules, &r.ID, &r.CreatedAt, func(o *sb.QueueRule) time.Time { return o.CreatedAt }); err != nil {
		return r, err
	}
	r.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return r, persist(ctx, d, KindQueueRule, r.ID, d.rules, r)
}

// overlaps describes the groups two rules both cover, "" when none.
func overlaps(a, b *sb.QueueRule) string {
	switch {
	case a.AllGroups || b.AllGroups:
		return "every group"
	}
	for _, g := range a.Groups {
		if slices.Contains(b.Groups, g) {
			return "queue " + strconv.FormatInt(g, 10)
		}
	}
	return ""
}

// QueueRuleFor returns the enabled rule covering a group, if any.
func (d *Directory) QueueRuleFor(group int64) (sb.QueueRule, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, r := range d.rules {
		if r.Enabled && r.Covers(group) {
			return *r, true
		}
	}
	return sb.QueueRule{}, false
}
