// Package agentindex remembers the session_agents rows a store has
// committed, so that a commit does not write the row of a session's
// current agent again with every message. Both stores keep one.
package agentindex

import "sync"

// Pair is a row of session_agents: an agent who handled a session.
type Pair struct{ Agent, Session int64 }

// max bounds the pairs an Index remembers; past it, it forgets them all
// and the next commits write their pairs again (the stores' inserts ignore
// a row that exists).
const max = 1 << 16

// Index is the set of pairs committed by this process. Rows are never
// deleted, so a remembered pair stays true whichever process wrote it;
// add pairs only after their transaction committed. The zero Index is
// empty and ready; it is safe for concurrent use.
type Index struct {
	mu    sync.Mutex
	pairs map[Pair]struct{}
}

// Has reports whether p is remembered.
func (x *Index) Has(p Pair) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.pairs[p]
	return ok
}

// Add remembers committed pairs.
func (x *Index) Add(ps []Pair) {
	if len(ps) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.pairs == nil || len(x.pairs)+len(ps) > max {
		x.pairs = make(map[Pair]struct{}, len(ps))
	}
	for _, p := range ps {
		x.pairs[p] = struct{}{}
	}
}
