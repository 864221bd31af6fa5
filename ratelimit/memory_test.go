package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/ratelimit"
	"github.com/switchboardhq/switchboard/storetest"
)

func TestConformance(t *testing.T) {
	storetest.RunRateLimits(t, func(t *testing.T) sb.RateLimitStore { return ratelimit.NewMemory(1000) })
}

// A flood of one group's keys prunes that group only: another group's
// live windows stay.
func TestMemoryBoundsEachGroup(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	m := ratelimit.NewMemory(100)
	if _, _, err := m.TakeRate(ctx, now, sb.RateQuota{Key: "account:a@x.io", Window: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if _, _, err := m.TakeRate(ctx, now, sb.RateQuota{Key: "ip:" + strconv.Itoa(i), Window: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.Len("ip"); n > 100 {
		t.Errorf("the flooded group holds %d keys, more than 100", n)
	}
	ws, _ := m.RateWindows(ctx, now, "account:a@x.io", "ip:999")
	if ws[0].Count != 1 || ws[1].Count != 1 {
		t.Errorf("after the flood: %+v, want the other group's window and the last key kept", ws)
	}
}
