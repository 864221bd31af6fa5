package clock_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/clock"
)

func TestVirtualAfterFuncFiresInTimeOrderWhenTheClockPasses(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	v := clock.NewVirtual(t0)
	var got []string
	v.AfterFunc(2*time.Second, func() { got = append(got, "b") })
	v.AfterFunc(time.Second, func() { got = append(got, "a") })
	stopped := v.AfterFunc(time.Second, func() { got = append(got, "stopped") })
	v.AfterFunc(2*time.Second, func() { got = append(got, "c") })
	if !stopped.Stop() || stopped.Stop() {
		t.Error("Stop should report true once, then false")
	}
	if v.Timers() != 3 {
		t.Fatalf("%d timers pending, want 3", v.Timers())
	}
	v.Advance(999 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("fired early: %v", got)
	}
	v.Advance(time.Millisecond)
	if !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after 1 s: %v", got)
	}
	v.Set(t0.Add(time.Hour))
	if !slices.Equal(got, []string{"a", "b", "c"}) || v.Timers() != 0 {
		t.Fatalf("after an hour: %v, %d pending", got, v.Timers())
	}
}

func TestVirtualAfterFuncMayScheduleAgainFromTheCall(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	n := 0
	var tick func()
	tick = func() {
		n++
		v.AfterFunc(time.Second, tick)
	}
	v.AfterFunc(time.Second, tick)
	for range 3 {
		v.Advance(time.Second)
	}
	if n != 3 || v.Timers() != 1 {
		t.Fatalf("%d ticks, %d pending; want 3 and 1", n, v.Timers())
	}
	now := false
	v.AfterFunc(0, func() { now = true })
	if !now {
		t.Error("a zero duration should call at once")
	}
}

func TestAfterFuncFallsBackToTheWallClock(t *testing.T) {
	done := make(chan struct{})
	clock.AfterFunc(plainClock{}, time.Millisecond, func() { close(done) })
	<-done
}

type plainClock struct{}

func (plainClock) Now() time.Time { return time.Now() }
