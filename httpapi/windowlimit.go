package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/ratelimit"
)

// Visitors are anonymous, so what they may do without limit elsewhere is
// capped here: the offline messages they leave (offline.go) and the chats
// they start (chatlimit.go), per key in fixed windows.
const (
	OfflinePerVisitor = 5
	OfflinePerAddress = 30
	OfflineWindow     = 10 * time.Minute
	// maxLimiterKeys bounds the memory of a limiter that counts in
	// memory, per kind of key (see ratelimit.Memory).
	maxLimiterKeys = 100_000
)

// windowLimiter counts events per key in fixed windows that start with a
// key's first event, in an sb.RateLimitStore: its own memory, or the
// store a cluster's nodes share (Config.RateLimits), under its own kind
// of key (kind + "-" + key). It is safe for concurrent use.
type windowLimiter struct {
	clock  sb.Clock
	store  sb.RateLimitStore
	kind   string
	window time.Duration
}

// newWindowLimiter returns a limiter counting in store, in memory when
// store is nil.
func newWindowLimiter(clock sb.Clock, store sb.RateLimitStore, kind string, window time.Duration) *windowLimiter {
	if store == nil {
		store = ratelimit.NewMemory(maxLimiterKeys)
	}
	return &windowLimiter{clock: clock, store: store, kind: kind, window: window}
}

// storeKey is key in the store: "kind-visitor:…" for "visitor:…", so that
// each kind of key of each limiter is a group of its own.
func (l *windowLimiter) storeKey(key string) string { return l.kind + "-" + key }

// wait returns how long until key may have another event with at most
// limit per window (0: now).
func (l *windowLimiter) wait(ctx context.Context, key string, limit int) (time.Duration, error) {
	now := l.clock.Now()
	ws, err := l.store.RateWindows(ctx, now, l.storeKey(key))
	if err != nil {
		return 0, fmt.Errorf("%s limits: %w", l.kind, err)
	}
	return ws[0].Wait(limit, now), nil
}

// quota is a limiter key with the most events it may have per window.
type quota struct {
	key   string
	limit int
}

// take counts an event against every quota if none of them is used up,
// and returns 0. Otherwise it counts nothing and returns how long until
// all of them have room again. Checking and counting are one step, so
// that concurrent callers, on any node sharing the store, cannot overrun
// a quota.
func (l *windowLimiter) take(ctx context.Context, quotas ...quota) (time.Duration, error) {
	now := l.clock.Now()
	qs := make([]sb.RateQuota, len(quotas))
	for i, q := range quotas {
		qs[i] = sb.RateQuota{Key: l.storeKey(q.key), Window: l.window, Limit: q.limit}
	}
	taken, ws, err := l.store.TakeRate(ctx, now, qs...)
	if err != nil {
		return 0, fmt.Errorf("%s limits: %w", l.kind, err)
	}
	if taken {
		return 0, nil
	}
	var wait time.Duration
	for i, q := range quotas {
		wait = max(wait, ws[i].Wait(q.limit, now))
	}
	// Refused: a quota was full. The windows a shared store read after
	// the refusal may have ended or been reset since; then retry soon.
	return max(wait, time.Nanosecond), nil
}

// add counts an event for each of keys.
func (l *windowLimiter) add(ctx context.Context, keys ...string) error {
	qs := make([]sb.RateQuota, len(keys))
	for i, k := range keys {
		qs[i] = sb.RateQuota{Key: l.storeKey(k), Window: l.window}
	}
	if _, _, err := l.store.TakeRate(ctx, l.clock.Now(), qs...); err != nil {
		return fmt.Errorf("%s limits: %w", l.kind, err)
	}
	return nil
}

// retryAfter sets Retry-After to wait in whole seconds, rounded up (at
// least 1), and returns them.
func retryAfter(w http.ResponseWriter, wait time.Duration) int64 {
	secs := max(int64((wait+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return secs
}
