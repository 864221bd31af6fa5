package httpapi

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/clock"
)

func TestWindowLimiter(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newWindowLimiter(c, 10*time.Minute)
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
	if h := l.hits["v:1"]; h.n != 1 || !h.start.Equal(c.Now()) {
		t.Errorf("a new window: %+v", h)
	}
}

func TestWindowLimiterStaysBounded(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newWindowLimiter(c, time.Minute)
	for i := range maxLimiterKeys {
		l.hits[strconv.Itoa(i)] = &hits{start: c.Now(), n: 1}
	}
	l.add("old-ones-live")
	if len(l.hits) != 1 {
		t.Errorf("%d keys after a prune with every window live, want 1", len(l.hits))
	}
	for i := range maxLimiterKeys - 1 {
		l.hits[strconv.Itoa(i)] = &hits{start: c.Now(), n: 1}
	}
	c.Advance(2 * time.Minute)
	l.hits["fresh"] = &hits{start: c.Now(), n: 1}
	l.add("new")
	if len(l.hits) != 2 || l.hits["fresh"] == nil {
		t.Errorf("%d keys after pruning the windows that are over, want 2", len(l.hits))
	}
}

// take counts against every quota or none: a full one leaves the others
// as they were.
func TestWindowLimiterTakeCountsAllOrNothing(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := newWindowLimiter(c, 10*time.Minute)
	if w := l.take(quota{"a", 1}, quota{"b", 3}); w != 0 {
		t.Fatalf("first take waits %v", w)
	}
	c.Advance(time.Minute)
	if w := l.take(quota{"a", 1}, quota{"b", 3}); w != 9*time.Minute {
		t.Errorf("with a full: waits %v, want 9m", w)
	}
	if n := l.hits["b"].n; n != 1 {
		t.Errorf("a refused take counted b: %d, want 1", n)
	}
	if w := l.take(quota{"b", 3}); w != 0 || l.hits["b"].n != 2 {
		t.Errorf("b alone: wait %v, count %d", w, l.hits["b"].n)
	}
}
