package postgres

import "sync"

// agentPair is a row of session_agents: an agent who handled a session.
type agentPair struct{ agent, session int64 }

// maxIndexed bounds the pairs an agentIndex remembers; past it, it forgets
// them all and the next commits write their pairs again (ON CONFLICT DO
// NOTHING).
const maxIndexed = 1 << 16

// agentIndex remembers session_agents rows committed by this process, so
// that a commit does not write the row of a session's current agent again
// with every message. Rows are never deleted, so a remembered pair stays
// true whichever node wrote it; pairs are added only after their
// transaction committed.
type agentIndex struct {
	mu    sync.Mutex
	pairs map[agentPair]struct{}
}

func (x *agentIndex) has(p agentPair) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.pairs[p]
	return ok
}

func (x *agentIndex) add(ps []agentPair) {
	if len(ps) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.pairs == nil || len(x.pairs)+len(ps) > maxIndexed {
		x.pairs = make(map[agentPair]struct{}, len(ps))
	}
	for _, p := range ps {
		x.pairs[p] = struct{}{}
	}
}
