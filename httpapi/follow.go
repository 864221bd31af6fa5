package httpapi

import (
	"context"
	"errors"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// feed says what follow delivers and how.
type feed struct {
	// SessionID selects one session's events, positioned by their seq;
	// zero selects every session's, positioned by their global id.
	SessionID int64
	// After is the position of the last event the subscriber has.
	After int64
	// Buffer is the broker subscription's buffer, in events. A subscriber
	// that falls further behind is caught up from the store.
	Buffer int
	// Send delivers an event at its position; an error ends the feed.
	Send func(e sb.Event, pos int64) error
	// Flush, if set, is called whenever no further event is waiting.
	Flush func() error
	// Tick and OnTick, if set, run OnTick on every tick while live.
	Tick   <-chan time.Time
	OnTick func() error
}

// errBrokerClosed ends a feed when the server shuts its broker down.
var errBrokerClosed = errors.New("the event broker is closed")

// follow sends the stored events after f.After, then the live ones, in
// order, each once, until ctx ends, a callback fails or the broker closes
// (errBrokerClosed). It subscribes to the broker before reading the store,
// so an event committed meanwhile arrives from one or both sources and is
// sent once; a subscription that falls behind is caught up from the store
// again. This is how the event streams resume with no gap and no
// duplicate; a WebSocket subscription does the same from its connection's
// writer (wsfeed.go).
func (s *Server) follow(ctx context.Context, f feed) error {
	pos := func(e sb.Event) int64 { return e.ID }
	if f.SessionID != 0 {
		pos = func(e sb.Event) int64 { return e.Seq }
	}
	flush := func() error {
		if f.Flush == nil {
			return nil
		}
		return f.Flush()
	}
	last := f.After
	send := func(e sb.Event) error {
		p := pos(e)
		if p <= last {
			return nil
		}
		if err := f.Send(e, p); err != nil {
			return err
		}
		last = p
		return nil
	}
	const page = 500
	catchUp := func() error {
		for {
			var events []sb.Event
			var err error
			offStack(func() {
				if f.SessionID != 0 {
					events, err = s.Events.SessionEvents(ctx, f.SessionID, last, page)
				} else {
					events, err = s.Events.Events(ctx, last, page)
				}
			})
			if err != nil {
				return err
			}
			for _, e := range events {
				if err := send(e); err != nil {
					return err
				}
			}
			if err := flush(); err != nil {
				return err
			}
			if len(events) < page {
				return nil
			}
		}
	}
	for {
		sub := s.Feed.Subscribe(f.SessionID, f.Buffer)
		err := func() error {
			defer sub.Close()
			if err := catchUp(); err != nil {
				return err
			}
			for {
				select {
				case e, ok := <-sub.C():
					if !ok {
						if !sub.Lagged() {
							return errBrokerClosed
						}
						return nil // caught up from the store again
					}
					if f.SessionID != 0 && pos(e) > last+1 {
						return nil // should not happen; recover from the store rather than skip
					}
					if err := send(e); err != nil {
						return err
					}
					if len(sub.C()) == 0 {
						if err := flush(); err != nil {
							return err
						}
					}
				case <-f.Tick:
					if err := f.OnTick(); err != nil {
						return err
					}
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}()
		if err != nil {
			return err
		}
	}
}

// offStack runs f on a goroutine of its own and waits for it. Reads from
// the store go deep (SQLite's code runs on the Go stack); run off the
// stack of a long-lived goroutine, they do not leave it grown for as long
// as a subscriber stays connected.
func offStack(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}
