package httpapi

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Visitors are anonymous, so what they may do without limit elsewhere is
// capped here: the offline messages they leave (offline.go) and the chats
// they start (chatlimit.go), per key in fixed windows.
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
	return l.waitLocked(key, limit, now)
}

func (l *windowLimiter) waitLocked(key string, limit int, now time.Time) time.Duration {
	h := l.hits[key]
	if h == nil || h.n < limit {
		return 0
	}
	if end := h.start.Add(l.window); now.Before(end) {
		return end.Sub(now)
	}
	return 0
}

// quota is a limiter key with the most events it may have per window.
type quota struct {
	key   string
	limit int
}

// take counts an event against every quota if none of them is used up,
// and returns 0. Otherwise it counts nothing and returns how long until
// all of them have room again. Checking and counting are one step, so
// that concurrent callers cannot overrun a quota.
func (l *windowLimiter) take(quotas ...quota) time.Duration {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, q := range quotas {
		wait = max(wait, l.waitLocked(q.key, q.limit, now))
	}
	if wait > 0 {
		return wait
	}
	for _, q := range quotas {
		l.addLocked(q.key, now)
	}
	return 0
}

// add counts an event for key.
func (l *windowLimiter) add(key string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.addLocked(key, now)
}

func (l *windowLimiter) addLocked(key string, now time.Time) {
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

// retryAfter sets Retry-After to wait in whole seconds, rounded up (at
// least 1), and returns them.
func retryAfter(w http.ResponseWriter, wait time.Duration) int64 {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return secs
}
