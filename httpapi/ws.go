package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
)

// WebSocket limits.
const (
	// WSMaxFrame is the largest frame a client may send; a larger one
	// closes the connection with status 1009 (message too big).
	WSMaxFrame = 64 << 10
	// WSSendQueue is how many replies may wait for the writer. When that
	// many wait, whoever queues waits up to Config.SlowClient; a client
	// that does not take its frames by then is disconnected with status
	// 1013 (try again later) and resumes by subscribing again from its last
	// position. The events of followed sessions are bounded per
	// subscription instead (wsPending, wsAllBuffer; wsfeed.go), and a
	// client that does not take a frame within wsWriteTimeout is
	// disconnected.
	WSSendQueue = 32
	// WSMaxSubscriptions bounds the sessions one connection follows.
	WSMaxSubscriptions = 200
	// wsWriteTimeout bounds one frame's write and a keep-alive ping.
	wsWriteTimeout = 10 * time.Second
	// wsPending bounds the live events of a session subscription waiting
	// for the writer; past it they are dropped and read from the store
	// again.
	wsPending = 32
	// wsAllBuffer is wsPending for the subscription to every session.
	wsAllBuffer = 1024
)

// serveWS upgrades GET /api/v1/ws to a WebSocket speaking JSON text frames
// (see WSRequest and WSMessage). One goroutine reads and handles the
// client's frames in order — commands included, so that a client's
// messages keep their order — and one writes the replies and the events of
// the sessions it follows, as one sequence (wsfeed.go).
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) error {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return sb.Errorf(sb.EINVALID, "this route speaks WebSocket: send an Upgrade: websocket request")
	}
	hj := &smallBuffers{ResponseWriter: w}
	ws, err := websocket.Accept(hj, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil // Accept has answered the failed handshake
	}
	ws.SetReadLimit(WSMaxFrame)
	ctx, cancel := context.WithCancel(context.Background())
	p := principalFrom(r.Context())
	c := &wsConn{s: s, p: p, view: s.newEventReader(p), ws: ws, out: hj.out, ctx: ctx, cancel: cancel,
		done: make(chan struct{}), subs: map[int64]*wsSub{}, wake: make(chan struct{}, 1),
		typing: newRateLimiter(s.Clock, typingRate, typingBurst)}
	c.writeCtx, c.cancelWrite = context.WithCancel(ctx)
	c.release = s.live.hold(p, func() { c.end(websocket.StatusPolicyViolation, "the credentials were revoked") })
	// The request's goroutine returns now, freeing its stack and the
	// request: a long-lived connection keeps only what it needs.
	go c.run()
	return nil
}

// run serves the connection until it closes: it reads, and a goroutine of
// its own writes.
func (c *wsConn) run() {
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		c.writeLoop()
	}()
	c.readLoop()
	c.release()
	c.kill(websocket.StatusNormalClosure, "")
	c.cancel()
	c.unsubscribeAll()
	c.s.wallboard.leave(c)
	<-writer
}

// wsConn is one WebSocket connection.
type wsConn struct {
	s   *Server
	p   Principal
	ws  *websocket.Conn
	out *corkWriter // under ws's write buffer
	// corked is set while the writer sends a batch through out corked.
	corked bool
	ctx    context.Context // ends with the connection
	cancel context.CancelFunc
	// release forgets the connection in the server's live connections.
	release func()

	killOnce sync.Once
	done     chan struct{} // closed by kill
	// writeCtx ends with kill, so that a write blocked on a client that
	// does not read gives up at once.
	writeCtx    context.Context
	cancelWrite context.CancelFunc
	code        websocket.StatusCode
	reason      string

	// mu guards subs and all, and orders the replies about them. The
	// reader holds it while queueing, which may wait for the writer: the
	// writer never takes it.
	mu   sync.Mutex
	subs map[int64]*wsSub
	all  *wsSub

	// feedMu guards the send sequence (wsfeed.go) and the live state of
	// the subscriptions (see wsSub); a send on wake tells the writer of
	// new items.
	feedMu  sync.Mutex
	items   []wsItem      // the frames and events to send, in order
	replies int           // reply frames among items
	space   chan struct{} // closed when the writer takes items, if someone waits for room
	wake    chan struct{}
	spare   []wsItem // the writer's: the list it sent last, kept for reuse

	// view judges the events the connection sends (views.go).
	view *eventReader

	typing  *rateLimiter // touched by the reader only
	pinging atomic.Bool  // a keep-alive ping waits for its pong
}

// wsSub is one subscription of a connection, to a session's events
// (positioned by seq) or to every session's (sessionID 0, positioned by
// global id). It watches the broker and is fed by the connection's writer.
type wsSub struct {
	sessionID int64
	watch     sb.Subscription

	// Guarded by the connection's feedMu.
	waiting int  // its live events on the connection's list
	behind  bool // a catch-up mark is on the list: drop live events until it
	dropped bool // unsubscribed or replaced: send nothing more

	// last is the position of the last event sent or passed over; the
	// writer alone uses it once the subscription is started.
	last int64
}

// pos is an event's position in the subscription.
func (sub *wsSub) pos(e sb.Event) int64 {
	if sub.sessionID == 0 {
		return e.ID
	}
	return e.Seq
}

// bound is how many of its live events may wait on the list.
func (sub *wsSub) bound() int {
	if sub.sessionID == 0 {
		return wsAllBuffer
	}
	return wsPending
}

// kill ends the connection with code: the writer sends the close frame.
func (c *wsConn) kill(code websocket.StatusCode, reason string) {
	c.killOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
		c.cancelWrite()
		c.out.interrupt()
	})
}

// end ends the connection with code once the writer's write under way,
// if any, is done: the client gets the close frame after whole frames. A
// write blocked on a client that does not read ends at its own deadline.
func (c *wsConn) end(code websocket.StatusCode, reason string) {
	c.killOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

// reply queues a frame built from m.
func (c *wsConn) reply(m WSMessage) {
	b, err := json.Marshal(m)
	if err != nil {
		c.s.log.Error("encode websocket frame", "op", m.Op, "err", err)
		return
	}
	c.queue(b)
}

// fail answers a frame with an error; internal errors are logged.
func (c *wsConn) fail(ref string, sessionID int64, err error) {
	d := errorOf(err)
	if d.Code == sb.EINTERNAL {
		c.s.log.Error("websocket request failed", "ref", ref, "session", sessionID, "err", err)
	}
	c.reply(WSMessage{Op: "error", Ref: ref, SessionID: sessionID, Error: &d})
}

func (c *wsConn) writeLoop() {
	ping := time.NewTicker(c.s.KeepAlive)
	defer ping.Stop()
	for {
		select { // a kill goes before the frames still queued
		case <-c.done:
			c.ws.Close(c.code, c.reason)
			return
		default:
		}
		select {
		case <-c.done:
			c.ws.Close(c.code, c.reason)
			return
		case <-c.wake:
			if c.flush() != nil {
				return
			}
		case <-ping.C:
			if c.pinging.CompareAndSwap(false, true) {
				go c.ping()
			}
		}
	}
}

// write sends one frame. A failure breaks the connection.
func (c *wsConn) write(b []byte) error {
	var err error
	if c.corked {
		// The frame goes to memory; the socket write has its deadline.
		err = c.ws.Write(context.Background(), websocket.MessageText, b)
	} else {
		ctx, cancel := context.WithTimeout(c.writeCtx, wsWriteTimeout)
		err = c.ws.Write(ctx, websocket.MessageText, b)
		cancel()
	}
	return c.broken(err)
}

// cork makes the frames written until uncork go out in one write.
func (c *wsConn) cork() error {
	c.corked = true
	return c.broken(c.out.cork())
}

// uncork writes the frames written since cork.
func (c *wsConn) uncork() error {
	if !c.corked {
		return nil
	}
	c.corked = false
	return c.broken(c.out.uncork())
}

// broken closes the connection if err, a write's error, is not nil.
func (c *wsConn) broken(err error) error {
	if err != nil {
		c.kill(websocket.StatusGoingAway, "")
		c.ws.CloseNow()
	}
	return err
}

// ping checks that the client still answers. It waits for the pong on a
// goroutine of its own, so that frames keep flowing meanwhile.
func (c *wsConn) ping() {
	defer c.pinging.Store(false)
	ctx, cancel := context.WithTimeout(c.writeCtx, wsWriteTimeout)
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil && c.writeCtx.Err() == nil {
		c.kill(websocket.StatusGoingAway, "")
		c.ws.CloseNow()
	}
}

// readLoop reads the client's frames and handles each in turn. The
// handling (JSON, commands, store reads) runs on a short-lived goroutine,
// so that the reader, parked in Read for most of its life, keeps a small
// stack.
func (c *wsConn) readLoop() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		offStack(func() { c.serveFrame(typ, data) })
	}
}

func (c *wsConn) serveFrame(typ websocket.MessageType, data []byte) {
	defer func() {
		if v := recover(); v != nil {
			c.s.log.Error("panic serving a websocket frame", "panic", v)
			c.kill(websocket.StatusInternalError, "internal error")
		}
	}()
	if typ != websocket.MessageText {
		c.fail("", 0, sb.Errorf(sb.EINVALID, "frames must be text frames holding a JSON object"))
		return
	}
	f, err := decodeFrame(data)
	if err != nil {
		c.fail(f.Ref, 0, err)
		return
	}
	c.handle(f)
}

func (c *wsConn) handle(f WSRequest) {
	switch f.Op {
	case opPing:
		c.reply(WSMessage{Op: "pong", Ref: f.Ref})
	case opSubscribe:
		c.subscribe(f)
	case opUnsubscribe:
		id := f.sessionID()
		if !c.unsubscribe(id) {
			c.fail(f.Ref, id, sb.Errorf(sb.ENOTFOUND, "not subscribed to session %d", id))
			return
		}
		c.reply(WSMessage{Op: "unsubscribed", Ref: f.Ref, SessionID: id})
	case opSubscribeAll:
		c.subscribeAll(f)
	case opSubscribeWallboard:
		c.subscribeWallboard(f)
	case opUnsubscribeWallboard:
		c.unsubscribeWallboard(f)
	case opTyping:
		c.relayTyping(f)
	case opCommand:
		opt := service.RunOptions{IfMatch: f.IfMatch}
		if f.IdempotencyKey != nil {
			opt.IdempotencyKey = *f.IdempotencyKey
		}
		res, err := c.s.runCommand(c.ctx, c.p, f.sessionID(), *f.Command, f.Body, opt)
		if err != nil {
			c.fail(f.Ref, f.sessionID(), err)
			return
		}
		m := WSMessage{Op: "result", Ref: f.Ref, SessionID: res.Session.ID, Events: nonNil(c.s.eventsOf(c.p, res.Session, res.Events)), Replayed: res.Replayed}
		if *f.Command == commandMessage {
			// A chat message's answer is its events and the session's
			// new version: the session itself is most of the bytes and the
			// encoding, and the sender has it already.
			m.Seq = res.Session.Seq
		} else {
			m.Session = c.s.sessionAs(c.p, res.Session)
		}
		c.reply(m)
	}
}

func (c *wsConn) subscribe(f WSRequest) {
	id := f.sessionID()
	if _, err := c.s.readableSession(c.ctx, c.p, id); err != nil {
		c.fail(f.Ref, id, err)
		return
	}
	var after int64
	if f.AfterSeq != nil {
		after = *f.AfterSeq
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.subs[id]; old != nil {
		c.dropLocked(old)
	} else if len(c.subs) >= WSMaxSubscriptions {
		c.fail(f.Ref, id, sb.Errorf(sb.ECONFLICT, "a connection follows at most %d sessions", WSMaxSubscriptions))
		return
	}
	sub := &wsSub{sessionID: id, last: after}
	c.subs[id] = sub
	c.s.typingHub.join(id, c)
	c.reply(WSMessage{Op: "subscribed", Ref: f.Ref, SessionID: id})
	// Only now, with the reply queued, may the writer see the
	// subscription: its events follow the reply.
	c.watchLocked(sub)
}

func (c *wsConn) subscribeAll(f WSRequest) {
	if c.p.Role == sb.RoleVisitor {
		c.fail(f.Ref, 0, sb.Errorf(sb.EFORBIDDEN, "visitors may subscribe only to their own sessions"))
		return
	}
	var after int64
	if f.AfterID != nil {
		after = *f.AfterID
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.all != nil {
		c.dropLocked(c.all)
	}
	sub := &wsSub{last: after}
	c.all = sub
	c.reply(WSMessage{Op: "subscribed", Ref: f.Ref})
	c.watchLocked(sub) // its events follow the reply
}

func (c *wsConn) dropLocked(sub *wsSub) {
	c.feedMu.Lock()
	sub.dropped = true
	c.feedMu.Unlock()
	sub.watch.Close()
	if sub.sessionID == 0 {
		c.all = nil
		return
	}
	delete(c.subs, sub.sessionID)
	c.s.typingHub.leave(sub.sessionID, c)
}

func (c *wsConn) unsubscribe(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	sub := c.subs[id]
	if sub == nil {
		return false
	}
	c.dropLocked(sub)
	return true
}

func (c *wsConn) unsubscribeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sub := range c.subs {
		c.dropLocked(sub)
	}
	if c.all != nil {
		c.dropLocked(c.all)
	}
}
