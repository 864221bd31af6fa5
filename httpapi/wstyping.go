package httpapi

import (
	"encoding/json"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Typing notices a connection may send: typingRate a second on average,
// typingBurst at once. Clients refresh a notice every few seconds, so this
// is generous for people and stops a runaway client.
const (
	typingRate  = 2
	typingBurst = 5
)

// typingHub relays typing notices between the connections that follow a
// session, in process. Notices are ephemeral: never stored, and dropped
// for a connection whose queue is full.
type typingHub struct {
	mu      sync.RWMutex
	members map[int64]map[*wsConn]struct{}
}

func newTypingHub() *typingHub { return &typingHub{members: map[int64]map[*wsConn]struct{}{}} }

func (h *typingHub) join(sessionID int64, c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.members[sessionID]
	if m == nil {
		m = map[*wsConn]struct{}{}
		h.members[sessionID] = m
	}
	m[c] = struct{}{}
}

func (h *typingHub) leave(sessionID int64, c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.members[sessionID]
	delete(m, c)
	if len(m) == 0 {
		delete(h.members, sessionID)
	}
}

// relay hands frame to every follower of sessionID but from.
func (h *typingHub) relay(sessionID int64, from *wsConn, frame []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.members[sessionID] {
		if c == from {
			continue
		}
		c.offer(frame)
	}
}

// relayTyping sends a typing notice to the other followers of a session
// the connection follows itself.
func (c *wsConn) relayTyping(f WSRequest) {
	id := f.sessionID()
	c.mu.Lock()
	_, ok := c.subs[id]
	c.mu.Unlock()
	if !ok {
		c.fail(f.Ref, id, sb.Errorf(sb.EINVALID, "subscribe to session %d before sending typing notices", id))
		return
	}
	if !c.typing.allow() {
		c.fail(f.Ref, id, sb.Errorf(codeRateLimited, "too many typing notices: at most %d a second", typingRate))
		return
	}
	m := WSMessage{Op: opTyping, SessionID: id, From: sb.FromEndUser, Typing: f.Typing}
	switch c.p.Role {
	case sb.RoleAgent:
		m.From, m.AgentID = sb.FromAgent, c.p.AgentID
	case sb.RoleSupervisor, sb.RoleAdmin:
		m.From = sb.FromAgent
	}
	b, err := json.Marshal(m)
	if err != nil {
		c.s.log.Error("encode typing notice", "err", err)
		return
	}
	c.s.typingHub.relay(id, c, b)
}

// codeRateLimited is the error code of a request refused for coming too often.
const codeRateLimited = "rate_limited"

// rateLimiter is a token bucket on the injected clock.
type rateLimiter struct {
	clock  sb.Clock
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newRateLimiter(clock sb.Clock, rate, burst float64) *rateLimiter {
	return &rateLimiter{clock: clock, rate: rate, burst: burst, tokens: burst, last: clock.Now()}
}

// allow takes a token if one is left.
func (l *rateLimiter) allow() bool {
	now := l.clock.Now()
	if d := now.Sub(l.last); d > 0 {
		l.tokens = min(l.burst, l.tokens+d.Seconds()*l.rate)
		l.last = now
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
