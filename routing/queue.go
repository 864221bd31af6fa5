package routing

import (
	"container/heap"
	"time"
)

// entry is a session waiting in a group's queue.
type entry struct {
	Waiting
	group *group
	order uint64 // arrival order, the last tie-breaker
	index int    // position in the heap, for O(log n) removal
}

// Waiting describes a session that waits for an agent.
type Waiting struct {
	SessionID int64
	GroupID   int64
	// Level is the customer's priority level, 0 to 9 (dispatch rules):
	// higher levels are served first.
	Level int
	// Since is when the session started waiting in this queue.
	Since time.Time
	// LastAgentID and MostServedAgentID name the agents who served this
	// customer before, for the familiar-customer rule (0: none).
	LastAgentID, MostServedAgentID int64
	// PreferredAgentID is the agent a routing rule names: chosen before
	// anyone else whenever it can take the session (0: none).
	PreferredAgentID int64
}

// less orders a queue: higher level first, then longest wait, then arrival.
func (a *entry) less(b *entry) bool {
	if a.Level != b.Level {
		return a.Level > b.Level
	}
	if !a.Since.Equal(b.Since) {
		return a.Since.Before(b.Since)
	}
	return a.order < b.order
}

// waitQueue is a binary heap of entries.
type waitQueue []*entry

func (q waitQueue) Len() int           { return len(q) }
func (q waitQueue) Less(i, j int) bool { return q[i].less(q[j]) }
func (q waitQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *waitQueue) Push(x any) {
	e := x.(*entry)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *waitQueue) Pop() any {
	old := *q
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*q = old[:n-1]
	return e
}

func (q *waitQueue) add(e *entry)    { heap.Push(q, e) }
func (q *waitQueue) remove(e *entry) { heap.Remove(q, e.index) }
func (q waitQueue) head() *entry {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}
