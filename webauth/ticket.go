package webauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Tickets stand in for a credential where a browser cannot send one in a
// header (EventSource, the WebSocket handshake) and it would otherwise go
// in the URL, and so into proxy and server logs: a ticket is good for one
// use, on one path, for TicketTTL.
const (
	TicketTTL    = 30 * time.Second
	TicketPrefix = "sbk_"
	// maxTickets bounds the tickets held at once; past it, Issue
	// refuses until some have been used or expired.
	maxTickets = 100000
)

// ErrTicket is the answer to a ticket that is unknown, used, expired or
// presented on another path than its own.
var ErrTicket = errors.New("the ticket is not valid")

// ErrTooManyTickets is the answer of Issue while maxTickets are held.
var ErrTooManyTickets = errors.New("too many tickets are outstanding")

// Tickets issues and redeems single-use tickets for holders of type H (who
// the ticket authenticates). Only the tickets' SHA-256 is kept, in memory.
// It is safe for concurrent use.
type Tickets[H any] struct {
	clock sb.Clock

	mu sync.Mutex
	m  map[[sha256.Size]byte]ticket[H]
}

type ticket[H any] struct {
	holder  H
	path    string
	expires time.Time
}

// NewTickets returns an empty ticket store reading time from clock.
func NewTickets[H any](clock sb.Clock) *Tickets[H] {
	return &Tickets[H]{clock: clock, m: map[[sha256.Size]byte]ticket[H]{}}
}

// Issue returns a new ticket for holder, good once on path until it
// expires.
func (t *Tickets[H]) Issue(holder H, path string) (secret string, expires time.Time, err error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	secret = TicketPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	now := t.clock.Now()
	expires = now.Add(TicketTTL)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) >= maxTickets {
		for k, tk := range t.m {
			if !now.Before(tk.expires) {
				delete(t.m, k)
			}
		}
		if len(t.m) >= maxTickets {
			return "", time.Time{}, ErrTooManyTickets
		}
	}
	t.m[sha256.Sum256([]byte(secret))] = ticket[H]{holder: holder, path: path, expires: expires}
	return secret, expires, nil
}

// Redeem uses up the ticket secret and returns its holder, if the ticket
// was issued for path and has not expired. Presenting a ticket anywhere
// uses it up, so that one seen in a log is worth nothing.
func (t *Tickets[H]) Redeem(secret, path string) (H, error) {
	var zero H
	key := sha256.Sum256([]byte(secret))
	now := t.clock.Now()
	t.mu.Lock()
	tk, ok := t.m[key]
	delete(t.m, key)
	t.mu.Unlock()
	if !ok || !now.Before(tk.expires) || tk.path != path {
		return zero, ErrTicket
	}
	return tk.holder, nil
}

// held returns how many tickets are held (for tests).
func (t *Tickets[H]) held() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
