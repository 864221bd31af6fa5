package httpapi

import (
	"context"
	"strconv"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/ratelimit"
)

// testWindow calls a windowLimiter in memory without a context; an error
// fails the test.
type testWindow struct {
	t   *testing.T
	l   *windowLimiter
	mem *ratelimit.Memory
}

func newTestWindow(t *testing.T, c sb.Clock, window time.Duration) testWindow {
	mem := ratelimit.NewMemory(maxLimiterKeys)
	return testWindow{t, newWindowLimiter(c, mem, "test", window), mem}
}

func (w testWindow) wait(key string, limit int) time.Duration {
	d, err := w.l.wait(context.Background(), key, limit)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

func (w testWindow) add(key string) {
	if err := w.l.add(context.Background(), key); err != nil {
		w.t.Fatal(err)
	}
}

func (w testWindow) take(quotas ...quota) time.Duration {
	d, err := w.l.take(context.Background(), quotas...)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// window returns key's live window.
func (w testWindow) window(key string) sb.RateWindow {
	ws, err := w.mem.RateWindows(context.Background(), w.l.clock.Now(), w.l.storeKey(key))
	if err != nil {
		w.t.Fatal(err)
	}
	return ws[0]
}

func TestWindowLimiter(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newTestWindow(t, c, 10*time.Minute)
	for i := range 3 {
		if w := l.wait("v:1", 3); w != 0 {
			t.Fatalf("event %d refused for %v", i+1, w)
		}
		l.add("v:1")
		c.Advance(time.Minute)
	}
	if w := l.wait("v:1", 3); w != 7*time.Minute {
		t.Errorf("the fourth waits %v, want 7m (the window started with the first)", w)
	}
	if w := l.wait("v:2", 3); w != 0 {
		t.Errorf("another key waits %v", w)
	}
	c.Advance(7 * time.Minute)
	if w := l.wait("v:1", 3); w != 0 {
		t.Errorf("after the window: %v", w)
	}
	l.add("v:1")
	if h := l.window("v:1"); h.Count != 1 || !h.Start.Equal(c.Now()) {
		t.Errorf("a new window: %+v", h)
	}
}

// The limiter's memory stays bounded: a full kind of key drops its
// windows that are over, and when every one is live, half of them.
func TestWindowLimiterStaysBounded(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newTestWindow(t, c, time.Minute)
	const group = "test-k"
	for i := range maxLimiterKeys {
		l.add("k:" + strconv.Itoa(i))
	}
	l.add("k:old-ones-live")
	if n := l.mem.Len(group); n > maxLimiterKeys/2+1 || l.window("k:old-ones-live").Count != 1 {
		t.Errorf("%d keys after a prune with every window live, want at most %d with the new one", n, maxLimiterKeys/2+1)
	}
	for i := 0; l.mem.Len(group) < maxLimiterKeys-1; i++ {
		l.add("k:more-" + strconv.Itoa(i))
	}
	c.Advance(2 * time.Minute)
	l.add("k:fresh")
	l.add("k:new")
	if n := l.mem.Len(group); n != 2 || l.window("k:fresh").Count != 1 {
		t.Errorf("%d keys after pruning the windows that are over, want 2", n)
	}
}

// take counts against every quota or none: a full one leaves the others
// as they were.
func TestWindowLimiterTakeCountsAllOrNothing(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newTestWindow(t, c, 10*time.Minute)
	if w := l.take(quota{"a", 1}, quota{"b", 3}); w != 0 {
		t.Fatalf("first take waits %v", w)
	}
	c.Advance(time.Minute)
	if w := l.take(quota{"a", 1}, quota{"b", 3}); w != 9*time.Minute {
		t.Errorf("with a full: waits %v, want 9m", w)
	}
	if n := l.window("b").Count; n != 1 {
		t.Errorf("a refused take counted b: %d, want 1", n)
	}
	if w := l.take(quota{"b", 3}); w != 0 || l.window("b").Count != 2 {
		t.Errorf("b alone: wait %v, count %d", w, l.window("b").Count)
	}
}
