package clock

import (
	"cmp"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Timer is a call scheduled on a clock.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// Scheduler is a clock that can call a function once time has passed on it.
type Scheduler interface {
	sb.Clock
	// AfterFunc calls f once d has passed on the clock. f must return
	// quickly: the virtual clock calls it on the goroutine that moves it.
	AfterFunc(d time.Duration, f func()) Timer
}

// AfterFunc calls f once d has passed on c: on c's own timers when c is a
// Scheduler, else on the wall clock.
func AfterFunc(c sb.Clock, d time.Duration, f func()) Timer {
	if s, ok := c.(Scheduler); ok {
		return s.AfterFunc(d, f)
	}
	return time.AfterFunc(d, f)
}

// AfterFunc calls f on its own goroutine once d has passed.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// virtualTimer is a call pending on a virtual clock.
type virtualTimer struct {
	v   *Virtual
	at  time.Time
	f   func()
	seq uint64 // scheduling order, for calls due at the same time
}

// Stop implements Timer.
func (t *virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	n := len(t.v.timers)
	t.v.timers = slices.DeleteFunc(t.v.timers, func(o *virtualTimer) bool { return o == t })
	return len(t.v.timers) < n
}

// AfterFunc calls f once the clock has been moved d past now. A d of zero
// or less calls f at once, on the caller's goroutine. Calls fall due in
// Set and Advance, which make them after moving the clock, in time order
// (then scheduling order), on the goroutine that called them.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	v.mu.Lock()
	v.seq++
	t := &virtualTimer{v: v, at: v.now.Add(d), f: f, seq: v.seq}
	if d <= 0 {
		v.mu.Unlock()
		f()
		return t
	}
	v.timers = append(v.timers, t)
	v.mu.Unlock()
	return t
}

// Timers returns how many calls are pending on the clock.
func (v *Virtual) Timers() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

// fire makes the calls that are due, outside the lock so that they may
// schedule new ones.
func (v *Virtual) fire() {
	v.mu.Lock()
	var due []*virtualTimer
	v.timers = slices.DeleteFunc(v.timers, func(t *virtualTimer) bool {
		if t.at.After(v.now) {
			return false
		}
		due = append(due, t)
		return true
	})
	v.mu.Unlock()
	slices.SortFunc(due, func(a, b *virtualTimer) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for _, t := range due {
		t.f()
	}
}
