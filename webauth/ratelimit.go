package webauth

import (
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Login rate limits: failures allowed per e-mail and per client address
// within Window.
const (
	MaxFailuresPerEmail = 5
	MaxFailuresPerIP    = 20
	Window              = 15 * time.Minute
)

// maxTracked bounds the limiter's memory: beyond it, the entries whose
// window is over are dropped, then the oldest.
const maxTracked = 100000

// Limiter counts failed logins per e-mail and per client address in fixed
// windows that start with the first failure. It is safe for concurrent use.
type Limiter struct {
	clock sb.Clock

	mu    sync.Mutex
	email map[string]*window
	ip    map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

// NewLimiter returns a limiter reading time from clock.
func NewLimiter(clock sb.Clock) *Limiter {
	return &Limiter{clock: clock, email: map[string]*window{}, ip: map[string]*window{}}
}

// Allow reports whether a login for email from ip may be tried now. When it
// may not, it returns how long until it may.
func (l *Limiter) Allow(email, ip string) (bool, time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	wait := max(blocked(l.email[email], MaxFailuresPerEmail, now), blocked(l.ip[ip], MaxFailuresPerIP, now))
	return wait == 0, wait
}

// blocked returns how long w still refuses attempts (0: it does not).
func blocked(w *window, limit int, now time.Time) time.Duration {
	if w == nil || w.failures < limit {
		return 0
	}
	if end := w.start.Add(Window); now.Before(end) {
		return end.Sub(now)
	}
	return 0
}

// Fail records a failed login for email from ip.
func (l *Limiter) Fail(email, ip string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	count(l.email, email, now)
	count(l.ip, ip, now)
}

// Succeed forgets the failures of email after a successful login. The
// address keeps its count: one right password does not excuse guessing
// at other accounts.
func (l *Limiter) Succeed(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.email, email)
}

func count(m map[string]*window, key string, now time.Time) {
	w := m[key]
	if w == nil || !now.Before(w.start.Add(Window)) {
		if w == nil && len(m) >= maxTracked {
			prune(m, now)
		}
		m[key] = &window{start: now, failures: 1}
		return
	}
	w.failures++
}

// prune drops the windows that are over and, if the map is still nearly
// full (a flood of distinct keys), arbitrary entries down to half, so that
// pruning stays rare and memory stays bounded.
func prune(m map[string]*window, now time.Time) {
	for k, w := range m {
		if !now.Before(w.start.Add(Window)) {
			delete(m, k)
		}
	}
	if len(m) < maxTracked*9/10 {
		return
	}
	for k := range m {
		if len(m) <= maxTracked/2 {
			break
		}
		delete(m, k)
	}
}

// tracked returns how many keys the limiter holds (for tests).
func (l *Limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.email) + len(l.ip)
}
