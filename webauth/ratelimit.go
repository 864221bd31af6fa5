package webauth

import (
	"context"
	"fmt"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/ratelimit"
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

// maxTracked bounds each kind of key the limiter keeps in memory (see
// ratelimit.Memory): beyond it, the entries whose window is over are
// dropped, then arbitrary ones.
const maxTracked = 100000

// The kinds of key the limiter counts under in its store: each is a group
// of its own in ratelimit.Memory, so that a flood of one kind (addresses)
// does not evict another (the accounts' backoff, the known addresses).
const (
	keyPair    = "login-pair:"    // account and address: failures
	keyIP      = "login-ip:"      // address: failures
	keyAccount = "login-account:" // account, all addresses: failures
	keyBackoff = "login-backoff:" // account in backoff: its attempts from unknown addresses
	keyTrust   = "login-trust:"   // account and address: the last login there
)

// Limiter counts failed logins per account and client address, per
// address and per account (see the constants) in an sb.RateLimitStore:
// its own memory, or a store the nodes of a cluster share, so that the
// limits hold for the cluster as a whole. It is safe for concurrent use.
type Limiter struct {
	clock sb.Clock
	store sb.RateLimitStore
}

// NewLimiter returns a limiter reading time from clock and counting in
// memory.
func NewLimiter(clock sb.Clock) *Limiter {
	return NewSharedLimiter(clock, ratelimit.NewMemory(maxTracked))
}

// NewSharedLimiter returns a limiter reading time from clock and counting
// in store.
func NewSharedLimiter(clock sb.Clock, store sb.RateLimitStore) *Limiter {
	return &Limiter{clock: clock, store: store}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// Allow reports whether a login for email from ip may be tried now; when
// it may not, it returns how long until it may. While the account backs
// off, an allowed attempt from an address it does not know takes the
// account's next slot.
func (l *Limiter) Allow(ctx context.Context, email, ip string) (bool, time.Duration, error) {
	now := l.clock.Now()
	pk := pairKey(email, ip)
	ws, err := l.store.RateWindows(ctx, now, keyPair+pk, keyIP+ip, keyAccount+email, keyTrust+pk)
	if err != nil {
		return false, 0, fmt.Errorf("login limits: %w", err)
	}
	pair, addr, account, trusted := ws[0], ws[1], ws[2], ws[3]
	if wait := max(pair.Wait(MaxFailuresPerAccountAddress, now), addr.Wait(MaxFailuresPerIP, now)); wait > 0 {
		return false, wait, nil
	}
	if account.Wait(AccountBackoffAfter, now) == 0 || trusted.Count > 0 {
		return true, 0, nil
	}
	// One attempt per interval: the first hit of each backoff window.
	taken, bw, err := l.store.TakeRate(ctx, now, sb.RateQuota{Key: keyBackoff + email, Window: AccountBackoffInterval, Limit: 1})
	if err != nil {
		return false, 0, fmt.Errorf("login limits: %w", err)
	}
	if !taken {
		return false, bw[0].End.Sub(now), nil
	}
	return true, 0, nil
}

// Fail records a failed login for email from ip.
func (l *Limiter) Fail(ctx context.Context, email, ip string) error {
	now := l.clock.Now()
	_, _, err := l.store.TakeRate(ctx, now,
		sb.RateQuota{Key: keyPair + pairKey(email, ip), Window: Window},
		sb.RateQuota{Key: keyIP + ip, Window: Window},
		sb.RateQuota{Key: keyAccount + email, Window: Window})
	if err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}

// Succeed records a successful login for email from ip: the address's
// failures for the account are forgotten and the address becomes known to
// the account for TrustFor. The address keeps its own count (one right
// password does not excuse guessing at other accounts) and the account
// its backoff.
func (l *Limiter) Succeed(ctx context.Context, email, ip string) error {
	now := l.clock.Now()
	pk := pairKey(email, ip)
	if err := l.store.ResetRate(ctx, keyPair+pk); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	if err := l.store.StartRate(ctx, now, keyTrust+pk, TrustFor); err != nil {
		return fmt.Errorf("login limits: %w", err)
	}
	return nil
}

// tracked returns how many keys of one kind the limiter holds in memory,
// the most of any kind (for tests).
func (l *Limiter) tracked() int {
	m, ok := l.store.(*ratelimit.Memory)
	if !ok {
		return 0
	}
	n := 0
	for _, k := range []string{keyPair, keyIP, keyAccount, keyBackoff, keyTrust} {
		n = max(n, m.Len(strings.TrimSuffix(k, ":")))
	}
	return n
}
