package httpapi

import (
	"context"
	"fmt"
	"sync"
)

// liveConns are the connections that outlive the request that
// authenticated them (WebSocket connections, event streams) and were
// authenticated by an API token: when tokens are revoked, those whose
// token no longer holds are ended, so that a revoked token stops working
// for what it had open as well as for new requests.
type liveConns struct {
	mu    sync.Mutex
	conns map[*liveConn]struct{}
	// revoked are the tokens known to be revoked: a connection
	// authenticated just before its token's revocation and registered
	// just after is ended as it registers.
	revoked map[int64]bool
}

// liveConn is a live connection: its token and how to end it.
type liveConn struct {
	tokenID int64
	end     func()
}

// hold registers a connection made by p, ended by end should p's token be
// revoked; release unregisters it. A caller without a token (a login, a
// visitor) has nothing to register.
func (l *liveConns) hold(p Principal, end func()) (release func()) {
	if p.TokenID == 0 {
		return func() {}
	}
	c := &liveConn{tokenID: p.TokenID, end: end}
	l.mu.Lock()
	if l.revoked[p.TokenID] {
		l.mu.Unlock()
		end()
		return func() {}
	}
	if l.conns == nil {
		l.conns = map[*liveConn]struct{}{}
	}
	l.conns[c] = struct{}{}
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		delete(l.conns, c)
		l.mu.Unlock()
	}
}

// tokenIDs returns the tokens the live connections were made with.
func (l *liveConns) tokenIDs() map[int64]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make(map[int64]bool, len(l.conns))
	for c := range l.conns {
		ids[c.tokenID] = true
	}
	return ids
}

// endTokens ends the connections made with one of the tokens in gone,
// and those that register later with one.
func (l *liveConns) endTokens(gone map[int64]bool) int {
	l.mu.Lock()
	if l.revoked == nil {
		l.revoked = map[int64]bool{}
	}
	for id := range gone {
		l.revoked[id] = true
	}
	var ended []*liveConn
	for c := range l.conns {
		if gone[c.tokenID] {
			ended = append(ended, c)
			delete(l.conns, c)
		}
	}
	l.mu.Unlock()
	for _, c := range ended {
		c.end()
	}
	return len(ended)
}

// EndRevoked reads the tokens of the live connections (WebSocket
// connections, event streams) from the store and ends the connections
// whose token is revoked or gone. A revocation through this server ends
// them at once; a cluster node calls EndRevoked when another node revoked
// a token.
func (s *Server) EndRevoked(ctx context.Context) error {
	tokens, err := s.Config.Config.Tokens(ctx)
	if err != nil {
		return fmt.Errorf("read the tokens of live connections: %w", err)
	}
	gone := s.live.tokenIDs() // held by a connection and not in the store
	for _, t := range tokens {
		delete(gone, t.ID)
		if t.RevokedAt != nil {
			gone[t.ID] = true
		}
	}
	if n := s.live.endTokens(gone); n > 0 {
		s.log.Info("ended the live connections of revoked tokens", "connections", n)
	}
	return nil
}
