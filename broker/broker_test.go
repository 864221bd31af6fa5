package broker

import (
	"slices"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

func TestFilterAndOrder(t *testing.T) {
	b := New()
	all, one := b.Subscribe(0, 10), b.Subscribe(2, 10)
	b.Publish([]sb.Event{{ID: 1, SessionID: 1}, {ID: 2, SessionID: 2}, {ID: 3, SessionID: 2}})
	for _, want := range []int64{1, 2, 3} {
		if e := <-all.C(); e.ID != want {
			t.Fatalf("all: got %d, want %d", e.ID, want)
		}
	}
	for _, want := range []int64{2, 3} {
		if e := <-one.C(); e.ID != want {
			t.Fatalf("one: got %d, want %d", e.ID, want)
		}
	}
	if len(one.C()) != 0 {
		t.Error("session subscriber got another session's event")
	}
}

// A subscriber that falls behind is dropped and told so; the publisher
// never blocks on it, and others keep receiving.
func TestSlowSubscriberIsDroppedNotBlocking(t *testing.T) {
	b := New()
	slow, fast := b.Subscribe(0, 2), b.Subscribe(0, 10)
	b.Publish([]sb.Event{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}})
	n := 0
	for range slow.C() {
		n++
	}
	if n != 2 || !slow.Lagged() {
		t.Errorf("slow subscriber read %d events, lagged=%v", n, slow.Lagged())
	}
	if len(fast.C()) != 4 || fast.Lagged() {
		t.Errorf("fast subscriber has %d events", len(fast.C()))
	}
	if b.Subscribers() != 1 {
		t.Errorf("%d subscribers left, want 1", b.Subscribers())
	}
	b.Close()
	if _, ok := <-fast.C(); !ok {
		t.Error("buffered events lost on close")
	}
	if fast.Lagged() {
		t.Error("closing the broker marked a subscriber lagged")
	}
}

// A watcher receives its session's events in publish order, with the
// channel subscribers; once closed it receives nothing more.
func TestWatchReceivesInOrderUntilClosed(t *testing.T) {
	b := New()
	var got []int64
	w := b.Watch(2, func(e sb.Event) { got = append(got, e.ID) }, func() { t.Error("closed called without a shutdown") })
	var all []int64
	b.Watch(0, func(e sb.Event) { all = append(all, e.ID) }, nil)
	ch := b.Subscribe(2, 10)
	if b.Subscribers() != 3 {
		t.Fatalf("%d subscribers, want 3", b.Subscribers())
	}
	b.Publish([]sb.Event{{ID: 1, SessionID: 1}, {ID: 2, SessionID: 2}, {ID: 3, SessionID: 2}})
	if !slices.Equal(got, []int64{2, 3}) || !slices.Equal(all, []int64{1, 2, 3}) || len(ch.C()) != 2 {
		t.Fatalf("watcher got %v, all-sessions watcher %v, channel %d events", got, all, len(ch.C()))
	}
	if w.C() != nil || w.Lagged() {
		t.Error("a watcher has a channel or lagged")
	}
	// Many events at once never drop a watcher, which has no buffer to
	// overflow; the channel subscriber's buffer of 10 overflows.
	many := make([]sb.Event, 5000)
	for i := range many {
		many[i] = sb.Event{ID: int64(4 + i), SessionID: 2}
	}
	b.Publish(many)
	if len(got) != 5002 || got[5001] != 5003 || w.Lagged() {
		t.Fatalf("watcher has %d events, last %d", len(got), got[len(got)-1])
	}
	if !ch.Lagged() {
		t.Error("the channel subscriber was not dropped")
	}
	w.Close()
	w.Close() // twice is harmless
	b.Publish([]sb.Event{{ID: 9000, SessionID: 2}})
	if len(got) != 5002 {
		t.Errorf("closed watcher received %d more events", len(got)-5002)
	}
	if b.Subscribers() != 1 {
		t.Errorf("%d subscribers, want 1 (the all-sessions watcher)", b.Subscribers())
	}
}

// Closing the broker tells each open watcher once, outside the broker's
// lock (the callback may use the broker), and a watcher registered after
// the close is told at once.
func TestWatchToldWhenTheBrokerCloses(t *testing.T) {
	b := New()
	told := map[string]int{}
	b.Watch(1, func(sb.Event) {}, func() { told["one"]++; b.Subscribers() })
	b.Watch(0, func(sb.Event) {}, func() { told["all"]++ })
	gone := b.Watch(1, func(sb.Event) {}, func() { told["gone"]++ })
	gone.Close()
	b.Close()
	if told["one"] != 1 || told["all"] != 1 || told["gone"] != 0 {
		t.Errorf("told %v, want each open watcher once", told)
	}
	if b.Subscribers() != 0 {
		t.Errorf("%d subscribers after close", b.Subscribers())
	}
	late := b.Watch(1, func(sb.Event) { t.Error("a watcher of a closed broker received an event") }, func() { told["late"]++ })
	b.Publish([]sb.Event{{ID: 1, SessionID: 1}})
	late.Close()
	if told["late"] != 1 || told["one"] != 1 {
		t.Errorf("told %v after the close", told)
	}
}

// BenchmarkPublishAmongManyFollowers publishes one session's event while
// 10,000 other chats are followed (one subscription each, as WebSocket
// clients hold them): the cost must not grow with the other followers.
func BenchmarkPublishAmongManyFollowers(b *testing.B) {
	br := New()
	defer br.Close()
	for id := int64(1); id <= 10000; id++ {
		br.Subscribe(id, 4)
	}
	sub := br.Subscribe(20000, 1)
	ev := []sb.Event{{SessionID: 20000, Seq: 1}}
	for b.Loop() {
		br.Publish(ev)
		<-sub.C()
	}
}
