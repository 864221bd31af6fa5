package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
)

// Wallboard pacing, on the server's clock.
const (
	// WallboardTick is how often routing is read for the subscribers, and
	// the most often one of them gets a frame.
	WallboardTick = time.Second
	// WallboardRefresh is the longest a subscriber goes without a frame,
	// so that the longest-wait clocks move on even when nothing changes.
	WallboardRefresh = 5 * time.Second
	// wallboardReadTimeout bounds one read of routing and the reports.
	wallboardReadTimeout = 10 * time.Second
)

// wallboardHub serves the WebSocket subscribers of the wallboard. While
// it has any, it reads routing once a tick — one read for all of them —
// and sends each a frame when the state changed since its last one or
// WallboardRefresh has passed, at most one a tick. Subscribers asking the
// same parameters share one frame, encoded once; the day's figures are
// asked of the report store at most every WallboardRefresh for each set of
// parameters.
type wallboardHub struct {
	s     *Server
	clock sb.Clock
	kick  chan struct{} // the tick timer's signal to the loop

	mu        sync.Mutex
	subs      map[*wsConn]*wallboardSub
	running   bool        // the loop runs and a tick is scheduled
	timer     clock.Timer // the scheduled tick
	last      *wallboardLive
	version   uint64 // counts the changes of routing state seen
	afterTick func() // called after each tick (tests)

	todayMu sync.Mutex
	today   map[wallboardParams]todayEntry
}

// todayEntry is the day's figures for one set of parameters, kept for
// WallboardRefresh: the report store is asked at most that often however
// often routing changes.
type todayEntry struct {
	from, at time.Time
	figures  map[int64]TodayFigures
}

// todayFigures answers the day's figures from the cache while they are
// younger than WallboardRefresh and of the same day, else from the store.
// Entries unused for a minute are dropped.
func (h *wallboardHub) todayFigures(ctx context.Context, from, now time.Time, groups []sb.Queue, p wallboardParams) (map[int64]TodayFigures, error) {
	h.todayMu.Lock()
	defer h.todayMu.Unlock()
	if e, ok := h.today[p]; ok && e.from.Equal(from) && now.Sub(e.at) < WallboardRefresh && !now.Before(e.at) {
		return e.figures, nil
	}
	figures, err := h.s.todayFigures(ctx, from, now, groups, p)
	if err != nil {
		return nil, err
	}
	if h.today == nil {
		h.today = map[wallboardParams]todayEntry{}
	}
	for k, e := range h.today {
		if now.Sub(e.at) > time.Minute {
			delete(h.today, k)
		}
	}
	h.today[p] = todayEntry{from: from, at: now, figures: figures}
	return figures, nil
}

// wallboardSub is one subscribed connection.
type wallboardSub struct {
	params  wallboardParams
	sent    time.Time // when its last frame was queued
	version uint64    // the state that frame showed; 0: unknown
}

func newWallboardHub(s *Server) *wallboardHub {
	return &wallboardHub{s: s, clock: s.Clock, kick: make(chan struct{}, 1), subs: map[*wsConn]*wallboardSub{}}
}

// signal wakes the loop; the clock calls it, so it must not block.
func (h *wallboardHub) signal() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// wallboardFrame encodes a wallboard frame.
func wallboardFrame(wb *Wallboard) ([]byte, error) {
	return json.Marshal(WSMessage{Op: "wallboard", Wallboard: wb})
}

// join subscribes c with p, or changes its parameters. It answers the
// request, then sends the wallboard at once; the ticks send the next ones.
func (h *wallboardHub) join(c *wsConn, ref string, p wallboardParams) error {
	ctx, cancel := context.WithTimeout(c.ctx, wallboardReadTimeout)
	defer cancel()
	live, err := h.s.readWallboard(ctx)
	if err != nil {
		return err
	}
	b, err := wallboardFrame(h.s.buildWallboard(ctx, live, p, h.todayFigures))
	if err != nil {
		return err
	}
	c.reply(WSMessage{Op: "subscribed", Ref: ref})
	// The first frame is queued under the hub's lock, so that no tick's
	// frame goes before it, and after the next tick is scheduled, so that
	// a client that got it knows the tick is on the clock. A client whose
	// queue is full gets it from the next tick instead.
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		h.running = true
		h.timer = clock.AfterFunc(h.clock, WallboardTick, h.signal)
		go h.run()
	}
	sub := &wallboardSub{params: p}
	if c.offer(b) {
		sub.sent = live.at
		if h.last != nil && h.last.same(live) {
			sub.version = h.version
		}
	}
	h.subs[c] = sub
	return nil
}

// leave unsubscribes c; it reports whether c was subscribed. No frame is
// queued for c once it returns. When the last subscriber leaves, the
// scheduled tick is cancelled and the loop woken to end.
func (h *wallboardHub) leave(c *wsConn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.subs[c]
	delete(h.subs, c)
	if ok && len(h.subs) == 0 && h.running && h.timer.Stop() {
		h.signal()
	}
	return ok
}

// run ticks until no subscriber is left.
func (h *wallboardHub) run() {
	for range h.kick {
		if !h.tick() {
			return
		}
	}
}

// tick reads routing and sends the frames due. It reports false, and
// schedules no next tick, when nobody is subscribed any more.
func (h *wallboardHub) tick() bool {
	h.mu.Lock()
	if len(h.subs) == 0 {
		h.running = false
		h.mu.Unlock()
		return false
	}
	// The next tick is scheduled before this one's frames go out, so that
	// a client that got a frame knows the next tick is on the clock.
	h.timer = clock.AfterFunc(h.clock, WallboardTick, h.signal)
	h.mu.Unlock()
	defer h.ticked()

	ctx, cancel := context.WithTimeout(context.Background(), wallboardReadTimeout)
	defer cancel()
	live, err := h.s.readWallboard(ctx)
	if err != nil {
		if sb.ErrorCode(err) != sb.EUNAVAILABLE {
			h.s.log.Warn("wallboard: read routing", "err", err)
		}
		return true
	}
	now := live.at
	h.mu.Lock()
	if h.last == nil || !h.last.same(live) {
		h.version++
		h.last = &live
	}
	version := h.version
	due := map[wallboardParams]bool{}
	for _, sub := range h.subs {
		since := now.Sub(sub.sent)
		if since >= WallboardTick && (sub.version != version || since >= WallboardRefresh) {
			due[sub.params] = true
		}
	}
	h.mu.Unlock()

	frames := make(map[wallboardParams][]byte, len(due))
	for p := range due {
		b, err := wallboardFrame(h.s.buildWallboard(ctx, live, p, h.todayFigures))
		if err != nil {
			h.s.log.Error("wallboard: encode", "err", err)
			continue
		}
		frames[p] = b
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c, sub := range h.subs {
		since := now.Sub(sub.sent)
		b := frames[sub.params]
		if b == nil || since < WallboardTick || (sub.version == version && since < WallboardRefresh) {
			continue // not due, or joined or changed parameters meanwhile
		}
		// A client whose queue is full misses this frame; as its version
		// stays behind, it gets the next tick's.
		if c.offer(b) {
			sub.sent, sub.version = now, version
		}
	}
	return true
}

func (h *wallboardHub) ticked() {
	h.mu.Lock()
	f := h.afterTick
	h.mu.Unlock()
	if f != nil {
		f()
	}
}

// subscribeWallboard serves the subscribe_wallboard op: supervisors and
// administrators only.
func (c *wsConn) subscribeWallboard(f WSRequest) {
	if c.p.Role != sb.RoleAdmin && c.p.Role != sb.RoleSupervisor {
		c.fail(f.Ref, 0, sb.Errorf(sb.EFORBIDDEN, "the wallboard is for supervisors and administrators"))
		return
	}
	within, short := int64(defaultWithin/time.Second), int64(defaultShortAbandon/time.Second)
	if f.Within != nil {
		within = *f.Within
	}
	if f.ShortAbandon != nil {
		short = *f.ShortAbandon
	}
	tz := ""
	if f.TZ != nil {
		if *f.TZ == "" {
			c.fail(f.Ref, 0, sb.Errorf(sb.EINVALID, "tz must be an IANA time zone name such as Europe/Paris"))
			return
		}
		tz = *f.TZ
	}
	p, err := newWallboardParams(tz, within, short)
	if err != nil {
		c.fail(f.Ref, 0, err)
		return
	}
	if err := c.s.wallboard.join(c, f.Ref, p); err != nil {
		c.fail(f.Ref, 0, err)
	}
}

// unsubscribeWallboard serves the unsubscribe_wallboard op.
func (c *wsConn) unsubscribeWallboard(f WSRequest) {
	if !c.s.wallboard.leave(c) {
		c.fail(f.Ref, 0, sb.Errorf(sb.ENOTFOUND, "not subscribed to the wallboard"))
		return
	}
	c.reply(WSMessage{Op: "unsubscribed", Ref: f.Ref})
}
