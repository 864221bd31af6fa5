// Package ratelimit keeps rate-limit counters in one process's memory:
// the sb.RateLimitStore of a server that runs alone. A cluster shares its
// counters in PostgreSQL instead (postgres.DB). The limits' rules live
// with what they limit: logins in package webauth, visitors in httpapi.
package ratelimit

import (
	"context"
	"strings"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Memory is an sb.RateLimitStore in memory. It bounds its memory per key
// group (the key up to its first colon): when a group holds its maximum
// and a new key comes, the group's windows that are over are dropped and,
// if it is still nearly full (a flood of distinct keys), arbitrary ones
// down to half, so that pruning stays rare. It is safe for concurrent use.
type Memory struct {
	max int

	mu     sync.Mutex
	groups map[string]map[string]*sb.RateWindow
}

var _ sb.RateLimitStore = (*Memory)(nil)

// NewMemory returns an empty store holding at most maxPerGroup keys per
// group.
func NewMemory(maxPerGroup int) *Memory {
	return &Memory{max: maxPerGroup, groups: map[string]map[string]*sb.RateWindow{}}
}

func group(key string) string {
	g, _, _ := strings.Cut(key, ":")
	return g
}

// live returns key's window live at now, nil if none.
func (m *Memory) live(key string, now time.Time) *sb.RateWindow {
	w := m.groups[group(key)][key]
	if w == nil || !now.Before(w.End) {
		return nil
	}
	return w
}

// TakeRate implements sb.RateLimitStore.
func (m *Memory) TakeRate(ctx context.Context, now time.Time, quotas ...sb.RateQuota) (bool, []sb.RateWindow, error) {
	if err := distinct(quotas); err != nil {
		return false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	windows := make([]sb.RateWindow, len(quotas))
	taken := true
	for i, q := range quotas {
		if w := m.live(q.Key, now); w != nil {
			windows[i] = *w
			if q.Limit > 0 && w.Count >= q.Limit {
				taken = false
			}
		}
	}
	if !taken {
		return false, windows, nil
	}
	for i, q := range quotas {
		if w := m.live(q.Key, now); w != nil {
			w.Count++
			windows[i] = *w
			continue
		}
		windows[i] = sb.RateWindow{Start: now, End: now.Add(q.Window), Count: 1}
		m.put(q.Key, windows[i], now)
	}
	return true, windows, nil
}

// distinct refuses quotas that name a key twice.
func distinct(quotas []sb.RateQuota) error {
	for i, q := range quotas {
		for _, p := range quotas[:i] {
			if p.Key == q.Key {
				return sb.Errorf(sb.EINVALID, "rate limit key %q is given twice", q.Key)
			}
		}
	}
	return nil
}

// put stores w as key's window, making room in its group first.
func (m *Memory) put(key string, w sb.RateWindow, now time.Time) {
	g := group(key)
	ws := m.groups[g]
	if ws == nil {
		ws = map[string]*sb.RateWindow{}
		m.groups[g] = ws
	}
	if _, ok := ws[key]; !ok && len(ws) >= m.max {
		m.prune(ws, now)
	}
	ws[key] = &w
}

// prune drops the windows of ws that are over and, if ws is still nearly
// full, arbitrary ones down to half.
func (m *Memory) prune(ws map[string]*sb.RateWindow, now time.Time) {
	for k, w := range ws {
		if !now.Before(w.End) {
			delete(ws, k)
		}
	}
	if len(ws) < m.max*9/10 {
		return
	}
	for k := range ws {
		if len(ws) <= m.max/2 {
			break
		}
		delete(ws, k)
	}
}

// RateWindows implements sb.RateLimitStore.
func (m *Memory) RateWindows(ctx context.Context, now time.Time, keys ...string) ([]sb.RateWindow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	windows := make([]sb.RateWindow, len(keys))
	for i, k := range keys {
		if w := m.live(k, now); w != nil {
			windows[i] = *w
		}
	}
	return windows, nil
}

// StartRate implements sb.RateLimitStore.
func (m *Memory) StartRate(ctx context.Context, now time.Time, key string, window time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.put(key, sb.RateWindow{Start: now, End: now.Add(window), Count: 1}, now)
	return nil
}

// ResetRate implements sb.RateLimitStore.
func (m *Memory) ResetRate(ctx context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.groups[group(k)], k)
	}
	return nil
}

// Len returns how many keys the store holds in group (windows that are
// over included, until they are pruned).
func (m *Memory) Len(group string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.groups[group])
}
