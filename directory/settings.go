package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// KindSettings is the config kind of the routing settings (one document).
const KindSettings = "routing_settings"

// RoutingSettings returns the routing settings.
func (d *Directory) RoutingSettings() sb.RoutingSettings {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.settings
}

// SaveRoutingSettings validates and stores the routing settings.
func (d *Directory) SaveRoutingSettings(ctx context.Context, s sb.RoutingSettings) (sb.RoutingSettings, error) {
	for _, err := range []error{
		validate.OneOf("familiar_customer", s.FamiliarCustomer, false, "last_agent", "most_served"),
		validate.Range("transfer_timeout_seconds", int64(s.TransferTimeoutSeconds), 5, 3600),
		validate.Range("queue_timeout_seconds", int64(s.QueueTimeoutSeconds), 0, 7*24*3600),
		validate.Range("agent_no_reply_seconds", int64(s.AgentNoReplySeconds), 0, 24*3600),
		validate.Text("agent_no_reply_prompt", s.AgentNoReplyPrompt, 1000, false),
		validate.Range("visitor_no_reply_seconds", int64(s.VisitorNoReplySeconds), 0, 24*3600),
		validate.Range("visitor_reminders", int64(s.VisitorReminders), 0, 10),
		validate.Text("visitor_reminder_text", s.VisitorReminderText, 1000, false),
		validate.Range("inactive_seconds", int64(s.InactiveSeconds), 0, 7*24*3600),
	} {
		if err != nil {
			return s, err
		}
	}
	for _, err := range []error{
		validate.OneOf("queue_timeout_action", s.QueueTimeoutAction, false, "end", "keep_waiting"),
		validate.Text("queue_timeout_text", s.QueueTimeoutText, 1000, false),
		validate.Range("queue_reminder_seconds", int64(s.QueueReminderSeconds), 0, 24*3600),
		validate.Range("queue_reminders", int64(s.QueueReminders), 0, 10),
		validate.Text("queue_reminder_text", s.QueueReminderText, 1000, false),
		validate.Range("queue_reminder_plan_id", s.QueueReminderPlanID, 0, 1<<53),
	} {
		if err != nil {
			return s, err
		}
	}
	if s.QueueTimeoutAction == "keep_waiting" && s.QueueTimeoutText == "" {
		return s, sb.Errorf(sb.EINVALID, "queue_timeout_text is required to tell the visitor to keep waiting")
	}
	if s.QueueReminders > 0 && (s.QueueReminderText == "" || s.QueueReminderSeconds == 0) {
		return s, sb.Errorf(sb.EINVALID, "queue_reminders needs queue_reminder_text and queue_reminder_seconds")
	}
	if s.QueueReminderPlanID != 0 {
		if _, err := d.GetPlan(s.QueueReminderPlanID); err != nil {
			return s, sb.Errorf(sb.EINVALID, "queue_reminder_plan_id: plan %d not found", s.QueueReminderPlanID)
		}
	}
	for field, id := range map[string]int64{"queue_timeout_tag_id": s.QueueTimeoutTagID,
		"visitor_no_reply_tag_id": s.VisitorNoReplyTagID, "inactive_tag_id": s.InactiveTagID} {
		if _, err := d.GetSessionTag(id); id != 0 && err != nil {
			return s, sb.Errorf(sb.EINVALID, "%s: session tag %d not found", field, id)
		}
	}
	if s.VisitorReminders > 0 && s.VisitorReminderText == "" {
		return s, sb.Errorf(sb.EINVALID, "visitor_reminder_text is required with visitor_reminders")
	}
	for ch, b := range s.AfterHours {
		if err := validate.OneOf("after_hours channel", string(ch), true, channels...); err != nil {
			return s, err
		}
		if err := validate.OneOf("after_hours."+string(ch), b, true, sb.AfterHoursLeaveMessage, sb.AfterHoursMessage, sb.AfterHoursOpenChat); err != nil {
			return s, err
		}
	}
	s.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	doc, err := json.Marshal(s)
	if err != nil {
		return s, fmt.Errorf("save settings: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.store.PutConfig(ctx, KindSettings, 1, doc); err != nil {
		return s, err
	}
	d.settings = s
	d.writes++
	return s, nil
}

func loadSettings(ctx context.Context, store sb.ConfigStore) (sb.RoutingSettings, error) {
	s := sb.DefaultRoutingSettings()
	docs, err := store.ConfigDocs(ctx, KindSettings)
	if err != nil {
		return s, fmt.Errorf("load settings: %w", err)
	}
	if len(docs) > 0 {
		if err := json.Unmarshal(docs[0], &s); err != nil {
			return s, fmt.Errorf("load settings: %w", err)
		}
	}
	return s, nil
}
