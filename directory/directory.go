// Package directory holds the configured agents, virtual agents and queues:
// validated on write, kept in the config store, and cached in memory so the
// engine resolves references without I/O.
package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Config document kinds.
const (
	KindAgent        = "agent"
	KindVirtualAgent = "virtual_agent"
	KindQueue        = "queue"
	KindCustomerTag  = "customer_tag"
	KindQueueRule    = "queue_rule"
	KindPlan         = "work_time_plan"
)

// Directory is safe for concurrent use. When several processes share the
// store, each keeps its own Directory, and Reload (or Follow) brings in
// the others' writes.
type Directory struct {
	store sb.ConfigStore
	clock sb.Clock

	mu sync.RWMutex
	// writes counts the changes this directory's own writes made to the
	// caches, so that Reload can tell whether one raced its read.
	writes uint64
	// reloadMu runs one Reload at a time.
	reloadMu sync.Mutex
	caches
}

// Open loads the directory from the store.
func Open(ctx context.Context, store sb.ConfigStore, clock sb.Clock) (*Directory, error) {
	c, err := loadCaches(ctx, store)
	if err != nil {
		return nil, err
	}
	return &Directory{store: store, clock: clock, caches: *c}, nil
}

func load[T any](ctx context.Context, store sb.ConfigStore, kind string, into map[int64]*T, id func(*T) int64) error {
	docs, err := store.ConfigDocs(ctx, kind)
	if err != nil {
		return fmt.Errorf("load %s directory: %w", kind, err)
	}
	for _, doc := range docs {
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
			return fmt.Errorf("load %s directory: %w", kind, err)
		}
		into[id(v)] = v
	}
	return nil
}

// Agent implements lifecycle.Directory.
func (d *Directory) Agent(id int64) (sb.AgentRef, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.agents[id]
	if !ok {
		return sb.AgentRef{}, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
	}
	return a.Ref(), nil
}

// AgentGroups implements lifecycle.Directory: the agent's skill groups,
// ascending.
func (d *Directory) AgentGroups(id int64) ([]int64, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.agents[id]
	if !ok {
		return nil, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
	}
	return slices.Clone(a.Groups), nil
}

// VirtualAgent implements lifecycle.Directory.
func (d *Directory) VirtualAgent(id int64) (sb.VirtualAgentRef, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.vas[id]
	if !ok {
		return sb.VirtualAgentRef{}, sb.Errorf(sb.ENOTFOUND, "virtual agent %d not found", id)
	}
	return v.Ref(), nil
}

// Queue implements lifecycle.Directory: the snapshot carries the
// materialized path of queue IDs from the root of the menu tree.
func (d *Directory) Queue(id int64) (sb.QueueRef, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	q, ok := d.queues[id]
	if !ok {
		return sb.QueueRef{}, sb.Errorf(sb.ENOTFOUND, "queue %d not found", id)
	}
	return sb.QueueRef{ID: q.ID, Name: q.Name, ParentID: q.ParentID, Path: d.pathLocked(q), MenuType: q.MenuType,
		Priority: q.Priority, SupportNumber: q.SupportNumber}, nil
}

func (d *Directory) pathLocked(q *sb.Queue) string {
	ids := []string{strconv.FormatInt(q.ID, 10)}
	seen := map[int64]bool{q.ID: true}
	for p := q.ParentID; p != 0 && !seen[p]; {
		seen[p] = true
		ids = append(ids, strconv.FormatInt(p, 10))
		parent, ok := d.queues[p]
		if !ok {
			break
		}
		p = parent.ParentID
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return strings.Join(ids, "/")
}

// Agents lists the agents by ID.
func (d *Directory) Agents() []sb.Agent { return list(d, d.agents) }

// VirtualAgents lists the virtual agents by ID.
func (d *Directory) VirtualAgents() []sb.VirtualAgent { return list(d, d.vas) }

// Queues lists the queues by ID.
func (d *Directory) Queues() []sb.Queue { return list(d, d.queues) }

func list[T any](d *Directory, m map[int64]*T) []T {
	d.mu.RLock()
	defer d.mu.RUnlock()
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, *m[id])
	}
	return out
}

// GetAgent returns one configured agent.
func (d *Directory) GetAgent(id int64) (sb.Agent, error) { return get(d, d.agents, id, "agent") }

// GetVirtualAgent returns one configured virtual agent.
func (d *Directory) GetVirtualAgent(id int64) (sb.VirtualAgent, error) {
	return get(d, d.vas, id, "virtual agent")
}

// GetQueue returns one configured queue.
func (d *Directory) GetQueue(id int64) (sb.Queue, error) { return get(d, d.queues, id, "queue") }

func get[T any](d *Directory, m map[int64]*T, id int64, what string) (T, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := m[id]
	if !ok {
		var zero T
		return zero, sb.Errorf(sb.ENOTFOUND, "%s %d not found", what, id)
	}
	return *v, nil
}

// SaveAgent creates (ID 0) or replaces an agent.
func (d *Directory) SaveAgent(ctx context.Context, a sb.Agent) (sb.Agent, error) {
	for _, err := range []error{
		validate.Text("name", a.Name, 100, true),
		validate.Text("first_name", a.FirstName, 100, false),
		validate.Text("last_name", a.LastName, 100, false),
		validate.Email("email", a.Email),
		validate.Range("agent_number", a.AgentNumber, 0, 1<<53),
		validate.URL("avatar_url", a.AvatarURL),
		validate.Text("nickname", a.Nickname, 100, false),
	} {
		if err != nil {
			return a, err
		}
	}
	if a.Email == "" {
		return a, sb.Errorf(sb.EINVALID, "email is required")
	}
	if a.MaxConcurrent == 0 {
		a.MaxConcurrent = sb.DefaultMaxConcurrent
	}
	if err := validate.Range("max_concurrent", int64(a.MaxConcurrent), 1, 99); err != nil {
		return a, err
	}
	a.Groups = append([]int64{}, slices.Compact(slices.Sorted(slices.Values(a.Groups)))...)
	if len(a.Groups) > 100 {
		return a, sb.Errorf(sb.EINVALID, "groups holds more than 100 queues")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, g := range a.Groups {
		if _, ok := d.queues[g]; !ok {
			return a, sb.Errorf(sb.EINVALID, "groups: queue %d not found", g)
		}
	}
	for _, o := range d.agents {
		if o.ID != a.ID && strings.EqualFold(o.Email, a.Email) {
			return a, sb.Errorf(sb.ECONFLICT, "agent %d has the e-mail %s already", o.ID, a.Email)
		}
	}
	if err := stamp(ctx, d, KindAgent, d.agents, &a.ID, &a.CreatedAt, func(o *sb.Agent) time.Time { return o.CreatedAt }); err != nil {
		return a, err
	}
	// The status is the agent's own, changed through SetAgentStatus: a
	// round trip may carry it back unchanged, but not change it.
	now := d.clock.Now().UTC().Truncate(time.Millisecond)
	current, since := sb.AgentOffline, now
	if old, ok := d.agents[a.ID]; ok {
		current, since = old.Status, old.StatusSince
	}
	if a.Status != "" && a.Status != current {
		return a, sb.Errorf(sb.EINVALID, "status changes through POST /api/v1/agents/{id}/status, not by replacing the agent")
	}
	a.Status, a.StatusSince = current, since
	a.UpdatedAt = now
	return a, persist(ctx, d, KindAgent, a.ID, d.agents, a)
}

// SetAgentStatus changes an agent's status.
func (d *Directory) SetAgentStatus(ctx context.Context, id int64, s sb.AgentStatus) (sb.Agent, error) {
	if !s.Valid() {
		return sb.Agent{}, sb.Errorf(sb.EINVALID, "status must be online, invisible, busy, away or offline")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old, ok := d.agents[id]
	if !ok {
		return sb.Agent{}, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
	}
	a := *old
	if a.Status != s {
		a.Status = s
		a.StatusSince = d.clock.Now().UTC().Truncate(time.Millisecond)
	}
	return a, persist(ctx, d, KindAgent, a.ID, d.agents, a)
}

// SaveVirtualAgent creates (ID 0) or replaces a virtual agent.
func (d *Directory) SaveVirtualAgent(ctx context.Context, v sb.VirtualAgent) (sb.VirtualAgent, error) {
	for _, err := range []error{
		validate.Text("name", v.Name, 100, true),
		validate.Text("va_alias", v.Alias, 100, false),
		validate.URL("avatar_url", v.AvatarURL),
	} {
		if err != nil {
			return v, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := stamp(ctx, d, KindVirtualAgent, d.vas, &v.ID, &v.CreatedAt, func(o *sb.VirtualAgent) time.Time { return o.CreatedAt }); err != nil {
		return v, err
	}
	v.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return v, persist(ctx, d, KindVirtualAgent, v.ID, d.vas, v)
}

// SaveQueue creates (ID 0) or replaces a queue. Names are unique; the parent
// must exist and must not make a cycle; priority is 1–8 (default 1).
func (d *Directory) SaveQueue(ctx context.Context, q sb.Queue) (sb.Queue, error) {
	if q.Priority == 0 {
		q.Priority = 1
	}
	for _, err := range []error{
		validate.Text("name", q.Name, 100, true),
		validate.Range("priority", int64(q.Priority), 1, 8),
		validate.Range("parent_id", q.ParentID, 0, 1<<53),
		validate.Text("menu_type", q.MenuType, 50, false),
		validate.Phone("support_number", q.SupportNumber),
		validate.Text("greeting", q.Greeting, 1000, false),
		validate.Text("after_hours_notice", q.AfterHoursNotice, 1000, false),
		validate.Range("work_time_plan_id", q.WorkTimePlanID, 0, 1<<53),
	} {
		if err != nil {
			return q, err
		}
	}
	if !groupName(q.Name) {
		return q, sb.Errorf(sb.EINVALID, "name may hold Chinese or English letters, digits, spaces and - _ & . / ( ) only")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.plans[q.WorkTimePlanID]; q.WorkTimePlanID != 0 && !ok {
		return q, sb.Errorf(sb.EINVALID, "work_time_plan_id: plan %d not found", q.WorkTimePlanID)
	}
	for _, o := range d.queues {
		if o.ID != q.ID && o.Name == q.Name {
			return q, sb.Errorf(sb.ECONFLICT, "queue %d is named %q already", o.ID, q.Name)
		}
	}
	seen := map[int64]bool{}
	for p := q.ParentID; p != 0; {
		if (q.ID != 0 && p == q.ID) || seen[p] {
			return q, sb.Errorf(sb.EINVALID, "parent_id %d would make a cycle", q.ParentID)
		}
		seen[p] = true
		parent, ok := d.queues[p]
		if !ok {
			return q, sb.Errorf(sb.EINVALID, "parent queue %d not found", p)
		}
		p = parent.ParentID
	}
	if err := stamp(ctx, d, KindQueue, d.queues, &q.ID, &q.CreatedAt, func(o *sb.Queue) time.Time { return o.CreatedAt }); err != nil {
		return q, err
	}
	q.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return q, persist(ctx, d, KindQueue, q.ID, d.queues, q)
}

// stamp assigns a new record its ID, handed out by the store, and its
// creation time, or carries over the creation time of the record it
// replaces. d.mu must be held.
func stamp[T any](ctx context.Context, d *Directory, kind string, m map[int64]*T, id *int64, created *time.Time, createdOf func(*T) time.Time) error {
	now := d.clock.Now().UTC().Truncate(time.Millisecond)
	if *id == 0 {
		next, err := d.store.NextConfigID(ctx, kind)
		if err != nil {
			return err
		}
		*id = next
		*created = now
		return nil
	}
	old, ok := m[*id]
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "%s %d not found", strings.ReplaceAll(kind, "_", " "), *id)
	}
	*created = createdOf(old)
	return nil
}

// persist writes the document and updates the cache. d.mu must be held.
func persist[T any](ctx context.Context, d *Directory, kind string, id int64, m map[int64]*T, v T) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save %s: %w", kind, err)
	}
	if err := d.store.PutConfig(ctx, kind, id, doc); err != nil {
		return err
	}
	m[id] = &v
	d.writes++
	return nil
}

// groupName reports whether a skill-group name is made of Chinese or
// English letters and digits (SPEC §4.5), with spaces and a few separators.
func groupName(name string) bool {
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r), r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		case strings.ContainsRune(" -_&./()", r):
		default:
			return false
		}
	}
	return strings.TrimSpace(name) != ""
}
