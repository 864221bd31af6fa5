package httpapi

import (
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Visitors are anonymous, so the offline messages they leave are capped:
// per visitor and per client address, within a fixed window.
const (
	OfflinePerVisitor = 5
	OfflinePerAddress = 30
	OfflineWindow     = 10 * time.Minute
	// maxLimiterKeys bounds the limiter's memory; beyond it the windows
	// that are over are dropped, and if none is, all.
	maxLimiterKeys = 100_000
)

// windowLimiter counts events per key in fixed windows that start with a
// key's first event. It is safe for concurrent use.
type windowLimiter struct {
	clock  sb.Clock
	window time.Duration

	mu   sync.Mutex
	hits map[string]*hits
}

type hits struct {
	start time.Time
	n     int
}

func newWindowLimiter(clock sb.Clock, window time.Duration) *windowLimiter {
	return &windowLimiter{clock: clock, window: window, hits: map[string]*hits{}}
}

// wait returns how long until key may have another event with at most
// limit per window (0: now).
func (l *windowLimiter) wait(key string, limit int) time.Duration {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	if h == nil || h.n < limit {
		return 0
	}
	if end := h.start.Add(l.window); now.Before(end) {
		return end.Sub(now)
	}
	return 0
}

// add counts an event for key.
func (l *windowLimiter) add(key string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hits[key]
	if h == nil || !now.Before(h.start.Add(l.window)) {
		if h == nil && len(l.hits) >= maxLimiterKeys {
			l.pruneLocked(now)
		}
		l.hits[key] = &hits{start: now, n: 1}
		return
	}
	h.n++
}

func (l *windowLimiter) pruneLocked(now time.Time) {
	for k, h := range l.hits {
		if !now.Before(h.start.Add(l.window)) {
			delete(l.hits, k)
		}
	}
	if len(l.hits) >= maxLimiterKeys {
		clear(l.hits)
	}
}
