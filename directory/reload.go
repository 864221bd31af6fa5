package directory

import (
	"context"
	"fmt"
	"maps"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/worktime"
)

// caches are the documents a Directory keeps in memory. Its maps are made
// once, by loadCaches in Open, and never replaced: Reload changes them in
// place, under the directory's lock. Code may therefore read a map field
// without the lock and take it to use the map, as list(d, d.agents) does.
type caches struct {
	agents map[int64]*sb.Agent
	vas    map[int64]*sb.VirtualAgent
	queues map[int64]*sb.Queue
	tags   map[int64]*sb.CustomerTag
	rules  map[int64]*sb.QueueRule
	plans  map[int64]*worktime.Plan
	routes map[int64]*sb.RoutingRule
	stags  map[int64]*sb.SessionTag
	wplugs map[int64]*sb.WebPlugin
	qcats  map[int64]*sb.QuickReplyCategory
	qrs    map[int64]*sb.QuickReply
	forms  map[int64]*sb.LeaveMessageTemplate

	settings sb.RoutingSettings
	chat     sb.ChatSettings
	csat     sb.CSATSettings
}

// loadCaches reads every document from the store, checks the work-time
// plans and settles the default leave-message template.
func loadCaches(ctx context.Context, store sb.ConfigStore) (*caches, error) {
	c := &caches{agents: map[int64]*sb.Agent{}, vas: map[int64]*sb.VirtualAgent{}, queues: map[int64]*sb.Queue{},
		tags: map[int64]*sb.CustomerTag{}, rules: map[int64]*sb.QueueRule{}, plans: map[int64]*worktime.Plan{},
		routes: map[int64]*sb.RoutingRule{}, stags: map[int64]*sb.SessionTag{},
		wplugs: map[int64]*sb.WebPlugin{},
		qcats:  map[int64]*sb.QuickReplyCategory{}, qrs: map[int64]*sb.QuickReply{}, forms: map[int64]*sb.LeaveMessageTemplate{}}
	for _, err := range []error{
		load(ctx, store, KindAgent, c.agents, func(a *sb.Agent) int64 { return a.ID }),
		load(ctx, store, KindVirtualAgent, c.vas, func(v *sb.VirtualAgent) int64 { return v.ID }),
		load(ctx, store, KindQueue, c.queues, func(q *sb.Queue) int64 { return q.ID }),
		load(ctx, store, KindCustomerTag, c.tags, func(t *sb.CustomerTag) int64 { return t.ID }),
		load(ctx, store, KindQueueRule, c.rules, func(r *sb.QueueRule) int64 { return r.ID }),
		load(ctx, store, KindPlan, c.plans, func(p *worktime.Plan) int64 { return p.ID }),
		load(ctx, store, KindRoutingRule, c.routes, func(r *sb.RoutingRule) int64 { return r.ID }),
		load(ctx, store, KindSessionTag, c.stags, func(t *sb.SessionTag) int64 { return t.ID }),
		load(ctx, store, KindWebPlugin, c.wplugs, func(p *sb.WebPlugin) int64 { return p.ID }),
		load(ctx, store, KindQuickReplyCategory, c.qcats, func(q *sb.QuickReplyCategory) int64 { return q.ID }),
		load(ctx, store, KindQuickReply, c.qrs, func(r *sb.QuickReply) int64 { return r.ID }),
		load(ctx, store, KindLeaveMessageTemplate, c.forms, func(t *sb.LeaveMessageTemplate) int64 { return t.ID }),
	} {
		if err != nil {
			return nil, err
		}
	}
	c.normalizeDefaultTemplate()
	for _, p := range c.plans {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("load work-time plan %d: %w", p.ID, err)
		}
	}
	var err error
	if c.settings, err = loadSettings(ctx, store); err != nil {
		return nil, err
	}
	c.chat, c.csat = sb.DefaultChatSettings(), sb.DefaultCSATSettings()
	if err := loadSingleton(ctx, store, KindChatSettings, &c.chat); err != nil {
		return nil, err
	}
	if err := loadSingleton(ctx, store, KindCSATSettings, &c.csat); err != nil {
		return nil, err
	}
	return c, nil
}

// reloadTries is how many times Reload reads the store without the lock
// before it reads holding it.
const reloadTries = 2

// Reload reads every document from the store again and puts them in
// place of the cached ones, all at once under the lock: readers see the
// directory before the reload or after it, never a mix. Reloads run one
// at a time, so what a reload puts in place was read after every reload
// that returned before it began. It brings in the
// writes of other processes sharing the store (see Follow).
//
// It reloads everything rather than the kind that changed: the
// directory's checks span kinds (an agent's groups are queues, a routing
// rule names queues, agents and plans), the whole configuration is small,
// and a reload after a resync must read everything anyway.
//
// The store is read without the lock, so that readers do not wait for
// it. Should one of this directory's own writes change the caches
// meanwhile, the read may predate it, and Reload reads again; after
// reloadTries such races it reads holding the lock, as the writes do. On
// an error (the store, a document that does not load) the directory
// keeps what it had.
func (d *Directory) Reload(ctx context.Context) error {
	// One reload at a time, so that a reload that began before a write
	// elsewhere cannot replace the caches after one that began after it.
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	for range reloadTries {
		d.mu.RLock()
		before := d.writes
		d.mu.RUnlock()
		c, err := loadCaches(ctx, d.store)
		if err != nil {
			return fmt.Errorf("reload directory: %w", err)
		}
		d.mu.Lock()
		if d.writes == before {
			d.replace(c)
			d.mu.Unlock()
			return nil
		}
		d.mu.Unlock()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := loadCaches(ctx, d.store)
	if err != nil {
		return fmt.Errorf("reload directory: %w", err)
	}
	d.replace(c)
	return nil
}

// replace puts n's documents in place of c's, keeping c's maps (see
// caches). The directory's lock must be held.
func (c *caches) replace(n *caches) {
	refill(c.agents, n.agents)
	refill(c.vas, n.vas)
	refill(c.queues, n.queues)
	refill(c.tags, n.tags)
	refill(c.rules, n.rules)
	refill(c.plans, n.plans)
	refill(c.routes, n.routes)
	refill(c.stags, n.stags)
	refill(c.wplugs, n.wplugs)
	refill(c.qcats, n.qcats)
	refill(c.qrs, n.qrs)
	refill(c.forms, n.forms)
	c.settings, c.chat, c.csat = n.settings, n.chat, n.csat
}

func refill[T any](dst, src map[int64]*T) {
	clear(dst)
	maps.Copy(dst, src)
}
