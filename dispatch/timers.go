package dispatch

import (
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// Timer kinds owned by routing.
const (
	// TimerTransferOffer fails a transfer the receiver has not accepted in time.
	TimerTransferOffer = "transfer_offer"
	// TimerQueueTimeout ends a session that waited too long in a queue.
	TimerQueueTimeout = "queue_timeout"
	// TimerQueueOpens dispatches a queue when its work hours begin, while a
	// session waits in it.
	TimerQueueOpens = "queue_opens"
	// TimerQueueReminder reminds a chat waiting in a queue.
	TimerQueueReminder = "queue_reminder"
)

// QueueTimeoutReason is the finish reason of a session the queue timeout ended.
const QueueTimeoutReason = "queue_timeout"

type waitData struct {
	QueueID   int64     `json:"queue_id"`
	StartedAt time.Time `json:"started_at"`
	// Sent counts the queue reminders sent in this wait so far.
	Sent int `json:"sent,omitempty"`
}

// inWait reports whether s still waits in the wait a timer was set for.
func (w waitData) inWait(s *sb.Session) bool {
	c := s.CurrentWait()
	return c != nil && c.Queue.ID == w.QueueID && c.StartedAt.Equal(w.StartedAt)
}

type offerData struct {
	TransferID int64 `json:"transfer_id"`
}

// TimerHandlers returns the handlers of routing's timer kinds, for
// engine.Options.Timers.
func (d *Dispatcher) TimerHandlers() map[string]engine.TimerHandler {
	return map[string]engine.TimerHandler{TimerTransferOffer: transferOfferExpired, TimerQueueTimeout: d.queueTimedOut,
		TimerQueueOpens: d.queueOpened, TimerQueueReminder: d.queueReminder, TimerAgentNoReply: d.agentNoReply, TimerVisitorNoReply: d.visitorNoReply,
		TimerInactive: inactive}
}

// queueOpened asks for the queue to be dispatched: the engine offers the
// timer's change to Observe right after, which does it. The session needs
// no command of its own.
func (d *Dispatcher) queueOpened(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data waitData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("queue opens timer: %w", err)
	}
	d.opened = append(d.opened, data.QueueID)
	return nil, nil, nil
}

// queueTimedOut acts on a session still in the wait the timer was set
// for: it ends it as a system drop (after the closing text, if set), or
// tells the visitor to keep waiting.
func (d *Dispatcher) queueTimedOut(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data waitData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("queue timeout timer: %w", err)
	}
	if !data.inWait(s) {
		return nil, nil, nil
	}
	set := d.dir.RoutingSettings()
	return &lifecycle.QueueTimeout{Text: set.QueueTimeoutText, KeepWaiting: set.QueueTimeoutAction == "keep_waiting",
		Reason: QueueTimeoutReason}, nil, nil
}

// queueReminder reminds a chat still in the wait the timer was set for,
// while the reminders' effective period is open.
func (d *Dispatcher) queueReminder(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data waitData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("queue reminder timer: %w", err)
	}
	set := d.dir.RoutingSettings()
	if !data.inWait(s) || data.Sent >= set.QueueReminders || set.QueueReminderText == "" {
		return nil, nil, nil
	}
	if set.QueueReminderPlanID != 0 {
		if p, err := d.dir.GetPlan(set.QueueReminderPlanID); err == nil {
			if open, err := p.Open(d.clock.Now()); err == nil && !open {
				return nil, nil, nil // outside the effective period: no more reminders
			}
		}
	}
	return &lifecycle.QueueReminder{Data: lifecycle.ReminderData{Number: data.Sent + 1, Of: set.QueueReminders},
		Text: set.QueueReminderText, LeaveMessage: set.QueueReminderLeaveMessage}, nil, nil
}

// waitTimers arms the queue timeout when a session starts waiting in a
// queue and cancels it when the wait ends.
func (d *Dispatcher) waitTimers(wb, wa *sb.QueueWait, s *sb.Session, events []sb.Event, now time.Time, r *engine.Reaction) {
	if wb != nil && !sameWait(wb, wa) {
		r.CancelTimers = append(r.CancelTimers, TimerQueueTimeout)
	}
	if wb != nil && !sameWait(wb, wa) {
		r.CancelTimers = append(r.CancelTimers, TimerQueueOpens, TimerQueueReminder)
	}
	set := d.dir.RoutingSettings()
	reminder := func(sent int) {
		data, _ := json.Marshal(waitData{QueueID: wa.Queue.ID, StartedAt: wa.StartedAt, Sent: sent})
		r.SetTimers = append(r.SetTimers, sb.Timer{SessionID: s.ID, Kind: TimerQueueReminder,
			DueAt: now.UTC().Truncate(time.Millisecond).Add(time.Duration(set.QueueReminderSeconds) * time.Second), Data: data})
	}
	if wa != nil && sameWait(wb, wa) && s.Medium == sb.MediumChat {
		for _, e := range events {
			var rd lifecycle.ReminderData
			if e.Type == lifecycle.EventQueueReminder && json.Unmarshal(e.Data, &rd) == nil && rd.Number < set.QueueReminders {
				reminder(rd.Number)
			}
		}
	}
	if wa == nil || sameWait(wb, wa) {
		return
	}
	if s.Medium == sb.MediumChat && set.QueueReminders > 0 && set.QueueReminderSeconds > 0 {
		reminder(0)
	}
	if set.OnlyWorkHours {
		if at, ok := d.dir.QueueOpens(wa.Queue.ID, now); ok {
			data, _ := json.Marshal(waitData{QueueID: wa.Queue.ID, StartedAt: wa.StartedAt})
			r.SetTimers = append(r.SetTimers, sb.Timer{SessionID: s.ID, Kind: TimerQueueOpens, DueAt: at.UTC().Truncate(time.Millisecond), Data: data})
		}
	}
	secs := set.QueueTimeoutSeconds
	if secs == 0 {
		return
	}
	data, _ := json.Marshal(waitData{QueueID: wa.Queue.ID, StartedAt: wa.StartedAt})
	r.SetTimers = append(r.SetTimers, sb.Timer{SessionID: s.ID, Kind: TimerQueueTimeout,
		DueAt: wa.StartedAt.Add(time.Duration(secs) * time.Second), Data: data})
}

// transferOfferExpired fails the transfer the timer was set for, if it is
// still waiting for the receiver.
func transferOfferExpired(s *sb.Session, t sb.Timer) (lifecycle.Command, []sb.OutboxItem, error) {
	var data offerData
	if err := json.Unmarshal(t.Data, &data); err != nil {
		return nil, nil, fmt.Errorf("transfer offer timer: %w", err)
	}
	if p := s.PendingTransfer(); p != nil && p.ID == data.TransferID {
		return &lifecycle.TransferFail{Reason: lifecycle.TransferTimeout}, nil, nil
	}
	return nil, nil, nil
}

// offerTimers arms the offer timer when a transfer that needs the
// receiver's confirmation starts, and cancels it when that transfer ends.
func (d *Dispatcher) offerTimers(before, after *sb.Session, now time.Time, r *engine.Reaction) {
	var pb *sb.Transfer
	if before != nil {
		pb = before.PendingTransfer()
	}
	pa := after.PendingTransfer()
	offered := func(t *sb.Transfer) bool { return t != nil && t.Confirm && t.Kind == sb.TransferToAgent }
	if offered(pb) && (pa == nil || pa.ID != pb.ID) {
		r.CancelTimers = append(r.CancelTimers, TimerTransferOffer)
	}
	if offered(pa) && (pb == nil || pb.ID != pa.ID) {
		data, _ := json.Marshal(offerData{TransferID: pa.ID})
		timeout := time.Duration(d.dir.RoutingSettings().TransferTimeoutSeconds) * time.Second
		r.SetTimers = append(r.SetTimers, sb.Timer{SessionID: after.ID, Kind: TimerTransferOffer,
			DueAt: now.UTC().Truncate(time.Millisecond).Add(timeout), Data: data})
	}
}

// SettingsChanged applies new routing settings and returns what they make
// possible (logged-out agents allowed to receive, for example). Run it
// through engine.Do.
func (d *Dispatcher) SettingsChanged(s sb.RoutingSettings, now time.Time) []engine.Followup {
	d.settings = routerSettings(s)
	d.router.SetSettings(d.settings)
	d.router.Pause()
	return d.followups(d.router.Resume(now))
}

func routerSettings(s sb.RoutingSettings) routing.Settings {
	return routing.Settings{Familiar: s.FamiliarCustomer, OnlyWorkHours: s.OnlyWorkHours, IncludeOffline: !s.OnlyOnlineAgents}
}
