package httpapi

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
)

// A connection's frames form one sequence. Replies (queue, offer) and the
// live events of its subscriptions (deliver) are appended to one list under
// feedMu in the order they happen, and the writer sends that list in order:
// an event committed before a command's answer was queued is written before
// the answer, and a subscription's events follow its "subscribed". The
// engine publishes a batch's events before it answers the batch's callers,
// so every event a command's answer may depend on is on the list first.
//
// No subscription costs a goroutine: the broker hands live events to
// deliver, which only appends and wakes the writer.
//
//   - A new subscription enters a catch-up mark after its reply: there the
//     writer reads the store after the client's position, then carries on
//     with the list, skipping by position what it sent already. The broker
//     watch is in place before the store is read, so an event committed
//     meanwhile comes from one source or both, and is sent once.
//   - A subscription bounds its live events waiting on the list (wsPending,
//     wsAllBuffer for every session's); past the bound it enters a catch-up
//     mark and drops live events until the writer reaches it: the store has
//     them. A gap in a session's seqs is caught up the same way.
//   - The writer checks before each frame that the subscription is still
//     current, so no event of an old subscription follows the reply to an
//     unsubscribe or a new subscribe.
//
// The writer never takes c.mu, which the reader holds while it waits for
// room for a reply.

// storePage is how many stored events a catch-up reads at a time.
const storePage = 500

// errSubEnded stops feeding a subscription that was dropped, or a
// connection that was killed.
var errSubEnded = errors.New("the subscription ended")

// wsItem is one entry of a connection's send sequence: a reply frame, a
// live event of a subscription, or a subscription's catch-up mark.
type wsItem struct {
	frame   []byte // a reply; nil for a subscription's item
	sub     *wsSub
	catchUp bool // read sub's events from the store here
	event   sb.Event
}

// queue hands a reply to the writer, waiting while WSSendQueue replies
// wait already, and kills a client too slow to make room within
// Config.SlowClient.
func (c *wsConn) queue(b []byte) bool {
	var timeout <-chan time.Time
	for {
		select {
		case <-c.done:
			return false
		default:
		}
		c.feedMu.Lock()
		if c.replies < WSSendQueue {
			c.replies++
			c.items = append(c.items, wsItem{frame: b})
			c.feedMu.Unlock()
			c.signal()
			return true
		}
		if c.space == nil {
			c.space = make(chan struct{})
		}
		space := c.space
		c.feedMu.Unlock()
		if timeout == nil {
			t := time.NewTimer(c.s.SlowClient)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-space:
		case <-c.done:
			return false
		case <-timeout:
			c.kill(websocket.StatusTryAgainLater, "too slow: subscribe again from your last position")
			return false
		}
	}
}

// offer queues a frame if there is room for it, without waiting: a typing
// notice or a wallboard frame that cannot go now is not worth waiting for.
func (c *wsConn) offer(b []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.feedMu.Lock()
	if c.replies >= WSSendQueue {
		c.feedMu.Unlock()
		return false
	}
	c.replies++
	c.items = append(c.items, wsItem{frame: b})
	c.feedMu.Unlock()
	c.signal()
	return true
}

// watchLocked starts a subscription: from now on the broker hands it its
// events, and the writer catches it up from the store where the mark is,
// after everything queued so far.
func (c *wsConn) watchLocked(sub *wsSub) {
	c.feedMu.Lock()
	sub.behind = true // until the mark: what the watch hands over now, the read has
	c.feedMu.Unlock()
	sub.watch = c.s.Feed.Watch(sub.sessionID,
		func(e sb.Event) { c.deliver(sub, e) },
		func() { c.kill(websocket.StatusGoingAway, "the server is shutting down") })
	// The mark goes on only now, so the store is read after the watch
	// began: no event falls between the two.
	c.feedMu.Lock()
	c.items = append(c.items, wsItem{sub: sub, catchUp: true})
	c.feedMu.Unlock()
	c.signal()
}

// deliver puts a live event on the list. It runs under the broker's lock,
// so it only appends and signals.
func (c *wsConn) deliver(sub *wsSub, e sb.Event) {
	c.feedMu.Lock()
	switch {
	case sub.dropped, sub.behind: // a catch-up mark on the list will read it
	case sub.waiting >= sub.bound():
		sub.behind = true
		c.items = append(c.items, wsItem{sub: sub, catchUp: true})
	default:
		sub.waiting++
		c.items = append(c.items, wsItem{sub: sub, event: e})
	}
	c.feedMu.Unlock()
	c.signal()
}

// signal wakes the writer, unless a wake is already waiting.
func (c *wsConn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// flush sends the list until it is empty. It returns an error only when a
// write failed, which broke the connection.
func (c *wsConn) flush() error {
	for {
		c.feedMu.Lock()
		batch := c.items
		c.items = c.spare[:0]
		for _, it := range batch {
			if it.frame == nil && !it.catchUp {
				it.sub.waiting--
			}
		}
		c.replies = 0
		if c.space != nil {
			close(c.space) // wake whoever waits for room
			c.space = nil
		}
		c.feedMu.Unlock()
		err := c.send(batch)
		clear(batch)
		c.spare = nil
		if cap(batch) <= 2*WSSendQueue {
			c.spare = batch[:0] // keep a small list for the next batch
		}
		if err != nil || len(batch) == 0 {
			return err
		}
	}
}

// send writes a batch of the list, in order. A batch of several frames
// goes out corked, in one write, except that what waits is sent before a
// read of the store.
func (c *wsConn) send(batch []wsItem) error {
	if len(batch) > 1 {
		if err := c.cork(); err != nil {
			return err
		}
	}
	err := c.sendItems(batch)
	if e := c.uncork(); err == nil {
		err = e
	}
	return err
}

func (c *wsConn) sendItems(batch []wsItem) error {
	for _, it := range batch {
		select {
		case <-c.done:
			return nil // the writer's loop closes the connection
		default:
		}
		var err error
		switch {
		case it.frame != nil:
			err = c.write(it.frame)
		case it.catchUp:
			err = c.catchUp(it.sub)
		default:
			err = c.sendLive(it.sub, it.event)
		}
		if err != nil && !errors.Is(err, errSubEnded) {
			return err
		}
	}
	return nil
}

// sendLive sends a live event unless it was sent already; a gap in a
// session's seqs is filled from the store rather than skipped.
func (c *wsConn) sendLive(sub *wsSub, e sb.Event) error {
	p := sub.pos(e)
	switch {
	case p <= sub.last:
		return nil
	case sub.sessionID != 0 && p > sub.last+1:
		return c.catchUp(sub)
	}
	return c.sendEvent(sub, e)
}

// catchUp sends the stored events after sub.last, page by page. Live
// events delivered from now on go on the list again.
func (c *wsConn) catchUp(sub *wsSub) error {
	c.feedMu.Lock()
	sub.behind = false
	dropped := sub.dropped
	c.feedMu.Unlock()
	if dropped {
		return errSubEnded
	}
	for {
		if err := c.uncork(); err != nil { // what waits goes before the store is read
			return err
		}
		if !c.current(sub) {
			return errSubEnded
		}
		c.catchUpHook(sub, false)
		var events []sb.Event
		var err error
		offStack(func() {
			if sub.sessionID != 0 {
				events, err = c.s.Events.SessionEvents(c.ctx, sub.sessionID, sub.last, storePage)
			} else {
				events, err = c.s.Events.Events(c.ctx, sub.last, storePage)
			}
		})
		c.catchUpHook(sub, true)
		if err != nil {
			if c.ctx.Err() == nil {
				c.s.log.Error("websocket subscription failed", "session", sub.sessionID, "err", err)
				c.kill(websocket.StatusInternalError, "subscription failed: subscribe again")
			}
			return errSubEnded
		}
		if len(events) > 1 {
			if err := c.cork(); err != nil { // the page goes out in one write
				return err
			}
		}
		for _, e := range events {
			if sub.pos(e) <= sub.last {
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

// sendEvent writes e as the client may see it, if sub is still current.
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
		if !c.current(sub) {
			return errSubEnded
		}
		if err := c.write(b); err != nil {
			return err
		}
	}
	sub.last = sub.pos(e)
	return nil
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
