package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

// ConfigChannel is the notification channel of config and token writes.
// Triggers on the config and tokens tables (migration 0050) notify it in
// the writing transaction, so every write notifies whatever statement
// made it, and a write that rolls back notifies nothing; the payload is
// '<kind>:<id>', 'token:<id>', or '*' for a truncated table.
const ConfigChannel = "switchboard_config"

var _ sb.ConfigChanges = (*DB)(nil)

// WatchConfig implements sb.ConfigChanges. It LISTENs on a connection of
// its own, taken out of the pool for as long as it runs, and returns when
// ctx ends or that connection fails (the caller reconnects).
func (db *DB) WatchConfig(ctx context.Context, fn func(sb.ConfigChange)) (err error) {
	defer classify(&err)
	pc, err := db.pool.Acquire(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("watch config: %w", err)
	}
	// A listening session must not go back to the pool: the next user of
	// the connection would receive the notifications.
	conn := pc.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ConfigChannel); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("watch config: %w", err)
	}
	fn(sb.ConfigChange{})
	for {
		n, err := conn.WaitForNotification(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("watch config: %w", err)
		}
		if n.Channel == ConfigChannel {
			fn(parseChange(n.Payload))
		}
	}
}

// parseChange reads a notification's payload; one it cannot read (such
// as '*') is a resync.
func parseChange(payload string) sb.ConfigChange {
	i := strings.LastIndexByte(payload, ':')
	if i <= 0 {
		return sb.ConfigChange{}
	}
	id, err := strconv.ParseInt(payload[i+1:], 10, 64)
	if err != nil {
		return sb.ConfigChange{}
	}
	return sb.ConfigChange{Kind: payload[:i], ID: id}
}
