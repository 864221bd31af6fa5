package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// TimerHandler decides what a fired timer does to its session: a command
// to run as the system, deliveries to add, or both. A nil command and no
// deliveries just clears the timer.
type TimerHandler func(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error)

// FireTimer fires one timer: its effects and the timer's removal commit
// together, and a timer that was moved or fired meanwhile does nothing.
// Events it causes carry the engine clock's current time.
func (e *Engine) FireTimer(ctx context.Context, t sb.Timer) error {
	h, err := e.handler(t.Kind)
	if err != nil {
		return err
	}
	_, err = e.submit(ctx, t.SessionID, nil, func(s *sb.Session, _ int64) (*sb.Change, error) {
		cmd, outbox, err := h(s, t)
		if err != nil {
			return nil, err
		}
		ch := &sb.Change{Session: s, ExpectedSeq: s.Seq}
		if cmd != nil {
			res, err := lifecycle.Execute(s, cmd, e.env(sb.SystemActor))
			if err == nil {
				ch = e.change(s, res)
			} else if sb.ErrorCode(err) != sb.ECONFLICT {
				return nil, err
			}
			// A conflicting command means the session moved on (say, a
			// scheduled call that was started by hand): the timer just ends.
		}
		ch.Outbox = append(ch.Outbox, outbox...)
		ch.FiredTimers = append(ch.FiredTimers, t)
		return ch, nil
	})
	if sb.ErrorCode(err) == sb.EPRECONDITION {
		return nil // fired or moved by someone else
	}
	return err
}

// FireDue fires every timer due at the clock's current time, earliest
// first, and returns how many fired.
func (e *Engine) FireDue(ctx context.Context) (int, error) {
	n := 0
	type key struct {
		session int64
		kind    string
		due     int64
	}
	tried := map[key]bool{} // a timer that stays due after firing is not fired again in this call
	for {
		due, err := e.store.DueTimers(ctx, e.opt.Clock.Now(), 256)
		if err != nil {
			return n, err
		}
		fired := 0
		for _, t := range due {
			k := key{t.SessionID, t.Kind, t.DueAt.UnixMilli()}
			if tried[k] {
				continue
			}
			tried[k] = true
			if err := e.FireTimer(ctx, t); err != nil {
				// Leave a failing timer for the next round rather than
				// spinning on it; the others still fire.
				return n, fmt.Errorf("fire %s timer of session %d: %w", t.Kind, t.SessionID, err)
			}
			fired++
		}
		n += fired
		if fired == 0 {
			return n, nil
		}
	}
}

// RunTimers fires timers when they fall due until ctx ends. It sleeps on
// the wall clock until the next due time or until a new timer is set.
func (e *Engine) RunTimers(ctx context.Context) {
	for {
		e.awaiting.Store(0) // busy: any new timer wakes the next round
		wait, until := time.Hour, int64(noTimer)
		if _, err := e.FireDue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			e.log.Error("timers", "err", err)
			wait = 5 * time.Second // retry a failing timer, but not in a tight loop
			until = 0
		} else if next, ok, err := e.store.NextTimer(ctx); err == nil && ok {
			wait = max(next.DueAt.Sub(e.opt.Clock.Now()), 0)
			until = next.DueAt.UnixMilli()
		}
		e.awaiting.Store(until)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (e *Engine) handler(kind string) (TimerHandler, error) {
	switch kind {
	case lifecycle.TimerScheduledStart:
		return startScheduled, nil
	case TimerMetadata:
		return e.writeMetadata, nil
	}
	if h, ok := e.opt.Timers[kind]; ok {
		return h, nil
	}
	return nil, fmt.Errorf("no handler for timer kind %q", kind)
}

func startScheduled(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	cmd := new(lifecycle.Start)
	if len(t.Data) > 0 {
		if err := json.Unmarshal(t.Data, cmd); err != nil {
			return nil, nil, fmt.Errorf("scheduled start data: %w", err)
		}
	}
	return cmd, nil, nil
}

// MetadataKey is where a session's metadata file is stored.
func MetadataKey(sessionID int64) string { return fmt.Sprintf("%d/metadata.json", sessionID) }

func (e *Engine) writeMetadata(s *sb.Session, _ sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	if e.opt.Metadata == nil || !s.Status.Terminal() {
		return nil, nil, nil // a live session has no metadata file yet
	}
	doc, err := e.opt.Metadata(s)
	if err != nil {
		return nil, nil, fmt.Errorf("render metadata of session %d: %w", s.ID, err)
	}
	now := e.opt.Clock.Now().UTC().Truncate(time.Millisecond)
	return nil, []sb.OutboxItem{{
		Kind: OutboxMetadata, SessionID: s.ID,
		Key:     fmt.Sprintf("metadata/%d/v%d", s.ID, s.Seq),
		Payload: doc, CreatedAt: now, NextAttemptAt: now,
	}}, nil
}
