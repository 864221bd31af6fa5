// Package clock provides the wall clock and a virtual clock for tests and
// replays. Logic reads time only through switchboard.Clock.
package clock

import (
	"sync"
	"time"
)

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// Virtual is a clock that moves only when told to.
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	timers []*virtualTimer
	seq    uint64
}

// NewVirtual returns a virtual clock set to t.
func NewVirtual(t time.Time) *Virtual { return &Virtual{now: t} }

// Now returns the clock's time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Set moves the clock to t. Moving it backwards is ignored: time in the
// virtual world, as in the real one, does not go back.
func (v *Virtual) Set(t time.Time) {
	v.mu.Lock()
	if t.After(v.now) {
		v.now = t
	}
	v.mu.Unlock()
	v.fire()
}

// Advance moves the clock forward by d.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	if d > 0 {
		v.now = v.now.Add(d)
	}
	v.mu.Unlock()
	v.fire()
}
