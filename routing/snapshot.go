package routing

import (
	"slices"
	"time"
)

// A Snapshot is an immutable view of the router's queues: each waiting
// session's place, each queue's length, and what the estimated wait needs.
// It is safe for concurrent use, so queue positions can be read on any
// goroutine, in O(1), while the router's owner goes on changing the
// router. It answers Position and EstimatedWait exactly as the router did
// when it was captured; the estimate still reads the time it is given.
type Snapshot struct {
	version  uint64
	places   map[int64]place
	groups   map[int64]*groupView
	onlyWork bool
	inWork   func(groupID int64, t time.Time) bool
}

type place struct {
	pos   int32
	group *groupView
}

// groupView is what a snapshot keeps of a group.
type groupView struct {
	id      int64
	waiting int
	// works says whether a member may take sessions (any member works).
	works bool
	// served holds the first and the last of the group's recent
	// assignments and how many there are.
	first, last time.Time
	served      int
}

// Capture is a copy of the router's queues taken on the owner's goroutine,
// not yet sorted: Snapshot turns it into a Snapshot on any goroutine.
type Capture struct {
	snap   *Snapshot
	queues []capturedQueue
}

type capturedQueue struct {
	group *groupView
	keys  []waitKey
}

// waitKey is the part of an entry that orders a queue.
type waitKey struct {
	session int64
	level   int
	since   time.Time
	order   uint64
}

func (a waitKey) cmp(b waitKey) int {
	switch {
	case a.level != b.level:
		return cmpInt(int64(b.level), int64(a.level)) // higher level first
	case !a.since.Equal(b.since):
		return a.since.Compare(b.since)
	}
	return cmpInt(int64(a.order), int64(b.order))
}

// Capture copies what queue positions and estimates need: O(groups +
// members + waiting sessions), and no sorting, so that the owner's
// goroutine spends as little as it can on it.
func (r *Router) Capture() *Capture {
	s := &Snapshot{version: r.Version(), groups: make(map[int64]*groupView, len(r.groups)),
		onlyWork: r.settings.OnlyWorkHours, inWork: r.InWorkHours}
	c := &Capture{snap: s, queues: make([]capturedQueue, 0, len(r.groups))}
	for id, g := range r.groups {
		v := &groupView{id: id, waiting: len(g.queue), works: slices.ContainsFunc(g.members, r.works), served: len(g.served)}
		if len(g.served) > 0 {
			v.first, v.last = g.served[0], g.served[len(g.served)-1]
		}
		s.groups[id] = v
		keys := make([]waitKey, len(g.queue))
		for i, e := range g.queue {
			keys[i] = waitKey{session: e.SessionID, level: e.Level, since: e.Since, order: e.order}
		}
		c.queues = append(c.queues, capturedQueue{group: v, keys: keys})
	}
	return c
}

// Snapshot sorts the captured queues and indexes every waiting session:
// O(n log n) for a queue of n. It may run on any goroutine, once.
func (c *Capture) Snapshot() *Snapshot {
	s := c.snap
	n := 0
	for _, q := range c.queues {
		n += len(q.keys)
	}
	s.places = make(map[int64]place, n)
	for _, q := range c.queues {
		// A session's position is one more than the number of sessions
		// ahead of it in queue order (Router.Position): its index in the
		// sorted queue, plus one.
		slices.SortFunc(q.keys, waitKey.cmp)
		for i, k := range q.keys {
			s.places[k.session] = place{pos: int32(i + 1), group: q.group}
		}
	}
	c.queues = nil
	return s
}

// Snapshot captures the router and sorts the capture at once, on the
// owner's goroutine.
func (r *Router) Snapshot() *Snapshot { return r.Capture().Snapshot() }

// Sessions returns the sessions waiting in the snapshot, in no order.
func (s *Snapshot) Sessions() []int64 {
	ids := make([]int64, 0, len(s.places))
	for id := range s.places {
		ids = append(ids, id)
	}
	return ids
}

// Version is the router's Version when the snapshot was captured.
func (s *Snapshot) Version() uint64 { return s.version }

// Position returns a waiting session's place in its queue (1 = next), the
// queue's length and its group, as Router.Position did at the capture.
func (s *Snapshot) Position(sessionID int64) (pos, length int, groupID int64, ok bool) {
	p, ok := s.places[sessionID]
	if !ok {
		return 0, 0, 0, false
	}
	return int(p.pos), p.group.waiting, p.group.id, true
}

// Waiting returns how many sessions waited in a group at the capture.
func (s *Snapshot) Waiting(groupID int64) int {
	if g, ok := s.groups[groupID]; ok {
		return g.waiting
	}
	return 0
}

// EstimatedWait answers as Router.EstimatedWait did at the capture, for
// the time now: the work hours and the age of the pace are read at now.
func (s *Snapshot) EstimatedWait(groupID int64, pos int, now time.Time) (wait time.Duration, why string) {
	g, ok := s.groups[groupID]
	if !ok {
		return 0, NoEstimateNoAgent
	}
	open := !s.onlyWork || s.inWork == nil || s.inWork(groupID, now)
	return estimate(g.works, open, g.first, g.last, g.served, pos, now)
}

// estimate is the estimated wait of a session at position pos of a queue
// whose members may (works) take sessions, open or closed to assignment,
// whose served recent assignments ran from first to last.
func estimate(works, open bool, first, last time.Time, served, pos int, now time.Time) (time.Duration, string) {
	if !works {
		return 0, NoEstimateNoAgent
	}
	if !open {
		return 0, NoEstimateClosed
	}
	if served < 2 || now.Sub(last) > time.Hour {
		return 0, NoEstimatePace
	}
	span := last.Sub(first)
	if span <= 0 {
		return 0, NoEstimatePace
	}
	per := span / time.Duration(served-1)
	return per * time.Duration(pos), ""
}

// Version counts the changes to the router's queues, agents and settings
// in Changes (0 without it). Reading it is safe on any goroutine: a reader
// compares it with a Snapshot's to tell whether the snapshot is current.
func (r *Router) Version() uint64 {
	if r.Changes == nil {
		return 0
	}
	return r.Changes.Load()
}

func (r *Router) changed() {
	if r.Changes != nil {
		r.Changes.Add(1)
	}
}
