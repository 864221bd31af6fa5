package dispatch

import (
	"context"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// HistoryWindow is how far back the familiar-customer rule looks when it
// first reads a customer's history from the store.
const HistoryWindow = 90 * 24 * time.Hour

// maxRecent bounds the agents remembered per customer for "last agent".
const maxRecent = 20

type served struct{ session, agent int64 }

// history is what routing remembers of a customer: the agents who handled
// their recent sessions, newest last, and how many sessions each handled.
type history struct {
	recent []served
	counts map[int64]int
}

// customer returns a customer's history, read from the store the first
// time routing needs it (a search of the store's index, whatever its
// size) and kept in step by remember from then on; nil for a session with
// no customer key. When the store cannot answer, the customer is routed
// without a history this time and read again next time.
func (d *Dispatcher) customer(key string) *history {
	if key == "" {
		return nil
	}
	if h := d.history[key]; h != nil {
		return h
	}
	h := &history{counts: map[int64]int{}}
	list, err := d.store.ServedCustomer(context.Background(), key, d.clock.Now().Add(-HistoryWindow))
	if err != nil {
		d.log.Warn("routing: read customer history", "err", fmt.Errorf("customer history: %w", err))
		return h
	}
	for _, s := range list {
		h.add(s.SessionID, s.AgentID)
	}
	d.history[key] = h
	return h
}

// remember records that an agent handled a customer's session (once per
// session and agent).
func (d *Dispatcher) remember(key string, session, agent int64) {
	if h := d.customer(key); h != nil {
		h.add(session, agent)
	}
}

func (h *history) add(session, agent int64) {
	for _, r := range h.recent {
		if r == (served{session, agent}) {
			return
		}
	}
	h.recent = append(h.recent, served{session, agent})
	if len(h.recent) > maxRecent {
		h.recent = h.recent[1:]
	}
	h.counts[agent]++
}

// familiar returns the agent who last served the customer in another
// session, and the agent who served them in the most sessions (ties: the
// lower ID), leaving out the session itself so that a transfer does not
// send a session back to the agent who just handed it on.
func (d *Dispatcher) familiar(s *sb.Session) (last, most int64) {
	h := d.customer(s.EndUser.CustomerKey())
	if h == nil {
		return 0, 0
	}
	own := map[int64]int{}
	for i := len(h.recent) - 1; i >= 0; i-- {
		r := h.recent[i]
		if r.session == s.ID {
			own[r.agent]++
		} else if last == 0 {
			last = r.agent
		}
	}
	best := 0
	for agent, n := range h.counts {
		n -= own[agent]
		if n > best || n == best && n > 0 && agent < most {
			most, best = agent, n
		}
	}
	return last, most
}
