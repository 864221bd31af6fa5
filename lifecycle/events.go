// Package lifecycle is the session state machine: the table of allowed
// transitions, the commands that are checked against it, the events they
// produce, and the fold that turns a session's events into its projection.
// It does no I/O and reads no clock: time and identity come in as inputs.
package lifecycle

import (
	"encoding/json"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Lifecycle event types. Data-stream types (SPEC §1.4) recorded through the
// record-event command are listed in datastream.go.
const (
	EventCreated            sb.EventType = "session_created"
	EventStarted            sb.EventType = "scheduled_started"
	EventMenuSelected       sb.EventType = "menu_selected"
	EventQueued             sb.EventType = "queued"
	EventRequeued           sb.EventType = "requeued"
	EventAssigned           sb.EventType = "assigned"
	EventConnecting         sb.EventType = "connecting"
	EventConnected          sb.EventType = "connected"
	EventVAAssigned         sb.EventType = "va_assigned"
	EventVAConnected        sb.EventType = "va_connected"
	EventPreviewStarted     sb.EventType = "preview_started"
	EventPreviewReady       sb.EventType = "preview_ready"
	EventCampaignConnecting sb.EventType = "campaign_connecting"
	EventCampaignDialing    sb.EventType = "campaign_dialing"
	EventHeld               sb.EventType = "held"
	EventResumed            sb.EventType = "resumed"
	EventTransferStarted    sb.EventType = "transfer_started"
	EventTransferCompleted  sb.EventType = "transfer_completed"
	EventTransferFailed     sb.EventType = "transfer_failed"
	EventParticipantStarted sb.EventType = "participant_add_started"
	EventParticipantAdded   sb.EventType = "participant_add_completed"
	EventParticipantFailed  sb.EventType = "participant_add_failed"
	EventParticipantLeft    sb.EventType = "participant_left"
	EventDeflected          sb.EventType = "deflected"
	EventVoicemailStarted   sb.EventType = "voicemail_started"
	EventVoicemailReceived  sb.EventType = "voicemail_received"
	EventFailed             sb.EventType = "failed"
	EventRecovered          sb.EventType = "recovered"
	EventEnded              sb.EventType = "ended"
	EventWrappedUp          sb.EventType = "wrapped_up"
	EventRated              sb.EventType = "rated"
	EventQueueAlert         sb.EventType = "queue_alert"
	EventMessageSent        sb.EventType = "message_sent"
	EventMessageRecalled    sb.EventType = "message_recalled"
	EventNoReply            sb.EventType = "no_reply"
	EventVisitorReminder    sb.EventType = "visitor_reminder"
	EventQueueReminder      sb.EventType = "queue_reminder"
	EventTagsChanged        sb.EventType = "tags_changed"
	EventMetadataScheduled  sb.EventType = "metadata_scheduled"
	EventMetadataWritten    sb.EventType = "metadata_written"
)

// versionOf is the schema version of the data new events of type t carry.
// Version 2 of transfer_started adds to_agent_groups.
func versionOf(t sb.EventType) int {
	if t == EventTransferStarted {
		return 2
	}
	return 1
}

// Who ended a session (CCAI disconnected_by).
const (
	ByAgent   = "agent"
	ByEndUser = "end_user"
	BySystem  = "system"
)

// Created is the data of session_created.
type Created struct {
	Status              sb.Status      `json:"status"`
	UUID                string         `json:"uuid"`
	Type                sb.SessionType `json:"type"`
	Lang                string         `json:"lang"`
	EndUser             sb.EndUser     `json:"end_user"`
	SupportNumber       string         `json:"support_number,omitempty"`
	OutboundNumber      string         `json:"outbound_number,omitempty"`
	Device              string         `json:"device,omitempty"`
	Entry               string         `json:"entry,omitempty"`
	ScheduledAt         *time.Time     `json:"scheduled_at,omitempty"`
	CampaignMode        string         `json:"campaign_mode,omitempty"`
	RecordingPermission string         `json:"recording_permission,omitempty"`
	OutTicketID         string         `json:"out_ticket_id,omitempty"`
	OutTicketURL        string         `json:"out_ticket_url,omitempty"`
}

// StatusData is the data of events that carry nothing but the new status.
type StatusData struct {
	Status sb.Status `json:"status"`
}

// QueueData is the data of menu_selected, queued and requeued.
type QueueData struct {
	Status     *sb.Status  `json:"status,omitempty"`
	Queue      sb.QueueRef `json:"queue"`
	Priority   int         `json:"priority,omitempty"`
	TransferID int64       `json:"transfer_id,omitempty"`
	Reason     string      `json:"reason,omitempty"`
	// RuleID and PreferredAgentID say which routing rule chose the queue,
	// and the agent it names.
	RuleID           int64 `json:"rule_id,omitempty"`
	PreferredAgentID int64 `json:"preferred_agent_id,omitempty"`
}

// AgentData is the data of assigned and preview_started. Why records the
// routing decision that chose the agent, verbatim as the router gave it.
type AgentData struct {
	Status     sb.Status       `json:"status"`
	Agent      sb.AgentRef     `json:"agent"`
	TransferID int64           `json:"transfer_id,omitempty"`
	Rule       string          `json:"rule,omitempty"`
	Why        json.RawMessage `json:"why,omitempty"`
}

// VAData is the data of va_assigned.
type VAData struct {
	Status       sb.Status          `json:"status"`
	VirtualAgent sb.VirtualAgentRef `json:"virtual_agent"`
}

// HoldData is the data of held and resumed.
type HoldData struct {
	AgentID int64 `json:"agent_id,omitempty"`
}

// TransferStartedData is the data of transfer_started.
type TransferStartedData struct {
	Status   sb.Status   `json:"status"`
	Transfer sb.Transfer `json:"transfer"`
	// ToAgentGroups are the skill groups the receiving agent of a transfer
	// to an agent belonged to when the transfer began, ascending; absent
	// when the agent belonged to none. Version 1 events do not record
	// them (the groups are unknown).
	ToAgentGroups []int64 `json:"to_agent_groups,omitempty"`
}

// TransferEndData is the data of transfer_completed and transfer_failed.
type TransferEndData struct {
	Status     sb.Status    `json:"status"`
	TransferID int64        `json:"transfer_id"`
	Agent      *sb.AgentRef `json:"agent,omitempty"`
	Reason     string       `json:"reason,omitempty"`
}

// ParticipantData is the data of the participant events.
type ParticipantData struct {
	Participant sb.Participant `json:"participant"`
	Reason      string         `json:"reason,omitempty"`
}

// DeflectedData is the data of deflected.
type DeflectedData struct {
	Status     sb.Status `json:"status"`
	Deflection string    `json:"deflection"`
	Channel    string    `json:"channel,omitempty"`
}

// VoicemailData is the data of voicemail_started and voicemail_received.
type VoicemailData struct {
	Status       sb.Status `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	RecordingURL string    `json:"recording_url,omitempty"`
	Duration     int64     `json:"duration,omitempty"`
}

// FailedData is the data of failed.
type FailedData struct {
	Status  sb.Status `json:"status"`
	Reason  string    `json:"reason"`
	Details string    `json:"details,omitempty"`
}

// EndedData is the data of ended. Outcome classifies an end while waiting
// in a queue: "abandoned" (the end user gave up) or "timeout" (the system).
type EndedData struct {
	Status         sb.Status `json:"status"`
	DisconnectedBy string    `json:"disconnected_by"`
	Reason         string    `json:"reason,omitempty"`
	Outcome        string    `json:"outcome,omitempty"`
}

// WrappedUpData is the data of wrapped_up.
type WrappedUpData struct {
	Disposition sb.Disposition `json:"disposition"`
}

// RatedData is the data of rated.
type RatedData struct {
	Rating  int      `json:"rating"`
	Comment string   `json:"comment,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Solved  *bool    `json:"solved,omitempty"`
	// Counted is true for the session's first rating, the only one that
	// counts (SPEC §4.4); AgentIDs are the agents it counts for.
	Counted  bool    `json:"counted"`
	AgentIDs []int64 `json:"agent_ids,omitempty"`
}

// AlertData is the data of queue_alert: a queue rule found more than
// Threshold sessions waiting in a queue when this session arrived.
type AlertData struct {
	RuleID    int64  `json:"rule_id"`
	RuleName  string `json:"rule_name"`
	QueueID   int64  `json:"queue_id"`
	Waiting   int    `json:"waiting"`
	Threshold int    `json:"threshold"`
	// OverflowTo is the queue the session was moved to, if the rule moves it.
	OverflowTo int64 `json:"overflow_to,omitempty"`
}

// payloadFor returns a fresh value to decode the data of a lifecycle event
// type into, or nil for data-stream types.
func payloadFor(t sb.EventType) any {
	switch t {
	case EventCreated:
		return new(Created)
	case EventStarted, EventConnecting, EventConnected, EventVAConnected, EventPreviewReady,
		EventCampaignConnecting, EventCampaignDialing, EventRecovered, EventPreviewStarted:
		return new(StatusData)
	case EventMenuSelected, EventQueued, EventRequeued:
		return new(QueueData)
	case EventAssigned:
		return new(AgentData)
	case EventVAAssigned:
		return new(VAData)
	case EventHeld, EventResumed:
		return new(HoldData)
	case EventTransferStarted:
		return new(TransferStartedData)
	case EventTransferCompleted, EventTransferFailed:
		return new(TransferEndData)
	case EventParticipantStarted, EventParticipantAdded, EventParticipantFailed, EventParticipantLeft:
		return new(ParticipantData)
	case EventDeflected:
		return new(DeflectedData)
	case EventVoicemailStarted, EventVoicemailReceived:
		return new(VoicemailData)
	case EventFailed:
		return new(FailedData)
	case EventEnded:
		return new(EndedData)
	case EventWrappedUp:
		return new(WrappedUpData)
	case EventRated:
		return new(RatedData)
	case EventQueueAlert:
		return new(AlertData)
	case EventMessageSent:
		return new(MessageData)
	case EventMessageRecalled:
		return new(RecallData)
	case EventNoReply:
		return new(NoReplyData)
	case EventTagsChanged:
		return new(TagsData)
	case EventVisitorReminder, EventQueueReminder:
		return new(ReminderData)
	case EventRatingInvited:
		return new(RatingInvitedData)
	case EventProfileUpdated:
		return new(ProfileData)
	}
	return nil
}
