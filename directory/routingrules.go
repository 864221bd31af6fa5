package directory

import (
	"context"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// KindRoutingRule is the config kind of routing rules.
const KindRoutingRule = "routing_rule"

var channels = []string{string(sb.ChannelPSTN), string(sb.ChannelMobile), string(sb.ChannelWeb), string(sb.ChannelAPI),
	string(sb.ChannelWhatsApp), string(sb.ChannelSMS), string(sb.ChannelMiniProgram)}

// RoutingRules lists the routing rules in the order they are tried.
func (d *Directory) RoutingRules() []sb.RoutingRule {
	out := list(d, d.routes)
	slices.SortStableFunc(out, func(a, b sb.RoutingRule) int { return a.Position - b.Position })
	return out
}

// GetRoutingRule returns one routing rule.
func (d *Directory) GetRoutingRule(id int64) (sb.RoutingRule, error) {
	return get(d, d.routes, id, "routing rule")
}

// SaveRoutingRule creates (ID 0) or replaces a routing rule. A new rule
// without a position goes last.
func (d *Directory) SaveRoutingRule(ctx context.Context, r sb.RoutingRule) (sb.RoutingRule, error) {
	for _, err := range []error{
		validate.Text("name", r.Name, 100, true),
		validate.OneOf("match", r.Match, true, sb.MatchChannel, sb.MatchCustomerTag, sb.MatchEntry),
		validate.Text("value", r.Value, 200, true),
		validate.Range("position", int64(r.Position), 0, 1_000_000),
	} {
		if err != nil {
			return r, err
		}
	}
	if r.Match == sb.MatchChannel {
		if err := validate.OneOf("value", r.Value, true, channels...); err != nil {
			return r, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkTarget("target", r.Target); err != nil {
		return r, err
	}
	if r.OffHours != nil {
		if err := d.checkTarget("off_hours", *r.OffHours); err != nil {
			return r, err
		}
	}
	if _, ok := d.plans[r.WorkTimePlanID]; r.WorkTimePlanID != 0 && !ok {
		return r, sb.Errorf(sb.EINVALID, "work_time_plan_id: plan %d not found", r.WorkTimePlanID)
	}
	if r.OffHours != nil && r.WorkTimePlanID == 0 {
		return r, sb.Errorf(sb.EINVALID, "off_hours needs a work_time_plan_id that says when the hours are")
	}
	if r.Position == 0 {
		for _, o := range d.routes {
			r.Position = max(r.Position, o.Position)
		}
		r.Position++
	}
	if err := stamp(ctx, d, KindRoutingRule, d.routes, &r.ID, &r.CreatedAt, func(o *sb.RoutingRule) time.Time { return o.CreatedAt }); err != nil {
		return r, err
	}
	r.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return r, persist(ctx, d, KindRoutingRule, r.ID, d.routes, r)
}

// checkTarget checks a target names exactly one existing group, or an
// existing agent who belongs to a group. d.mu must be held.
func (d *Directory) checkTarget(field string, t sb.RouteTarget) error {
	switch {
	case (t.QueueID == 0) == (t.AgentID == 0):
		return sb.Errorf(sb.EINVALID, "%s needs exactly one of queue_id and agent_id", field)
	case t.QueueID != 0:
		if _, ok := d.queues[t.QueueID]; !ok {
			return sb.Errorf(sb.EINVALID, "%s: queue %d not found", field, t.QueueID)
		}
	default:
		a, ok := d.agents[t.AgentID]
		if !ok {
			return sb.Errorf(sb.EINVALID, "%s: agent %d not found", field, t.AgentID)
		}
		if len(a.Groups) == 0 {
			return sb.Errorf(sb.EINVALID, "%s: agent %d belongs to no group to wait in", field, t.AgentID)
		}
	}
	return nil
}

// RouteInput is what routing rules look at.
type RouteInput struct {
	Channel sb.Channel
	Tags    []string
	Entry   string
	// QueueID is the group of the way the session came in (a web
	// plugin's): where it goes when no rule matches (0: none).
	QueueID int64
}

// Route applies the routing rules: it returns the group to wait in, the
// agent to prefer (0: none) and the rule that decided. Among the enabled
// rules that match, in order: a customer-tag rule naming an agent wins
// over the order; otherwise the first rule naming an agent; otherwise the
// first rule. A rule's off-hours target applies outside its plan. When no
// rule matches, the input's own group decides, with no rule.
func (d *Directory) Route(in RouteInput, now time.Time) (queueID, agentID int64, rule sb.RoutingRule, err error) {
	rules := d.RoutingRules()
	d.mu.RLock()
	defer d.mu.RUnlock()
	type hit struct {
		rule   sb.RoutingRule
		target sb.RouteTarget
	}
	var hits []hit
	for _, r := range rules {
		if !r.Enabled || !matches(r, in) {
			continue
		}
		t := r.Target
		if p, ok := d.plans[r.WorkTimePlanID]; ok && r.OffHours != nil {
			if open, err := p.Open(now); err == nil && !open {
				t = *r.OffHours
			}
		}
		hits = append(hits, hit{r, t})
	}
	if len(hits) == 0 {
		if _, ok := d.queues[in.QueueID]; ok {
			return in.QueueID, 0, sb.RoutingRule{}, nil
		}
		return 0, 0, sb.RoutingRule{}, sb.Errorf(sb.EINVALID, "no routing rule matches this session; give queue_id instead")
	}
	// Three tiers, each in rule order: a customer-tag rule naming an
	// agent; any rule naming an agent; any rule.
	tiers := []func(hit) bool{
		func(h hit) bool { return h.target.AgentID != 0 && h.rule.Match == sb.MatchCustomerTag },
		func(h hit) bool { return h.target.AgentID != 0 },
		func(hit) bool { return true },
	}
	var pick hit
tiers:
	for _, in := range tiers {
		for _, h := range hits {
			if in(h) {
				pick = h
				break tiers
			}
		}
	}
	if pick.target.AgentID != 0 {
		a, ok := d.agents[pick.target.AgentID]
		if !ok || len(a.Groups) == 0 {
			return 0, 0, pick.rule, sb.Errorf(sb.ECONFLICT, "routing rule %d names agent %d, who belongs to no group", pick.rule.ID, pick.target.AgentID)
		}
		return a.Groups[0], a.ID, pick.rule, nil
	}
	return pick.target.QueueID, 0, pick.rule, nil
}

func matches(r sb.RoutingRule, in RouteInput) bool {
	switch r.Match {
	case sb.MatchChannel:
		return string(in.Channel) == r.Value
	case sb.MatchCustomerTag:
		return slices.ContainsFunc(in.Tags, func(t string) bool { return strings.EqualFold(t, r.Value) })
	case sb.MatchEntry:
		return in.Entry == r.Value
	}
	return false
}
