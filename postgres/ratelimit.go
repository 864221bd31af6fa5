package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// The rate-limit counters (table rate_limits, migration 0060) are shared
// by every node of the cluster, so that the login, offline-message and
// anonymous-chat limits hold for the cluster as a whole. They are not the
// leader's state: any node counts what it serves, so these writes do not
// check the fence (checkFence), and a follower, or a leader that lost its
// term, still counts.
//
// Keys are bytea: a key may hold any bytes. Times are microseconds since the epoch, from the caller's clock: the
// database's own clock is never read, so tests run on a virtual clock.

var _ sb.RateLimitStore = (*DB)(nil)

const (
	// ratePruneEvery is how often, at most, the counts' writes of one
	// node also delete windows that are over (by the callers' now).
	ratePruneEvery = time.Minute
	// ratePruneBatch and ratePruneBatches bound one such deletion.
	ratePruneBatch   = 5000
	ratePruneBatches = 20
)

func us(t time.Time) int64 { return t.UnixMicro() }

func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// takeRateSQL counts a hit for one key: a new window when the key has
// none live at $2, else one more hit unless the window holds its limit
// ($4; 0: none) already, in which case no row comes back. One statement,
// so concurrent hits on one key are counted one after the other; in a
// transaction, the row stays locked until it ends.
const takeRateSQL = `INSERT INTO rate_limits AS r (key, start_us, end_us, hits) VALUES ($1, $2::bigint, $2::bigint + $3::bigint, 1)
	ON CONFLICT (key) DO UPDATE SET
		start_us = CASE WHEN r.end_us <= $2 THEN EXCLUDED.start_us ELSE r.start_us END,
		end_us = CASE WHEN r.end_us <= $2 THEN EXCLUDED.end_us ELSE r.end_us END,
		hits = CASE WHEN r.end_us <= $2 THEN 1 ELSE r.hits + 1 END
	WHERE r.end_us <= $2 OR $4::integer = 0 OR r.hits < $4::integer
	RETURNING start_us, end_us, hits`

// TakeRate implements sb.RateLimitStore. One quota, or quotas without a
// limit, are one batch of statements; several with a limit are one
// transaction that rolls back when one of them is full. Either counts the
// keys in key order, so that concurrent takes lock their rows in the same
// order and never deadlock.
func (db *DB) TakeRate(ctx context.Context, now time.Time, quotas ...sb.RateQuota) (taken bool, windows []sb.RateWindow, err error) {
	defer classify(&err)
	if len(quotas) == 0 {
		return true, nil, nil
	}
	order := make([]int, len(quotas))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(quotas[a].Key, quotas[b].Key) })
	for i := 1; i < len(order); i++ {
		if quotas[order[i]].Key == quotas[order[i-1]].Key {
			return false, nil, sb.Errorf(sb.EINVALID, "rate limit key %q is given twice", quotas[order[i]].Key)
		}
	}
	db.pruneRatesNow(ctx, now)
	windows = make([]sb.RateWindow, len(quotas))
	take := func(q pgx.Tx) (bool, error) {
		b := &pgx.Batch{}
		for _, i := range order {
			qu := quotas[i]
			b.Queue(takeRateSQL, []byte(qu.Key), us(now), qu.Window.Microseconds(), max(qu.Limit, 0))
		}
		var res pgx.BatchResults
		if q != nil {
			res = q.SendBatch(ctx, b)
		} else {
			res = db.pool.SendBatch(ctx, b)
		}
		defer res.Close()
		for _, i := range order {
			var start, end int64
			var hits int
			err := res.QueryRow().Scan(&start, &end, &hits)
			if errors.Is(err, pgx.ErrNoRows) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			windows[i] = sb.RateWindow{Start: fromUS(start), End: fromUS(end), Count: hits}
		}
		return true, res.Close()
	}
	limited := 0
	for _, q := range quotas {
		if q.Limit > 0 {
			limited++
		}
	}
	if len(quotas) == 1 || limited == 0 {
		// Nothing to roll back: one statement, or hits that no quota
		// refuses.
		taken, err = take(nil)
	} else {
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if taken, err = take(tx); err == nil && !taken {
				return errNotTaken
			}
			return err
		})
		if errors.Is(err, errNotTaken) {
			err = nil
		}
	}
	if err != nil {
		return false, nil, fmt.Errorf("count rate limits: %w", err)
	}
	if taken {
		return true, windows, nil
	}
	keys := make([]string, len(quotas))
	for i, q := range quotas {
		keys[i] = q.Key
	}
	windows, err = db.RateWindows(ctx, now, keys...)
	return false, windows, err
}

// errNotTaken rolls back a take that found a quota full.
var errNotTaken = errors.New("a rate limit is full")

// byteKeys are keys as the table keeps them: bytes, since a key may hold
// any (a NUL, what a client sent that is not UTF-8), which text may not.
func byteKeys(keys []string) [][]byte {
	b := make([][]byte, len(keys))
	for i, k := range keys {
		b[i] = []byte(k)
	}
	return b
}

// RateWindows implements sb.RateLimitStore.
func (db *DB) RateWindows(ctx context.Context, now time.Time, keys ...string) (windows []sb.RateWindow, err error) {
	defer classify(&err)
	windows = make([]sb.RateWindow, len(keys))
	if len(keys) == 0 {
		return windows, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT key, start_us, end_us, hits FROM rate_limits WHERE key = ANY($1) AND end_us > $2`, byteKeys(keys), us(now))
	if err != nil {
		return nil, fmt.Errorf("read rate limits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key []byte
		var start, end int64
		var hits int
		if err := rows.Scan(&key, &start, &end, &hits); err != nil {
			return nil, fmt.Errorf("read rate limits: %w", err)
		}
		for i, k := range keys {
			if k == string(key) {
				windows[i] = sb.RateWindow{Start: fromUS(start), End: fromUS(end), Count: hits}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read rate limits: %w", err)
	}
	return windows, nil
}

// StartRate implements sb.RateLimitStore.
func (db *DB) StartRate(ctx context.Context, now time.Time, key string, window time.Duration) (err error) {
	defer classify(&err)
	db.pruneRatesNow(ctx, now)
	_, err = db.pool.Exec(ctx, `INSERT INTO rate_limits (key, start_us, end_us, hits) VALUES ($1, $2, $3, 1)
		ON CONFLICT (key) DO UPDATE SET start_us = EXCLUDED.start_us, end_us = EXCLUDED.end_us, hits = 1`,
		[]byte(key), us(now), us(now.Add(window)))
	if err != nil {
		return fmt.Errorf("start a rate limit window: %w", err)
	}
	return nil
}

// ResetRate implements sb.RateLimitStore.
func (db *DB) ResetRate(ctx context.Context, keys ...string) (err error) {
	defer classify(&err)
	if len(keys) == 0 {
		return nil
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE key = ANY($1)`, byteKeys(keys)); err != nil {
		return fmt.Errorf("reset rate limits: %w", err)
	}
	return nil
}

// PruneRateLimits deletes the rate-limit windows that are over at now,
// at most ratePruneBatch × ratePruneBatches of them, and returns how many
// it deleted. The counts' writes call it themselves, at most once per
// ratePruneEvery on each node.
func (db *DB) PruneRateLimits(ctx context.Context, now time.Time) (n int64, err error) {
	defer classify(&err)
	for range ratePruneBatches {
		tag, err := db.pool.Exec(ctx, `DELETE FROM rate_limits WHERE key IN
			(SELECT key FROM rate_limits WHERE end_us <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`, us(now), ratePruneBatch)
		if err != nil {
			return n, fmt.Errorf("prune rate limits: %w", err)
		}
		n += tag.RowsAffected()
		if tag.RowsAffected() < ratePruneBatch {
			break
		}
	}
	return n, nil
}

// pruneRatesNow prunes when this node last did ratePruneEvery ago or
// more, by now. A failure only delays the pruning to the next write: the
// windows that are over read as none meanwhile.
func (db *DB) pruneRatesNow(ctx context.Context, now time.Time) {
	last := db.ratesPruned.Load()
	if now.UnixMicro()-last < ratePruneEvery.Microseconds() || !db.ratesPruned.CompareAndSwap(last, now.UnixMicro()) {
		return
	}
	db.PruneRateLimits(ctx, now)
}
