package httpapi

import (
	"encoding/json"
	"errors"

	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
)

// A session subscription of a WebSocket connection costs no goroutine: the
// broker hands its live events to deliver, which keeps them on the
// subscription (at most wsPending) and wakes the connection's writer; the
// writer sends them after the stored ones, as follow does for a stream:
//
//   - A new subscription starts with needCatchUp: the writer reads the
//     store after the client's position, then sends what is pending,
//     skipping what it sent already (by seq). The broker watch is in place
//     before the store is read, so an event committed meanwhile comes from
//     one source or both, and is sent once.
//   - Events that overflow the bound, or a gap in seq, set needCatchUp
//     again: an event is never lost, the store has it.
//   - The writer checks before each frame that the subscription is still
//     current, so no event of an old subscription follows the reply to an
//     unsubscribe or a new subscribe, and it first writes the replies
//     queued so far, so a subscription's events follow its "subscribed".
//
// The writer never takes c.mu, which the reader holds while it waits for
// room in the queue; the subscriptions' live state has feedMu.

// storePage is how many stored events a catch-up reads at a time.
const storePage = 500

// errSubEnded stops feeding a subscription that was dropped, or a
// connection that was killed.
var errSubEnded = errors.New("the subscription ended")

// watchLocked starts a session subscription: from now on the broker hands
// it the session's events, and the writer catches it up from the store.
func (c *wsConn) watchLocked(sub *wsSub) {
	sub.watch = c.s.Engine.Broker().Watch(sub.sessionID,
		func(e sb.Event) { c.deliver(sub, e) },
		func() { c.kill(websocket.StatusGoingAway, "the server is shutting down") })
	c.feedMu.Lock()
	c.markLocked(sub)
	c.feedMu.Unlock()
	c.signal()
}

// deliver keeps a live event for the writer. It runs under the broker's
// lock, so it only appends and signals.
func (c *wsConn) deliver(sub *wsSub, e sb.Event) {
	c.feedMu.Lock()
	if sub.dropped {
		c.feedMu.Unlock()
		return
	}
	if len(sub.pending) >= wsPending {
		sub.pending, sub.needCatchUp = nil, true // the store has them
	} else {
		sub.pending = append(sub.pending, e)
	}
	c.markLocked(sub)
	c.feedMu.Unlock()
	c.signal()
}

// markLocked puts sub on the writer's list.
func (c *wsConn) markLocked(sub *wsSub) {
	if !sub.queued {
		sub.queued = true
		c.dirty = append(c.dirty, sub)
	}
}

// signal wakes the writer, unless a wake is already waiting.
func (c *wsConn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// serveSubs sends what the marked subscriptions have. It returns an error only
// when a write failed, which broke the connection.
func (c *wsConn) serveSubs() error {
	c.feedMu.Lock()
	subs := c.dirty
	c.dirty = nil
	for _, sub := range subs {
		sub.queued = false
	}
	c.feedMu.Unlock()
	for _, sub := range subs {
		select {
		case <-c.done:
			return nil // the writer's loop closes the connection
		default:
		}
		if err := c.serveSub(sub); err != nil && !errors.Is(err, errSubEnded) {
			return err
		}
	}
	return nil
}

// serveSub sends a subscription's events until it has none left.
func (c *wsConn) serveSub(sub *wsSub) error {
	gap := false
	for {
		c.feedMu.Lock()
		if sub.dropped {
			c.feedMu.Unlock()
			return errSubEnded
		}
		catchUp, events := sub.needCatchUp || gap, sub.pending
		sub.needCatchUp, sub.pending, gap = false, nil, false
		c.feedMu.Unlock()
		if !catchUp && len(events) == 0 {
			return nil
		}
		if catchUp {
			// events were published before this read began, so it has
			// them: they are passed over below.
			if err := c.catchUp(sub); err != nil {
				return err
			}
		}
		for _, e := range events {
			if e.Seq <= sub.last {
				continue
			}
			if e.Seq > sub.last+1 {
				gap = true // should not happen; recover from the store rather than skip
				break
			}
			if err := c.sendEvent(sub, e); err != nil {
				return err
			}
		}
	}
}

// catchUp sends the stored events after sub.last, page by page.
func (c *wsConn) catchUp(sub *wsSub) error {
	for {
		if !c.current(sub) {
			return errSubEnded
		}
		c.catchUpHook(sub, false)
		var events []sb.Event
		var err error
		offStack(func() { events, err = c.s.Engine.Store().SessionEvents(c.ctx, sub.sessionID, sub.last, storePage) })
		c.catchUpHook(sub, true)
		if err != nil {
			if c.ctx.Err() == nil {
				c.s.log.Error("websocket subscription failed", "session", sub.sessionID, "err", err)
				c.kill(websocket.StatusInternalError, "subscription failed: subscribe again")
			}
			return errSubEnded
		}
		for _, e := range events {
			if e.Seq <= sub.last {
				continue
			}
			if err := c.sendEvent(sub, e); err != nil {
				return err
			}
		}
		if len(events) < storePage {
			return nil
		}
	}
}

// sendEvent writes e as the client may see it, after the replies queued so
// far, if sub is still current.
func (c *wsConn) sendEvent(sub *wsSub, e sb.Event) error {
	v, visible, err := c.view.event(c.ctx, e)
	if err != nil {
		if c.ctx.Err() == nil {
			c.s.log.Error("websocket subscription failed", "session", sub.sessionID, "err", err)
			c.kill(websocket.StatusInternalError, "subscription failed: subscribe again")
		}
		return errSubEnded
	}
	if visible { // else passed over: a resubscription resumes after it
		b, err := json.Marshal(WSMessage{Op: "event", Event: &v})
		if err != nil {
			c.s.log.Error("encode websocket event", "session", sub.sessionID, "err", err)
			c.kill(websocket.StatusInternalError, "subscription failed: subscribe again")
			return errSubEnded
		}
		for n := len(c.out); n > 0; n-- { // only the writer takes from c.out
			if err := c.writeLive(<-c.out); err != nil {
				return err
			}
		}
		if !c.current(sub) {
			return errSubEnded
		}
		if err := c.writeLive(b); err != nil {
			return err
		}
	}
	sub.last = e.Seq
	return nil
}

// writeLive writes a frame unless the connection was killed, whose close
// frame goes first.
func (c *wsConn) writeLive(b []byte) error {
	select {
	case <-c.done:
		return errSubEnded
	default:
	}
	return c.write(b)
}

// current reports whether sub is still subscribed.
func (c *wsConn) current(sub *wsSub) bool {
	c.feedMu.Lock()
	defer c.feedMu.Unlock()
	return !sub.dropped
}

func (c *wsConn) catchUpHook(sub *wsSub, read bool) {
	if c.s.wsCatchUp != nil {
		c.s.wsCatchUp(sub.sessionID, sub.last, read)
	}
}
