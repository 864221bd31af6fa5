package switchboard

// Publisher is told of every commit's events, after the commit and in
// commit order (the engine calls it before it answers the batch's
// callers). In one process it is the in-process broker; in a cluster the
// leader's publisher also sends the events to the other nodes, which hand
// them to their own broker.
type Publisher interface {
	Publish(events []Event)
}

// EventFeed hands published events to live followers on this node: a
// session's (sessionID != 0) or every session's. A follower that falls
// behind resumes from the store by position, so a feed may drop it rather
// than slow the publisher.
type EventFeed interface {
	// Subscribe delivers the events on a channel of size events; the
	// channel is closed when the subscription ends or falls behind.
	Subscribe(sessionID int64, size int) Subscription
	// Watch calls fn with each event as it is published, on the
	// publisher's goroutine: fn must not block nor call the feed. closed,
	// if not nil, runs once if the feed closes.
	Watch(sessionID int64, fn func(Event), closed func()) Subscription
}

// Subscription is one follower of an EventFeed.
type Subscription interface {
	// C is the channel of a Subscribe subscription (nil for Watch).
	C() <-chan Event
	// Lagged reports whether the subscription was dropped for falling
	// behind.
	Lagged() bool
	// Close ends the subscription; once it returns, a Watch callback is
	// not called again.
	Close()
}
