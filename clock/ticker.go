package clock

import (
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Ticker sends the clock's time on C every d, as time.Ticker does on the
// wall clock: a tick the reader is not ready for is dropped, and on a
// virtual clock the ticks fall due as the clock is moved.
type Ticker struct {
	// C delivers the ticks.
	C <-chan time.Time

	c     chan time.Time
	clock sb.Clock
	d     time.Duration

	mu      sync.Mutex
	timer   Timer
	stopped bool
}

// NewTicker returns a ticker on c every d (d > 0).
func NewTicker(c sb.Clock, d time.Duration) *Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	ch := make(chan time.Time, 1)
	t := &Ticker{C: ch, c: ch, clock: c, d: d}
	t.mu.Lock()
	t.timer = AfterFunc(c, d, t.tick)
	t.mu.Unlock()
	return t
}

func (t *Ticker) tick() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	select {
	case t.c <- t.clock.Now():
	default:
	}
	t.timer = AfterFunc(t.clock, t.d, t.tick)
}

// Stop turns the ticker off: no tick is sent after it returns.
func (t *Ticker) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped = true
	t.timer.Stop()
}
