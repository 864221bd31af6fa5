package gen

import (
	"context"
	"fmt"
	"slices"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// batcher collects the changes of many sessions and commits them in one
// transaction once about limit events are pending.
//
// The engine commits one change per command. Within one transaction a
// session's consecutive changes may be committed as one — their events in
// order, the session as the last of them left it — with the same result
// in the store, as long as every agent who was the session's current agent
// after some command is still the current agent of some committed change:
// the store indexes the agents who handled a session that way. So a
// session's changes are merged while its agent stays the same (or was
// none, or is indexed already), and a new change begins when it moves on.
type batcher struct {
	store    Store
	limit    int
	progress func(sessions, events int64)
	stats    *Stats

	changes []*sb.Change
	visits  []*visit // visits with a change in this batch
	events  int
}

// add stages one command's result for v.
func (b *batcher) add(v *visit, res lifecycle.Result) {
	agent := agentID(res.Session)
	if c := v.pending; c != nil && (v.pendingAgent == agent || v.pendingAgent == 0 || slices.Contains(v.indexed, v.pendingAgent)) {
		c.Events = append(c.Events, res.Events...)
		c.Session = res.Session
		v.pendingAgent = agent
	} else {
		v.closePending()
		var expected int64
		if v.s != nil {
			expected = v.s.Seq
		}
		c := &sb.Change{Session: res.Session, Events: slices.Clone(res.Events), ExpectedSeq: expected}
		if !v.inBatch {
			b.visits = append(b.visits, v)
			v.inBatch = true
		}
		v.pending, v.pendingAgent = c, agent
		b.changes = append(b.changes, c)
	}
	b.events += len(res.Events)
}

func (b *batcher) maybeFlush(ctx context.Context) error {
	if b.events < b.limit {
		return nil
	}
	return b.flush(ctx)
}

// flush commits the pending changes in one transaction.
func (b *batcher) flush(ctx context.Context) error {
	if len(b.changes) == 0 {
		return nil
	}
	if err := b.store.Commit(ctx, b.changes); err != nil {
		return fmt.Errorf("commit %d changes: %w", len(b.changes), err)
	}
	for _, v := range b.visits {
		v.closePending()
		v.inBatch = false
	}
	b.stats.Events += int64(b.events)
	b.stats.Commits++
	clear(b.changes)
	clear(b.visits)
	b.changes, b.visits, b.events = b.changes[:0], b.visits[:0], 0
	if b.progress != nil {
		b.progress(b.stats.Sessions, b.stats.Events)
	}
	return nil
}

// closePending ends v's pending change: its agent is indexed from now on.
func (v *visit) closePending() {
	if v.pending == nil {
		return
	}
	if v.pendingAgent != 0 && !slices.Contains(v.indexed, v.pendingAgent) {
		v.indexed = append(v.indexed, v.pendingAgent)
	}
	v.pending, v.pendingAgent = nil, 0
}

func agentID(s *sb.Session) int64 {
	if s.Agent != nil {
		return s.Agent.ID
	}
	return 0
}
