// Package outbox delivers what the engine wrote to the outbox: at least
// once, with exponential backoff, and parked (never dropped) after too many
// failures so administrators can see and retry it.
package outbox

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Deliverer delivers one item. It must be idempotent for the item's Key.
type Deliverer func(ctx context.Context, item sb.OutboxItem) error

// Worker delivers pending items.
type Worker struct {
	Store      sb.EventStore
	Clock      sb.Clock
	Deliverers map[string]Deliverer
	Logger     *slog.Logger
	// MaxAttempts before an item is parked (default 10).
	MaxAttempts int
	// BaseBackoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff (defaults 5 s and 1 h).
	BaseBackoff, MaxBackoff time.Duration
}

func (w *Worker) defaults() {
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 10
	}
	if w.BaseBackoff <= 0 {
		w.BaseBackoff = 5 * time.Second
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = time.Hour
	}
	if w.Logger == nil {
		w.Logger = slog.Default()
	}
}

// Backoff returns the wait after the given number of failed attempts.
func (w *Worker) Backoff(attempts int) time.Duration {
	w.defaults()
	d := w.BaseBackoff
	for i := 1; i < attempts && d < w.MaxBackoff; i++ {
		if d > w.MaxBackoff/2 {
			return w.MaxBackoff // doubling would pass the cap (or overflow)
		}
		d *= 2
	}
	return min(d, w.MaxBackoff)
}

// DeliverDue attempts every item due at the clock's current time, in order,
// and returns how many were delivered.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	w.defaults()
	items, err := w.Store.PendingOutbox(ctx, w.Clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, it := range items {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		ok, err := w.attempt(ctx, it)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (w *Worker) attempt(ctx context.Context, it sb.OutboxItem) (bool, error) {
	now := w.Clock.Now().UTC().Truncate(time.Millisecond)
	it.Attempts++
	deliver, ok := w.Deliverers[it.Kind]
	var derr error
	if !ok {
		derr = fmt.Errorf("no deliverer for %q", it.Kind)
	} else {
		derr = deliver(ctx, it)
	}
	switch {
	case derr == nil:
		it.State, it.DeliveredAt, it.LastError = sb.OutboxDelivered, &now, ""
	case it.Attempts >= w.MaxAttempts:
		it.State, it.LastError = sb.OutboxParked, derr.Error()
		w.Logger.Warn("delivery parked", "id", it.ID, "kind", it.Kind, "key", it.Key, "attempts", it.Attempts, "err", derr)
	default:
		it.LastError = derr.Error()
		it.NextAttemptAt = now.Add(w.Backoff(it.Attempts))
		w.Logger.Info("delivery failed; will retry", "id", it.ID, "kind", it.Kind, "attempts", it.Attempts, "next", it.NextAttemptAt, "err", derr)
	}
	if err := w.Store.UpdateOutbox(ctx, it); err != nil {
		return false, err
	}
	return derr == nil, nil
}

// Retry makes a parked or failing item due now, keeping its attempt count.
func Retry(ctx context.Context, store sb.EventStore, clock sb.Clock, id int64) (sb.OutboxItem, error) {
	it, err := store.OutboxItem(ctx, id)
	if err != nil {
		return it, err
	}
	if it.State == sb.OutboxDelivered {
		return it, sb.Errorf(sb.ECONFLICT, "delivery %d is delivered already", id)
	}
	it.State = sb.OutboxPending
	it.NextAttemptAt = clock.Now().UTC().Truncate(time.Millisecond)
	if it.Attempts > 0 {
		it.Attempts-- // one more try before it parks again
	}
	return it, store.UpdateOutbox(ctx, it)
}

// Run delivers items as they fall due until ctx ends, waking up when
// poke receives.
func (w *Worker) Run(ctx context.Context, poke <-chan struct{}) {
	w.defaults()
	for {
		wait := time.Minute
		if _, err := w.DeliverDue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			w.Logger.Error("outbox", "err", err)
			wait = 5 * time.Second
		} else if next, ok, err := w.Store.NextOutboxAttempt(ctx); err == nil && ok {
			wait = min(max(next.Sub(w.Clock.Now()), 0), time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-poke:
		case <-t.C:
		}
		t.Stop()
	}
}

// BlobDeliverer returns a deliverer that writes the item's payload to
// files under key(item).
func BlobDeliverer(files sb.BlobStore, key func(sb.OutboxItem) string) Deliverer {
	return func(ctx context.Context, it sb.OutboxItem) error {
		return files.Put(ctx, key(it), bytes.NewReader(it.Payload))
	}
}
