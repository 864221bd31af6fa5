// Package broker fans committed events out to live subscribers in process.
// Subscribers that fall behind are dropped rather than slowing writers: they
// resume from the store by position, so nothing is lost.
package broker

import (
	"sync"

	sb "github.com/switchboardhq/switchboard"
)

// Broker delivers published events to subscribers in publish order.
type Broker struct {
	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// New returns an empty broker.
func New() *Broker { return &Broker{subs: make(map[*Subscription]struct{})} }

// Subscription receives the events of one session (SessionID != 0) or of
// all sessions.
type Subscription struct {
	SessionID int64
	c         chan sb.Event
	b         *Broker
	lagged    bool
	once      sync.Once
}

// C returns the channel of events. It is closed when the subscription is
// closed or falls behind; Lagged tells which.
func (s *Subscription) C() <-chan sb.Event { return s.c }

// Lagged reports whether the subscription was dropped for falling behind.
func (s *Subscription) Lagged() bool {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.lagged
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.closeLocked()
}

func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		delete(s.b.subs, s)
		close(s.c)
	})
}

// Subscribe registers a subscriber with a buffer of size events.
func (b *Broker) Subscribe(sessionID int64, size int) *Subscription {
	if size <= 0 {
		size = 1024
	}
	s := &Subscription{SessionID: sessionID, c: make(chan sb.Event, size), b: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(s.c)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Publish delivers events, which must be in commit order, to every
// matching subscriber without blocking.
func (b *Broker) Publish(events []sb.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		for _, e := range events {
			if s.SessionID != 0 && s.SessionID != e.SessionID {
				continue
			}
			select {
			case s.c <- e:
			default:
				s.lagged = true
				s.closeLocked()
			}
			if s.lagged {
				break
			}
		}
	}
}

// Subscribers returns the number of live subscriptions.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends every subscription.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		s.closeLocked()
	}
}
