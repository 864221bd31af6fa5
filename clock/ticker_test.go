package clock_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/clock"
)

// A ticker on a virtual clock ticks as the clock is moved past each
// interval, drops what the reader was not ready for, and stops.
func TestTickerOnAVirtualClock(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := clock.NewVirtual(t0)
	tk := clock.NewTicker(c, time.Second)
	select {
	case <-tk.C:
		t.Fatal("a tick before the clock moved")
	default:
	}
	c.Advance(999 * time.Millisecond)
	select {
	case <-tk.C:
		t.Fatal("a tick before the interval passed")
	default:
	}
	c.Advance(time.Millisecond)
	if got := <-tk.C; !got.Equal(t0.Add(time.Second)) {
		t.Errorf("tick at %v, want %v", got, t0.Add(time.Second))
	}
	c.Advance(time.Second)
	c.Advance(time.Second) // not read: dropped
	if got := <-tk.C; !got.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("tick at %v, want the first unread one at %v", got, t0.Add(2*time.Second))
	}
	tk.Stop()
	c.Advance(time.Hour)
	select {
	case <-tk.C:
		t.Error("a tick after Stop")
	default:
	}
	if n := c.Timers(); n != 0 {
		t.Errorf("%d timers pending after Stop", n)
	}
}
