package broker

import (
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
