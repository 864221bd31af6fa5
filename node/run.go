package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/postgres"
)

// Run takes part in the election until ctx ends: while another node leads
// it relays the leader's events into the node's broker and tries for the
// lease every third of its TTL; once it holds the lease it leads until the
// term is lost or ctx ends. On the way out a leader releases its term, so
// that another node takes over at once. Throughout, in either role, it
// follows the shared configuration's changes (followConfig).
func (n *Node) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); n.followConfig(ctx) }()
	defer wg.Wait()
	for ctx.Err() == nil {
		t, ok := n.follow(ctx)
		if !ok {
			return
		}
		n.lead(ctx, t)
	}
}

// follow relays the leader's events until this node acquires the lease,
// and then hands on what the relay had not yet, from the store: every
// commit of the earlier terms has landed by then (the acquisition waits
// for them), so the node's broker misses none before its own engine
// publishes. ok is false when ctx ended first.
func (n *Node) follow(ctx context.Context) (t postgres.Term, ok bool) {
	for {
		t, ok = n.relayUntilElected(ctx)
		if !ok {
			return t, false
		}
		err := n.catchUp(ctx)
		if err == nil {
			return t, true
		}
		n.log.Error("catch up before leading", "err", err)
		n.release(t)
		if !n.sleep(ctx, n.opt.LeaseTTL/3) {
			return t, false
		}
	}
}

// relayUntilElected relays the leader's events while it tries for the
// lease every third of its TTL.
func (n *Node) relayUntilElected(ctx context.Context) (postgres.Term, bool) {
	relayCtx, stopRelay := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for relayCtx.Err() == nil {
			err := n.relay(relayCtx)
			if err != nil && relayCtx.Err() == nil {
				n.log.Warn("relay: starting again", "err", err)
				n.sleep(relayCtx, n.opt.Poll)
			}
		}
	}()
	defer func() { stopRelay(); wg.Wait() }()
	for {
		t, ok, err := n.lease.Acquire(ctx)
		if ok {
			return t, true
		}
		if err != nil && ctx.Err() == nil {
			n.log.Warn("lease: cannot try for it", "err", err)
		}
		if !n.sleep(ctx, n.opt.LeaseTTL/3) {
			return postgres.Term{}, false
		}
	}
}

// relay hands the leader's events to the node's broker until ctx ends:
// from the bus, or from the store every Poll without one.
func (n *Node) relay(ctx context.Context) error {
	if n.bus != nil {
		_, err := n.bus.Relay(ctx, n.db, n.local, n.local.position(), n.opt.App.Clock, n.opt.Poll)
		return err
	}
	for n.sleep(ctx, n.opt.Poll) {
		if err := n.catchUp(ctx); err != nil {
			return err
		}
	}
	return nil
}

// catchUp hands the node's broker every committed event after the last it
// handed on.
func (n *Node) catchUp(ctx context.Context) error {
	for {
		events, err := n.db.Events(ctx, n.local.position(), 1000)
		if err != nil {
			return fmt.Errorf("read the log: %w", err)
		}
		if len(events) == 0 {
			return nil
		}
		n.local.Publish(events)
	}
}

// lead runs the writer for term t until the term is lost or ctx ends.
func (n *Node) lead(ctx context.Context, t postgres.Term) {
	log := n.log.With("epoch", t.Epoch)
	n.db.SetFence(postgres.Fence{Lease: postgres.LeaderLease, Epoch: t.Epoch})
	var pub sb.Publisher = n.local
	closePub := func() {}
	if n.bus != nil {
		p := n.bus.Publisher(n.local)
		pub, closePub = p, p.Close
	}
	if err := n.App.Lead(ctx, pub); err != nil {
		log.Error("cannot lead", "err", err)
		closePub()
		n.db.SetFence(postgres.Fence{Lease: postgres.LeaderLease})
		n.release(t)
		n.sleep(ctx, n.opt.LeaseTTL)
		return
	}
	n.leading.Store(true)
	log.Info("leading")
	termCtx, endTerm := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { n.App.Run(termCtx); close(done) }()
	for n.sleep(ctx, n.opt.LeaseTTL/3) {
		if n.stalled.Load() {
			continue // a test's stand-in for a paused process
		}
		next, err := n.lease.Renew(ctx, t)
		if errors.Is(err, postgres.ErrLeaseLost) {
			log.Warn("lost the lease: another node leads")
			break
		}
		if err != nil {
			if !n.opt.App.Clock.Now().Before(t.Expires) {
				log.Warn("could not renew the lease before it expired", "err", err)
				break
			}
			log.Warn("renew the lease", "err", err)
			continue
		}
		t = next
	}
	endTerm()
	<-done
	// The API forwards before the node says it follows: a command sent
	// once Leading is false goes to the next leader, never to this
	// node's engine fenced as a follower. Commands that reach the engine
	// meanwhile are refused by the fence (the term is over) and sent again
	// by whoever forwarded them.
	n.App.Follow()
	n.db.SetFence(postgres.Fence{Lease: postgres.LeaderLease})
	n.leading.Store(false)
	closePub()
	if ctx.Err() != nil && !n.stalled.Load() {
		n.release(t)
	}
	log.Info("following")
}

// release ends term t so that another node need not wait for it to expire.
func (n *Node) release(t postgres.Term) {
	if err := n.lease.Release(context.Background(), t); err != nil {
		n.log.Warn("release the lease", "err", err)
	}
}
