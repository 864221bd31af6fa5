package httpapi_test

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/httpapi"
)

// postMessages appends n visitor messages to session 1, one event each.
func postMessages(s *stack, n int) {
	s.t.Helper()
	for i := 0; i < n; i++ {
		s.mustDo("integration", "POST", "/api/v1/sessions/1/message", fmt.Sprintf(`{"from":"end_user","text":"m%d"}`, i), 200)
	}
}

// await waits for ch to close, failing the test rather than hanging it.
func await(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// awaitSubscribers waits until the broker holds n subscriptions: the
// server has handled the frames that lead there.
func awaitSubscribers(t *testing.T, s *stack, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.feed.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d broker subscriptions, want %d", s.feed.Subscribers(), n)
		}
		runtime.Gosched()
	}
}

// blockCatchUp returns a catch-up hook that holds the first catch-up at
// the given point (before or after its store read) until release closes.
func blockCatchUp(read bool) (hook func(sessionID, after int64, read bool), entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	return func(_, _ int64, r bool) {
		if r == read {
			once.Do(func() { close(entered); <-release })
		}
	}, entered, release
}

// expectSeqs reads event frames and checks their seqs are from..to.
func (w *wsClient) expectSeqs(from, to int64) {
	w.t.Helper()
	for want := from; want <= to; want++ {
		if seq := eventSeq(w.t, w.next()); seq != want {
			w.t.Fatalf("event seq %d, want %d", seq, want)
		}
	}
}

// Events committed while a subscription catches up from the store — before
// the read (so in the store and delivered live) or after it (delivered
// live only) — are each sent once, in order.
func TestWSEventsDuringCatchUpSentOnce(t *testing.T) {
	for _, read := range []bool{false, true} {
		t.Run(fmt.Sprintf("after_read=%v", read), func(t *testing.T) {
			s := newStack(t)
			connectedChat(s) // seq 1..4
			hook, entered, release := blockCatchUp(read)
			s.catchUp.set(hook)
			c := s.dialWS("agent")
			c.send(`{"op":"subscribe","session_id":1,"ref":"s"}`)
			await(t, entered, "the catch-up")
			postMessages(s, 3) // seq 5..7
			close(release)
			if m := c.expect("subscribed"); m["ref"] != "s" {
				t.Fatalf("subscribed %v", m)
			}
			c.expectSeqs(1, 7)
			postMessages(s, 1)
			c.expectSeqs(8, 8)
			c.send(`{"op":"ping"}`)
			c.expect("pong") // and no duplicate before it
		})
	}
}

// Live events beyond the bound of those waiting are dropped and read from
// the store again: none is lost.
func TestWSPendingOverflowRecoversFromTheStore(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	hold, entered, release := blockCatchUp(true) // the first read has seq 1..4
	var mu sync.Mutex
	var reads []int64
	s.catchUp.set(func(id, after int64, read bool) {
		if !read {
			mu.Lock()
			reads = append(reads, after)
			mu.Unlock()
		}
		hold(id, after, read)
	})
	c := s.dialWS("agent")
	c.send(`{"op":"subscribe","session_id":1}`)
	await(t, entered, "the catch-up")
	// seq 5..4+n: the last one overflows the pending events, which
	// are dropped, and no later event shows a gap.
	n := httpapi.WSPending + 1
	postMessages(s, n)
	close(release)
	c.expect("subscribed")
	c.expectSeqs(1, int64(4+n))
	c.send(`{"op":"ping"}`)
	c.expect("pong")
	mu.Lock()
	defer mu.Unlock()
	// The first WSPending live events were kept on the list; the one past
	// the bound is read from the store after them.
	if want := []int64{0, int64(4 + httpapi.WSPending)}; !slices.Equal(reads, want) {
		t.Errorf("store reads after %v, want after %v (the overflow)", reads, want)
	}
}

// An unsubscribe stops a subscription's events, even one in the middle
// of catching up: none follows the "unsubscribed" reply.
func TestWSUnsubscribeStopsEvents(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	hook, entered, release := blockCatchUp(true)
	s.catchUp.set(hook)
	c := s.dialWS("agent")
	c.send(`{"op":"subscribe","session_id":1}`)
	await(t, entered, "the catch-up")
	c.send(`{"op":"unsubscribe","session_id":1,"ref":"u"}`)
	awaitSubscribers(t, s, 0)
	close(release)
	c.expect("subscribed")
	if m := c.expect("unsubscribed"); m["ref"] != "u" {
		t.Fatalf("unsubscribed %v", m)
	}
	postMessages(s, 2)
	c.send(`{"op":"ping","ref":"p"}`)
	if m := c.expect("pong"); m["ref"] != "p" {
		t.Fatalf("pong %v", m)
	}
}

// Subscribing again to a session restarts it from the new after_seq, and
// no event of the old subscription follows the new "subscribed".
func TestWSResubscribeFromANewPosition(t *testing.T) {
	s := newStack(t)
	connectedChat(s)
	c := s.dialWS("agent")
	c.send(`{"op":"subscribe","session_id":1,"after_seq":2}`)
	c.expect("subscribed")
	c.expectSeqs(3, 4)
	c.send(`{"op":"subscribe","session_id":1,"after_seq":0}`) // back: a replay
	c.expect("subscribed")
	c.expectSeqs(1, 4)
	c.send(`{"op":"subscribe","session_id":1,"after_seq":4}`)
	c.expect("subscribed")
	postMessages(s, 1)
	c.expectSeqs(5, 5)
	c.send(`{"op":"ping"}`)
	c.expect("pong")

	// The same while the first subscription is catching up, with a second
	// session followed meanwhile.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201) // session 2, seq 1
	hook, entered, release := blockCatchUp(false)
	s.catchUp.set(hook)
	w := s.dialWS("agent")
	w.send(`{"op":"subscribe","session_id":1,"ref":"r1"}`)
	await(t, entered, "the catch-up")
	w.send(`{"op":"subscribe","session_id":1,"after_seq":3,"ref":"r2"}`)
	w.send(`{"op":"subscribe","session_id":2,"ref":"r3"}`)
	awaitSubscribers(t, s, 3) // c's, and w's two
	close(release)
	var refs []string
	seqs := map[float64][]int64{}
	for len(refs) < 3 || len(seqs[1]) < 2 || len(seqs[2]) < 1 {
		m := w.next()
		switch m["op"] {
		case "subscribed":
			if len(seqs[m["session_id"].(float64)]) > 0 {
				t.Fatalf("%v after its session's events", m)
			}
			refs = append(refs, m["ref"].(string))
		case "event":
			ev := m["event"].(map[string]any)
			id := ev["session_id"].(float64)
			if id == 1 && len(refs) < 2 {
				t.Fatalf("session 1 event %v before the second subscribed", ev)
			}
			seqs[id] = append(seqs[id], eventSeq(t, m))
		default:
			t.Fatalf("unexpected frame %v", m)
		}
	}
	w.send(`{"op":"ping"}`)
	w.expect("pong")
	if !slices.Equal(refs, []string{"r1", "r2", "r3"}) || !slices.Equal(seqs[1], []int64{4, 5}) || !slices.Equal(seqs[2], []int64{1}) {
		t.Errorf("replies %v, session 1 seqs %v, session 2 seqs %v", refs, seqs[1], seqs[2])
	}
}

// A connection follows at most WSMaxSubscriptions sessions, each of which
// delivers its events.
func TestWSMaxSubscriptions(t *testing.T) {
	s := newStack(t)
	for i := 0; i <= httpapi.WSMaxSubscriptions; i++ {
		s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 201) // seq 1
	}
	c := s.dialWS("supervisor")
	for id := 1; id <= httpapi.WSMaxSubscriptions; id++ {
		c.send(fmt.Sprintf(`{"op":"subscribe","session_id":%d,"after_seq":1}`, id))
		c.expect("subscribed")
	}
	last := httpapi.WSMaxSubscriptions + 1
	c.send(fmt.Sprintf(`{"op":"subscribe","session_id":%d,"after_seq":1}`, last))
	if m := c.next(); c.errCode(m) != "conflict" || m["session_id"] != float64(last) {
		t.Fatalf("subscription past the limit: %v", m)
	}
	c.send(`{"op":"subscribe","session_id":1,"after_seq":1}`) // a resubscription does not count
	c.expect("subscribed")
	for _, id := range []int{1, last - 1, last} {
		s.mustDo("integration", "POST", fmt.Sprintf("/api/v1/sessions/%d/message", id), `{"from":"end_user","text":"hi"}`, 200)
	}
	// Each session's events come in seq order; two sessions' events may
	// come in either order (a resubscription's catch-up reads the store).
	got := map[float64]bool{}
	for range 2 {
		ev := c.expect("event")["event"].(map[string]any)
		if ev["seq"] != float64(2) {
			t.Errorf("event %v, want seq 2", ev)
		}
		got[ev["session_id"].(float64)] = true
	}
	if !got[1] || !got[float64(last-1)] {
		t.Errorf("events of sessions %v, want 1 and %d", got, last-1)
	}
	c.send(`{"op":"ping"}`)
	c.expect("pong") // nothing from the session past the limit
}
