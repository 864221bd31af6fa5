package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// RunRateLimits runs the suite of sb.RateLimitStore. open must return a
// new, empty store.
func RunRateLimits(t *testing.T, open func(t *testing.T) sb.RateLimitStore) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, sb.RateLimitStore)
	}{
		{"FixedWindows", testRateFixedWindows},
		{"LimitsAllOrNothing", testRateAllOrNothing},
		{"StartAndReset", testRateStartAndReset},
		{"DuplicateKeys", testRateDuplicateKeys},
		{"AnyBytesInKeys", testRateAnyBytes},
		{"ConcurrentHitsAreCounted", testRateConcurrentHits},
		{"ConcurrentTakesNeverOverrun", testRateConcurrentTakes},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func take(t *testing.T, st sb.RateLimitStore, now time.Time, quotas ...sb.RateQuota) (bool, []sb.RateWindow) {
	t.Helper()
	taken, ws, err := st.TakeRate(context.Background(), now, quotas...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != len(quotas) {
		t.Fatalf("%d windows for %d quotas", len(ws), len(quotas))
	}
	return taken, ws
}

func windows(t *testing.T, st sb.RateLimitStore, now time.Time, keys ...string) []sb.RateWindow {
	t.Helper()
	ws, err := st.RateWindows(context.Background(), now, keys...)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != len(keys) {
		t.Fatalf("%d windows for %d keys", len(ws), len(keys))
	}
	return ws
}

func sameWindow(got, want sb.RateWindow) bool {
	return got.Count == want.Count && got.Start.Equal(want.Start) && got.End.Equal(want.End)
}

// A key's window starts with its first hit and lasts its length; later
// hits add to it, the first at or after its end opens a new one, and a
// window that is over reads as none.
func testRateFixedWindows(t *testing.T, st sb.RateLimitStore) {
	q := sb.RateQuota{Key: "k-a:1", Window: 10 * time.Minute}
	for i := 1; i <= 3; i++ {
		taken, ws := take(t, st, t0.Add(time.Duration(i-1)*time.Minute), q)
		if want := (sb.RateWindow{Start: t0, End: t0.Add(10 * time.Minute), Count: i}); !taken || !sameWindow(ws[0], want) {
			t.Fatalf("hit %d: %v %+v, want %+v", i, taken, ws[0], want)
		}
	}
	ws := windows(t, st, t0.Add(9*time.Minute), "k-a:1", "k-a:2")
	if !sameWindow(ws[0], sb.RateWindow{Start: t0, End: t0.Add(10 * time.Minute), Count: 3}) || ws[1] != (sb.RateWindow{}) {
		t.Errorf("read within the window: %+v", ws)
	}
	if got := ws[0].Wait(3, t0.Add(9*time.Minute)); got != time.Minute {
		t.Errorf("a full window's wait: %v, want 1m", got)
	}
	end := t0.Add(10 * time.Minute)
	if ws := windows(t, st, end, "k-a:1"); ws[0] != (sb.RateWindow{}) {
		t.Errorf("read at the window's end: %+v, want none", ws[0])
	}
	// A window's length is its first hit's: a later quota's does not
	// change it.
	if _, ws := take(t, st, end.Add(time.Second), sb.RateQuota{Key: "k-a:1", Window: time.Hour}); !sameWindow(ws[0],
		sb.RateWindow{Start: end.Add(time.Second), End: end.Add(time.Second + time.Hour), Count: 1}) {
		t.Errorf("the first hit after the end: %+v, want a new window", ws[0])
	}
	if _, ws := take(t, st, end.Add(2*time.Second), q); !sameWindow(ws[0],
		sb.RateWindow{Start: end.Add(time.Second), End: end.Add(time.Second + time.Hour), Count: 2}) {
		t.Errorf("another hit: %+v", ws[0])
	}
	if ws := windows(t, st, t0); len(ws) != 0 {
		t.Errorf("no keys: %+v", ws)
	}
}

// A full quota refuses the hit against every quota of the call; quotas
// without a limit always take it.
func testRateAllOrNothing(t *testing.T, st sb.RateLimitStore) {
	a := sb.RateQuota{Key: "k-a:1", Window: 10 * time.Minute, Limit: 1}
	b := sb.RateQuota{Key: "k-b:1", Window: 5 * time.Minute, Limit: 3}
	if taken, ws := take(t, st, t0, a, b); !taken || ws[0].Count != 1 || ws[1].Count != 1 {
		t.Fatalf("the first take: %v %+v", taken, ws)
	}
	taken, ws := take(t, st, t0.Add(time.Minute), b, a)
	if taken || !sameWindow(ws[0], sb.RateWindow{Start: t0, End: t0.Add(5 * time.Minute), Count: 1}) ||
		!sameWindow(ws[1], sb.RateWindow{Start: t0, End: t0.Add(10 * time.Minute), Count: 1}) {
		t.Errorf("with a full: %v %+v, want refused with the windows as they were", taken, ws)
	}
	if got := max(ws[0].Wait(b.Limit, t0.Add(time.Minute)), ws[1].Wait(a.Limit, t0.Add(time.Minute))); got != 9*time.Minute {
		t.Errorf("the refusal's wait: %v, want 9m", got)
	}
	if ws := windows(t, st, t0.Add(time.Minute), "k-b:1"); ws[0].Count != 1 {
		t.Errorf("a refused take counted b: %+v", ws[0])
	}
	for i := 2; i <= 3; i++ {
		if taken, ws := take(t, st, t0.Add(time.Minute), b); !taken || ws[0].Count != i {
			t.Errorf("b alone, hit %d: %v %+v", i, taken, ws)
		}
	}
	if taken, ws := take(t, st, t0.Add(2*time.Minute), b); taken || ws[0].Count != 3 {
		t.Errorf("b full: %v %+v", taken, ws)
	}
	// b's window is over at 5m: the take opens new ones for both over.
	if taken, ws := take(t, st, t0.Add(10*time.Minute), a, b); !taken || ws[0].Count != 1 || ws[1].Count != 1 ||
		!ws[0].Start.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("after the windows: %v %+v", taken, ws)
	}
	// A key never seen with a full quota elsewhere in the call: nothing.
	if taken, ws := take(t, st, t0.Add(11*time.Minute), sb.RateQuota{Key: "k-c:new", Window: time.Minute, Limit: 5}, a); taken || ws[0] != (sb.RateWindow{}) {
		t.Errorf("a new key beside a full one: %v %+v", taken, ws)
	}
	if ws := windows(t, st, t0.Add(11*time.Minute), "k-c:new"); ws[0] != (sb.RateWindow{}) {
		t.Errorf("the refused take created the new key: %+v", ws[0])
	}
	unlimited := sb.RateQuota{Key: "k-d:1", Window: time.Minute}
	for i := 1; i <= 50; i++ {
		if taken, ws := take(t, st, t0, unlimited); !taken || ws[0].Count != i {
			t.Fatalf("no limit, hit %d: %v %+v", i, taken, ws)
		}
	}
	if taken, _ := take(t, st, t0); !taken {
		t.Error("no quotas: not taken")
	}
}

// StartRate replaces a key's window, live or not; ResetRate forgets keys.
func testRateStartAndReset(t *testing.T, st sb.RateLimitStore) {
	ctx := context.Background()
	take(t, st, t0, sb.RateQuota{Key: "k-a:1", Window: time.Minute}, sb.RateQuota{Key: "k-b:1", Window: time.Minute})
	take(t, st, t0, sb.RateQuota{Key: "k-a:1", Window: time.Minute})
	if err := st.StartRate(ctx, t0.Add(30*time.Second), "k-a:1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.StartRate(ctx, t0.Add(30*time.Second), "k-t:1", 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	ws := windows(t, st, t0.Add(30*time.Second), "k-a:1", "k-t:1")
	if !sameWindow(ws[0], sb.RateWindow{Start: t0.Add(30 * time.Second), End: t0.Add(30*time.Second + time.Hour), Count: 1}) ||
		!sameWindow(ws[1], sb.RateWindow{Start: t0.Add(30 * time.Second), End: t0.Add(30*time.Second + 24*time.Hour), Count: 1}) {
		t.Errorf("started anew: %+v", ws)
	}
	if err := st.ResetRate(ctx, "k-a:1", "k-b:1", "k-never:1"); err != nil {
		t.Fatal(err)
	}
	if err := st.ResetRate(ctx); err != nil {
		t.Fatal(err)
	}
	ws = windows(t, st, t0.Add(30*time.Second), "k-a:1", "k-b:1", "k-t:1")
	if ws[0] != (sb.RateWindow{}) || ws[1] != (sb.RateWindow{}) || ws[2].Count != 1 {
		t.Errorf("after the reset: %+v", ws)
	}
	if taken, ws := take(t, st, t0.Add(40*time.Second), sb.RateQuota{Key: "k-a:1", Window: time.Minute, Limit: 1}); !taken || ws[0].Count != 1 {
		t.Errorf("a reset key: %v %+v", taken, ws)
	}
}

// One key twice in one call is refused as invalid.
func testRateDuplicateKeys(t *testing.T, st sb.RateLimitStore) {
	q := sb.RateQuota{Key: "k-a:1", Window: time.Minute}
	if _, _, err := st.TakeRate(context.Background(), t0, q, sb.RateQuota{Key: "k-b:1", Window: time.Minute}, q); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a key twice: %v, want invalid", err)
	}
}

// Keys may hold any bytes: what clients send ends up in them.
func testRateAnyBytes(t *testing.T, st sb.RateLimitStore) {
	keys := []string{"k-a:a@x.io\x00203.0.113.7", "k-a:\xff\xfe", "k-a:a@x.io"}
	for i, k := range keys {
		for range i + 1 {
			take(t, st, t0, sb.RateQuota{Key: k, Window: time.Minute})
		}
	}
	ws := windows(t, st, t0, keys...)
	for i := range keys {
		if ws[i].Count != i+1 {
			t.Errorf("key %q: %+v, want %d hits", keys[i], ws[i], i+1)
		}
	}
	if err := st.ResetRate(context.Background(), keys[0]); err != nil {
		t.Fatal(err)
	}
	if err := st.StartRate(context.Background(), t0, keys[1], time.Hour); err != nil {
		t.Fatal(err)
	}
	if ws := windows(t, st, t0, keys...); ws[0].Count != 0 || ws[1].Count != 1 || ws[2].Count != 3 {
		t.Errorf("after a reset and a start: %+v", ws)
	}
}

// Concurrent hits on one key are all counted, each seeing its own count:
// n hits get the counts 1 to n.
func testRateConcurrentHits(t *testing.T, st sb.RateLimitStore) {
	const n = 40
	counts := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var ws []sb.RateWindow
			_, ws, errs[i] = st.TakeRate(context.Background(), t0, sb.RateQuota{Key: "k-a:1", Window: time.Minute})
			if errs[i] == nil {
				counts[i] = ws[0].Count
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("the concurrent hits' counts %v, want 1 to %d", counts, n)
		}
	}

	// Hits on two keys without limits, named in either order: all
	// counted, no deadlock.
	for i := range n {
		wg.Go(func() {
			qs := []sb.RateQuota{{Key: "k-b:1", Window: time.Minute}, {Key: "k-c:1", Window: time.Minute}}
			if i%2 == 1 {
				qs[0], qs[1] = qs[1], qs[0]
			}
			_, _, errs[i] = st.TakeRate(context.Background(), t0, qs...)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ws := windows(t, st, t0, "k-b:1", "k-c:1"); ws[0].Count != n || ws[1].Count != n {
		t.Errorf("concurrent hits on two keys: %+v, want %d each", ws, n)
	}
}

// Concurrent takes against two quotas, named in either order, take
// exactly what the fuller quota allows, count the other only with it, and
// do not deadlock.
func testRateConcurrentTakes(t *testing.T, st sb.RateLimitStore) {
	const n, limit = 40, 7
	a := sb.RateQuota{Key: "k-a:1", Window: time.Minute, Limit: limit}
	b := sb.RateQuota{Key: "k-b:1", Window: time.Minute, Limit: 100}
	var mu sync.Mutex
	taken := 0
	var errs []error
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			qs := []sb.RateQuota{a, b}
			if i%2 == 1 {
				qs = []sb.RateQuota{b, a}
			}
			ok, _, err := st.TakeRate(context.Background(), t0, qs...)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				taken++
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(fmt.Errorf("%d takes failed: %w", len(errs), errs[0]))
	}
	ws := windows(t, st, t0, a.Key, b.Key)
	if taken != limit || ws[0].Count != limit || ws[1].Count != limit {
		t.Errorf("%d of %d concurrent takes went through, counts %d and %d; want %d each", taken, n, ws[0].Count, ws[1].Count, limit)
	}
}
