// Package broker fans committed events out to live subscribers in process.
// Subscribers that fall behind are dropped rather than slowing writers: they
// resume from the store by position, so nothing is lost.
package broker

import (
	"sync"

	sb "github.com/switchboardhq/switchboard"
)

// Broker is the in-process sb.Publisher and sb.EventFeed: it delivers
// published events to subscribers in publish order.
// Subscribers are kept by session, so an event costs its own session's
// subscribers and the all-sessions ones, however many chats are followed.
type Broker struct {
	mu        sync.Mutex
	all       map[*Subscription]struct{}
	bySession map[int64]map[*Subscription]struct{}
	n         int
	closed    bool
}

var (
	_ sb.Publisher = (*Broker)(nil)
	_ sb.EventFeed = (*Broker)(nil)
)

// New returns an empty broker.
func New() *Broker {
	return &Broker{all: make(map[*Subscription]struct{}), bySession: make(map[int64]map[*Subscription]struct{})}
}

// Subscription receives the events of one session (SessionID != 0) or of
// all sessions, on a channel (Subscribe) or through a callback (Watch).
type Subscription struct {
	SessionID int64
	c         chan sb.Event  // Subscribe's
	fn        func(sb.Event) // Watch's
	closed    func()         // Watch's, run if the broker closes
	b         *Broker
	lagged    bool
	once      sync.Once
}

// C returns the channel of events. It is closed when the subscription is
// closed or falls behind; Lagged tells which. A Watch subscription has no
// channel: C returns nil.
func (s *Subscription) C() <-chan sb.Event { return s.c }

// Lagged reports whether the subscription was dropped for falling behind.
func (s *Subscription) Lagged() bool {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.lagged
}

// Close ends the subscription. Once it returns, a Watch callback is not
// called again.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		b := s.b
		if s.SessionID == 0 {
			delete(b.all, s)
		} else if set := b.bySession[s.SessionID]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(b.bySession, s.SessionID)
			}
		}
		b.n--
		if s.c != nil {
			close(s.c)
		}
	})
}

// Subscribe registers a subscriber with a buffer of size events.
func (b *Broker) Subscribe(sessionID int64, size int) sb.Subscription {
	if size <= 0 {
		size = 1024
	}
	s := &Subscription{SessionID: sessionID, c: make(chan sb.Event, size), b: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.c)
		s.once.Do(func() {})
		return s
	}
	b.addLocked(s)
	return s
}

// Watch registers a subscriber that costs no goroutine and no buffer: fn
// receives each event of sessionID (0: of every session) as it is
// published, in publish order, under the broker's lock — so it must not
// block, nor call the broker. If the broker closes, closed (if not nil)
// runs once, outside the lock; if it is already closed, closed runs before
// Watch returns. A watcher is never dropped for falling behind: it keeps
// what it cannot handle at once itself, or recovers it from the store.
func (b *Broker) Watch(sessionID int64, fn func(sb.Event), closed func()) sb.Subscription {
	s := &Subscription{SessionID: sessionID, fn: fn, closed: closed, b: b}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		s.once.Do(func() {})
		if closed != nil {
			closed()
		}
		return s
	}
	b.addLocked(s)
	b.mu.Unlock()
	return s
}

func (b *Broker) addLocked(s *Subscription) {
	if s.SessionID == 0 {
		b.all[s] = struct{}{}
	} else {
		set := b.bySession[s.SessionID]
		if set == nil {
			set = make(map[*Subscription]struct{})
			b.bySession[s.SessionID] = set
		}
		set[s] = struct{}{}
	}
	b.n++
}

// Publish delivers events, which must be in commit order, to every
// matching subscriber without blocking.
func (b *Broker) Publish(events []sb.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range events {
		for sub := range b.all {
			sub.deliverLocked(e)
		}
		for sub := range b.bySession[e.SessionID] {
			sub.deliverLocked(e)
		}
	}
}

// deliverLocked hands e to the subscriber, or drops a subscriber whose
// buffer is full (closing removes it from the broker's sets, which the
// callers' range loops allow).
func (s *Subscription) deliverLocked(e sb.Event) {
	if s.fn != nil {
		s.fn(e)
		return
	}
	select {
	case s.c <- e:
	default:
		s.lagged = true
		s.closeLocked()
	}
}

// Subscribers returns the number of live subscriptions.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Close ends every subscription, then tells the watchers.
func (b *Broker) Close() {
	var tell []func()
	b.mu.Lock()
	b.closed = true
	end := func(s *Subscription) {
		if s.closed != nil {
			tell = append(tell, s.closed)
		}
		s.closeLocked()
	}
	for s := range b.all {
		end(s)
	}
	for _, set := range b.bySession {
		for s := range set {
			end(s)
		}
	}
	b.mu.Unlock()
	for _, f := range tell {
		f()
	}
}
