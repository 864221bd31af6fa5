// Package report derives the facts each session contributes to the reports
// of SPEC §3 from its event log, keeps the store's facts up to date with
// the log, and turns the stored sums into report rows. docs/reports.md
// gives the exact definition of every column.
package report

import (
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Derive returns the facts one session contributes to the reports, from
// its whole log in order. It is a pure function of the events: deriving
// again after more events gives the facts that replace the old ones.
//
// The facts of a session still open do not depend on its chat messages:
// what messages measure (validity, response times, messages sent) is
// counted once the session ends, and a wait or hold still open is timed
// up to the newest event other than a message. So a chat message never
// changes the facts (see ChangesFacts), and the projector need not derive
// a busy chat again for each one.
func Derive(events []sb.Event) (sb.SessionFacts, error) {
	if len(events) == 0 {
		return sb.SessionFacts{}, sb.Errorf(sb.ENOTFOUND, "session has no events")
	}
	var l Log
	for _, e := range events {
		if err := l.Add(e); err != nil {
			return sb.SessionFacts{}, err
		}
	}
	return l.Facts(), nil
}

// ChangesFacts reports whether an event of type t can change a session's
// report facts: every type but chat messages and their recalls.
func ChangesFacts(t sb.EventType) bool {
	return t != lifecycle.EventMessageSent && t != lifecycle.EventMessageRecalled
}

// message is a human chat message that was not recalled.
type message struct {
	id      int64
	from    string // end_user or agent
	agentID int64
	at      time.Time
	serve   int // index in s.Handles of the agent's serve it belongs to, -1 if none
}

// invite is a rating invitation an agent sent by clicking "invite
// rating" (SPEC §3.2). Automatic invitations at the end (SPEC §4.4),
// supervisors' and integrations' ones are not kept: no agent made them.
type invite struct {
	agentID int64
	at      time.Time
	serve   int // index in s.Handles of the agent's serve it was sent in, -1 if none
}

// deriver works out one session's facts from its Log.
type deriver struct {
	*Log
	// group[i] is the group s.Handles[i] served from; fromQueue[i] says
	// whether the serve began by a pick-up from that group's queue.
	group     []int64
	fromQueue []bool
	// waitOf[i] is the index in s.QueueWaits of the wait s.Handles[i]
	// was picked up from, -1 if none.
	waitOf []int
}

// serves works out the group of every serve, and the serve each agent
// message and invitation belongs to. A serve picked up from a queue
// belongs to that queue's group. A serve begun by a transfer straight to
// an agent belongs to a group of the receiver's (receivingGroup); when
// the transfer did not record the receiver's groups (version 1), it stays
// in the group of the serve before it.
func (d *deriver) serves() {
	s := d.s
	n := len(s.Handles)
	d.group, d.fromQueue, d.waitOf = make([]int64, n), make([]bool, n), make([]int, n)
	used := make([]bool, len(s.QueueWaits))
	for i, h := range s.Handles {
		d.waitOf[i] = -1
		for j, w := range s.QueueWaits {
			if !used[j] && w.Outcome == sb.WaitAssigned && w.AgentID == h.Agent.ID && w.EndedAt != nil && w.EndedAt.Equal(h.AssignedAt) {
				used[j], d.waitOf[i] = true, j
				break
			}
		}
		switch {
		case d.waitOf[i] >= 0:
			d.group[i], d.fromQueue[i] = s.QueueWaits[d.waitOf[i]].Queue.ID, true
			continue
		case i > 0:
			d.group[i] = d.group[i-1]
		case s.Queue != nil && len(s.QueueWaits) == 0:
			d.group[i] = s.Queue.ID
		}
		if t := d.transfer(h.TransferIn); t != nil && t.Kind == sb.TransferToAgent {
			if groups, ok := d.toGroups[t.ID]; ok {
				d.group[i] = receivingGroup(d.group[i], groups)
			}
		}
	}
	if !d.ended() {
		// Only an ended session's facts count messages and invitations
		// by serve: an open one's cost no walk of its messages.
		return
	}
	for k := range d.msgs {
		if m := &d.msgs[k]; m.from == sb.FromAgent {
			m.serve = d.serveAt(m.agentID, m.at)
		}
	}
	for k := range d.invites {
		iv := &d.invites[k]
		iv.serve = d.serveAt(iv.agentID, iv.at)
	}
}

// serveAt is the index of agent's latest serve begun at or before at, -1
// if none: the serve in which the agent did something at that time (after
// the end, the agent's last serve).
func (d *deriver) serveAt(agent int64, at time.Time) int {
	for i := len(d.s.Handles) - 1; i >= 0; i-- {
		if h := d.s.Handles[i]; h.Agent.ID == agent && !h.AssignedAt.After(at) {
			return i
		}
	}
	return -1
}

// receivingGroup is the group of a serve begun by a transfer straight to
// an agent who belonged to groups (ascending) when the transfer began:
// from, the group of the sender's serve, when the receiver belongs to it
// (the session stays in the group); otherwise the receiver's lowest group;
// 0 (no group) when the receiver belonged to none.
func receivingGroup(from int64, groups []int64) int64 {
	switch {
	case from != 0 && slices.Contains(groups, from):
		return from
	case len(groups) > 0:
		return slices.Min(groups)
	}
	return 0
}

// enters reports whether serve i brings the session into its group: the
// first serve, a pick-up from a queue, or a serve whose group differs from
// the one before.
func (d *deriver) enters(i int) bool {
	return i == 0 || d.fromQueue[i] || d.group[i] != d.group[i-1]
}

// directIn reports whether serve i was begun by a transfer straight to its
// agent from a serve of another group.
func (d *deriver) directIn(i int) bool {
	t := d.transfer(d.s.Handles[i].TransferIn)
	return i > 0 && t != nil && t.Kind == sb.TransferToAgent && d.group[i] != d.group[i-1]
}

// directOut reports whether serve i ended by a transfer straight to an
// agent whose serve belongs to another group.
func (d *deriver) directOut(i int) bool {
	return i+1 < len(d.s.Handles) && d.s.Handles[i].TransferOut != 0 &&
		d.s.Handles[i+1].TransferIn == d.s.Handles[i].TransferOut && d.directIn(i+1)
}

// ended reports whether the session has ended.
func (d *deriver) ended() bool { return d.s.EndedAt != nil }

// closer is the index of the serve that was open when the session ended,
// -1 if none: its agent closed the session last.
func (d *deriver) closer() int {
	s := d.s
	if s.EndedAt == nil || len(s.Handles) == 0 {
		return -1
	}
	i := len(s.Handles) - 1
	h := s.Handles[i]
	if h.TransferOut != 0 || h.EndedAt == nil || !h.EndedAt.Equal(*s.EndedAt) {
		return -1
	}
	return i
}

// transfer returns the transfer with id (1-based), nil if none.
func (d *deriver) transfer(id int64) *sb.Transfer {
	if id < 1 || int(id) > len(d.s.Transfers) {
		return nil
	}
	return &d.s.Transfers[id-1]
}

// groupTransfer reports whether transfer id moved the session to a group
// other than by a queue rule's overflow.
func (d *deriver) groupTransfer(id int64) bool {
	t := d.transfer(id)
	return t != nil && t.Kind == sb.TransferToQueue && !t.Overflow
}

// serveMS is the length of a closed serve, 0 for an open one.
func serveMS(h sb.HandleSegment) int64 {
	if h.EndedAt == nil {
		return 0
	}
	return ms(h.EndedAt.Sub(h.AssignedAt))
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

// hasEndUserMessage reports whether the end user wrote anything.
func (d *deriver) hasEndUserMessage() bool {
	for _, m := range d.msgs {
		if m.from == sb.FromEndUser {
			return true
		}
	}
	return false
}

// responses measures the replies of the agents whose serves in says yes:
// the first such message after the serves began, and the mean reply time.
// A reply answers the earliest end-user message not yet answered by any
// agent, timed from that message or from the start of the replying serve,
// whichever is later.
func (d *deriver) responses(in func(serve int) bool, start time.Time) (first *time.Time, avgMS int64, replies int) {
	var pending *time.Time
	var sum int64
	for _, m := range d.msgs {
		if m.from == sb.FromEndUser {
			if pending == nil {
				at := m.at
				pending = &at
			}
			continue
		}
		mine := m.serve >= 0 && in(m.serve)
		if mine && first == nil && !m.at.Before(start) {
			at := m.at
			first = &at
		}
		if mine && pending != nil {
			from := *pending
			if s := d.s.Handles[m.serve].AssignedAt; s.After(from) {
				from = s
			}
			sum += ms(m.at.Sub(from))
			replies++
		}
		pending = nil
	}
	if replies > 0 {
		avgMS = roundDiv(sum, int64(replies))
	}
	return first, avgMS, replies
}

// roundDiv divides, rounding half away from zero.
func roundDiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	if (a < 0) != (b < 0) {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}

// invitedIn reports whether an agent invited a rating in a serve in says
// yes. Several invitations count once.
func (d *deriver) invitedIn(in func(serve int) bool) bool {
	for _, iv := range d.invites {
		if iv.serve >= 0 && in(iv.serve) {
			return true
		}
	}
	return false
}
