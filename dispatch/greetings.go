package dispatch

import (
	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// greetings sends the company greeting after the visitor's first message
// (SPEC §4.3), then the group's greeting (SPEC §4.5): after the visitor's
// first message, and when the session is transferred into the group
// (unless no_greeting_on_transfer). Outside the group's work hours the
// after-hours notice is sent instead. Chats only.
func (d *Dispatcher) greetings(before, after *sb.Session, events []sb.Event) []engine.Followup {
	if after.Medium != sb.MediumChat || after.Queue == nil || after.Status.Terminal() {
		return nil
	}
	first := after.Messages.EndUser == 1 && (before == nil || before.Messages.EndUser == 0)
	transferred := false
	for _, e := range events {
		if e.Type == lifecycle.EventTransferStarted {
			if t := after.PendingTransfer(); t != nil && t.Kind == sb.TransferToQueue && !t.Overflow {
				transferred = true
			}
		}
	}
	if transferred && d.dir.RoutingSettings().NoGreetingOnTransfer {
		transferred = false
	}
	if !first && !transferred {
		return nil
	}
	var out []engine.Followup
	cs := d.dir.ChatSettings()
	nickname := ""
	if after.Status == sb.StatusQueued || after.Status == sb.StatusRequeued {
		nickname = cs.DispatcherNickname
	}
	if first && cs.CompanyGreeting.On() {
		out = append(out, notice(after.ID, lifecycle.PurposeCompanyGreeting, cs.CompanyGreeting.Text, nickname))
	}
	q, err := d.dir.GetQueue(after.Queue.ID)
	if err != nil {
		return out
	}
	text := q.Greeting
	if !d.dir.QueueOpen(q.ID, d.clock.Now()) {
		text = q.AfterHoursNotice
	}
	if text == "" {
		return out
	}
	return append(out, notice(after.ID, lifecycle.PurposeGroupGreeting, text, nickname))
}
