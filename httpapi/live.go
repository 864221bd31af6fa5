package httpapi

import (
	"context"
	"fmt"
	"sync"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/recent"
)

// liveConns are the connections that outlive the request that
// authenticated them (WebSocket connections, event streams) and were
// authenticated by an API token or a browser login: when tokens are
// revoked, or logins end (a logout, a new password, a disabled or deleted
// user), those whose credentials no longer hold are ended, so that they
// stop working for what they had open as well as for new requests.
type liveConns struct {
	mu    sync.Mutex
	conns map[*liveConn]struct{}
	// revoked are the tokens, and ended the logins (by hash), lately
	// known to no longer hold: a connection authenticated just before and
	// registered just after is ended as it registers. Only that moment
	// matters, so the memory is bounded (recent.Cache keeps the latest).
	revoked recent.Cache[int64, struct{}]
	ended   recent.Cache[string, struct{}]
}

// liveConn is a live connection: its token or its login (the user and the
// login's hash), and how to end it.
type liveConn struct {
	tokenID int64
	userID  int64
	login   string // the login's hash; "" for a token
	end     func()
}

// hold registers a connection made by p, ended by end should p's token be
// revoked or its login end; release unregisters it. A visitor has nothing
// to register.
func (l *liveConns) hold(p Principal, end func()) (release func()) {
	c := &liveConn{tokenID: p.TokenID, end: end}
	if p.login != nil {
		c.userID, c.login = p.UserID, string(p.login.Hash)
	}
	if c.tokenID == 0 && c.login == "" {
		return func() {}
	}
	l.mu.Lock()
	_, revoked := l.revoked.Get(c.tokenID)
	_, ended := l.ended.Get(c.login)
	if (c.tokenID != 0 && revoked) || (c.login != "" && ended) {
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
		if c.tokenID != 0 {
			ids[c.tokenID] = true
		}
	}
	return ids
}

// logins returns the logins (by hash) the live connections of user
// userID were made with (0: of every user).
func (l *liveConns) logins(userID int64) map[string]bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for c := range l.conns {
		if c.login != "" && (userID == 0 || c.userID == userID) {
			out[c.login] = true
		}
	}
	return out
}

// endLogins ends the connections made with one of the logins in gone (by
// hash), and those that register later with one.
func (l *liveConns) endLogins(gone map[string]bool) int {
	return l.endWhere(func() {
		for h := range gone {
			l.ended.Put(h, struct{}{})
		}
	}, func(c *liveConn) bool { return c.login != "" && gone[c.login] })
}

// endTokens ends the connections made with one of the tokens in gone,
// and those that register later with one.
func (l *liveConns) endTokens(gone map[int64]bool) int {
	return l.endWhere(func() {
		for id := range gone {
			l.revoked.Put(id, struct{}{})
		}
	}, func(c *liveConn) bool { return c.tokenID != 0 && gone[c.tokenID] })
}

// endWhere runs remember and forgets the connections that match, under the
// lock, then ends them outside it; it returns how many it ended.
func (l *liveConns) endWhere(remember func(), match func(*liveConn) bool) int {
	l.mu.Lock()
	remember()
	var ended []*liveConn
	for c := range l.conns {
		if match(c) {
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

// EndLogins ends the live connections made with a login of user userID (0:
// of every user) that no longer authenticates: revoked or expired, its
// user disabled or gone. The server calls it when it ends logins itself
// (a logout, a new password, a user disabled or deleted); a cluster node
// calls it when another node ended a user's logins.
func (s *Server) EndLogins(ctx context.Context, userID int64) error {
	held := s.live.logins(userID)
	if len(held) == 0 {
		return nil
	}
	users, err := s.userStore()
	if err != nil {
		return err
	}
	gone := map[string]bool{}
	for hash := range held {
		l, err := s.activeLogin(ctx, users, []byte(hash))
		if err == nil {
			_, err = loginUser(ctx, users, l)
		}
		switch {
		case sb.ErrorCode(err) == sb.EUNAUTHORIZED:
			gone[hash] = true
		case err != nil:
			return fmt.Errorf("read the logins of live connections: %w", err)
		}
	}
	if n := s.live.endLogins(gone); n > 0 {
		s.log.Info("ended the live connections of ended logins", "connections", n)
	}
	return nil
}

// endLoginsNow is EndLogins after the server ended a user's logins, the
// error logged: the change it follows has been made.
func (s *Server) endLoginsNow(ctx context.Context, userID int64) {
	if err := s.EndLogins(ctx, userID); err != nil {
		s.log.Warn("end the live connections of ended logins", "user", userID, "err", err)
	}
}
