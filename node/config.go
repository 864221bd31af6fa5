package node

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// configRetry is how long the node waits before listening for changes
// again after the feed broke, or reloading again after a reload failed.
const configRetry = time.Second

// followConfig keeps the node's caches of the shared configuration true
// until ctx ends: it listens to the store's change feed, drops the cached
// API tokens (and ends the live connections of revoked ones) when tokens
// change, ends the live connections of a user's ended logins, and reloads
// the directory when configuration documents change. A resync (the feed
// connected, or reconnected after a break in which changes may have been
// missed) does all three.
//
// Reloads are coalesced: a burst of changes made while one reload runs
// costs one more, not one each. Every node follows, the leader too: the
// leader makes every configuration and token write, but logins end on
// any node (a logout), and the leader's own writes come back as changes,
// which costs it a reload each.
func (n *Node) followConfig(ctx context.Context) {
	var tokens, docs atomic.Bool
	var loginsMu sync.Mutex
	logins := map[int64]bool{} // users whose logins ended; 0: every user
	dirty := make(chan struct{}, 1)
	worker := make(chan struct{})
	defer func() { <-worker }()
	go func() {
		defer close(worker)
		for {
			select {
			case <-ctx.Done():
				return
			case <-dirty:
			}
			if tokens.Swap(false) {
				if err := n.App.API.EndRevoked(ctx); err != nil && ctx.Err() == nil {
					n.log.Warn("config feed: end the connections of revoked tokens", "err", err)
				}
			}
			loginsMu.Lock()
			users := logins
			logins = map[int64]bool{}
			loginsMu.Unlock()
			for id := range users {
				if err := n.App.API.EndLogins(ctx, id); err != nil && ctx.Err() == nil {
					n.log.Warn("config feed: end the connections of ended logins", "user", id, "err", err)
				}
			}
			if docs.Swap(false) {
				if err := n.App.Directory.Reload(ctx); err != nil && ctx.Err() == nil {
					n.log.Error("config feed: reload the directory", "err", err)
					docs.Store(true)
					n.sleep(ctx, configRetry)
					signal(dirty)
				}
			}
		}
	}()
	for ctx.Err() == nil {
		err := n.db.WatchConfig(ctx, func(c sb.ConfigChange) {
			if c.Resync() || c.Kind == sb.KindToken {
				// Forgotten at once, so that a revoked token is not
				// honoured while a reload runs; the worker ends its
				// connections.
				n.App.API.ForgetTokens()
				tokens.Store(true)
			}
			if c.Resync() || c.Kind == sb.KindLogin {
				loginsMu.Lock()
				logins[c.ID] = true // a resync's ID is 0: every user
				loginsMu.Unlock()
			}
			if c.Resync() || (c.Kind != sb.KindToken && c.Kind != sb.KindLogin) {
				docs.Store(true)
			}
			signal(dirty)
		})
		if ctx.Err() == nil {
			n.log.Warn("config feed broke: caches are reloaded when it is back", "err", err)
			n.sleep(ctx, configRetry)
		}
	}
}

// signal wakes whoever waits on c, once.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
