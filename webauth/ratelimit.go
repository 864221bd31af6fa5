package webauth

import (
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Login rate limits. Failures are counted in fixed windows of Window that
// start with the first failure:
//
//   - one account from one client address: after MaxFailuresPerAccountAddress
//     failures that address may not try the account again until the window
//     ends. Other addresses are not affected, so nobody can lock another
//     person out of an account.
//   - one client address, any accounts: after MaxFailuresPerIP failures the
//     address may not log in at all until the window ends.
//   - one account, all addresses: after AccountBackoffAfter failures the
//     account backs off. Until its window ends, addresses the account has
//     not logged in from within TrustFor share one attempt per
//     AccountBackoffInterval; addresses it has logged in from are not
//     slowed. So the owner is never locked out by others: from an address
//     it has logged in from it logs in as usual, and from a new one it
//     still gets attempts, if slowly.
const (
	MaxFailuresPerAccountAddress = 5
	MaxFailuresPerIP             = 20
	AccountBackoffAfter          = 20
	AccountBackoffInterval       = 10 * time.Second
	TrustFor                     = 30 * 24 * time.Hour
	Window                       = 15 * time.Minute
)

// maxTracked bounds each of the limiter's maps: beyond it, the entries
// whose window is over are dropped, then arbitrary ones.
const maxTracked = 100000

// Limiter counts failed logins per account and client address, per
// address and per account (see the constants). It is safe for concurrent
// use.
type Limiter struct {
	clock sb.Clock

	mu      sync.Mutex
	pair    map[string]*window   // account and address
	ip      map[string]*window   // address
	account map[string]*window   // account, all addresses
	trusted map[string]time.Time // account and address: the last login there
}

type window struct {
	start    time.Time
	failures int
	// next is when an account in backoff takes its next attempt from an
	// address it does not know.
	next time.Time
}

// NewLimiter returns a limiter reading time from clock.
func NewLimiter(clock sb.Clock) *Limiter {
	return &Limiter{clock: clock, pair: map[string]*window{}, ip: map[string]*window{},
		account: map[string]*window{}, trusted: map[string]time.Time{}}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// Allow reports whether a login for email from ip may be tried now; when
// it may not, it returns how long until it may. While the account backs
// off, an allowed attempt from an address it does not know takes the
// account's next slot.
func (l *Limiter) Allow(email, ip string) (bool, time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	pk := pairKey(email, ip)
	wait := max(blocked(l.pair[pk], MaxFailuresPerAccountAddress, now), blocked(l.ip[ip], MaxFailuresPerIP, now))
	if wait > 0 {
		return false, wait
	}
	a := l.account[email]
	if blocked(a, AccountBackoffAfter, now) == 0 || l.trustedLocked(pk, now) {
		return true, 0
	}
	if now.Before(a.next) {
		return false, a.next.Sub(now)
	}
	a.next = now.Add(AccountBackoffInterval)
	return true, 0
}

func (l *Limiter) trustedLocked(pk string, now time.Time) bool {
	t, ok := l.trusted[pk]
	return ok && now.Before(t.Add(TrustFor))
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
	count(l.pair, pairKey(email, ip), now)
	count(l.ip, ip, now)
	count(l.account, email, now)
}

// Succeed records a successful login for email from ip: the address's
// failures for the account are forgotten and the address becomes known to
// the account. The address keeps its own count (one right password does
// not excuse guessing at other accounts) and the account its backoff.
func (l *Limiter) Succeed(email, ip string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	pk := pairKey(email, ip)
	delete(l.pair, pk)
	if _, ok := l.trusted[pk]; !ok && len(l.trusted) >= maxTracked {
		pruneTrusted(l.trusted, now)
	}
	l.trusted[pk] = now
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

// pruneTrusted drops the known addresses whose trust is over and, if the
// map is still nearly full, arbitrary ones down to half.
func pruneTrusted(m map[string]time.Time, now time.Time) {
	for k, t := range m {
		if !now.Before(t.Add(TrustFor)) {
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
	return max(len(l.pair), len(l.ip), len(l.account), len(l.trusted))
}
