package switchboard

import (
	"context"
	"time"
)

// RateLimitStore keeps the counters rate limits are checked against, so
// that the limits' rules (package webauth for logins, httpapi for what
// visitors do) run the same over one process's memory or a store every
// node of a cluster shares.
//
// A key counts hits in fixed windows: the first hit opens a window of the
// quota's length starting then, later hits within it add to its count,
// and the first hit at or after its end opens a new one. A window whose
// end is not after now is over and reads as none. Every call takes now
// from the caller's clock; the store never reads a clock of its own.
//
// Keys are opaque to the store and may hold any bytes (a NUL, what a
// client sent that is not UTF-8), except that the in-memory store bounds
// its keys per group, a group being the key up to its first colon
// ("login-ip:…"), so that a flood of one kind of key does not evict
// another kind. A store may forget windows that are over, and the
// in-memory one, when a group is full, live ones too.
type RateLimitStore interface {
	// TakeRate counts one hit against every quota, or none: if the
	// live window of any quota with a Limit already holds Limit hits,
	// nothing is counted and taken is false. Checking and counting are
	// one atomic step for all the quotas together, also across the
	// nodes that share the store, so concurrent callers never overrun
	// a quota. windows are the quotas' windows, in order, after the hits
	// when taken, as they are (zero for none) when not. The keys of one
	// call must differ.
	TakeRate(ctx context.Context, now time.Time, quotas ...RateQuota) (taken bool, windows []RateWindow, err error)
	// RateWindows returns the live windows of keys at now, in order; a
	// zero RateWindow for a key without one.
	RateWindows(ctx context.Context, now time.Time, keys ...string) ([]RateWindow, error)
	// StartRate opens a new window of length window for key at now with
	// one hit, replacing the key's window whether it is over or not (to
	// remember when something last happened, for window).
	StartRate(ctx context.Context, now time.Time, key string, window time.Duration) error
	// ResetRate forgets the windows of keys.
	ResetRate(ctx context.Context, keys ...string) error
}

// RateQuota is a key with the length of the windows it counts in and the
// most hits a window may take (0: no limit).
type RateQuota struct {
	Key    string
	Window time.Duration
	Limit  int
}

// RateWindow is a key's window: when it started and ends, and its hits.
// The zero RateWindow is no window.
type RateWindow struct {
	Start, End time.Time
	Count      int
}

// Wait returns how long w refuses another hit at now when it may hold at
// most limit hits (limit 0: no limit). 0 means it does not refuse.
func (w RateWindow) Wait(limit int, now time.Time) time.Duration {
	if limit <= 0 || w.Count < limit || !now.Before(w.End) {
		return 0
	}
	return w.End.Sub(now)
}
