// Package metadata renders the session metadata file: one JSON record per
// session, compatible with the CCAI Platform call and chat session metadata
// formats (SPEC §1.3, reference/ccai-session-metadata.md). Voice sessions
// give a call record, chat sessions a chat record.
//
// The record is a pure function of the session projection: Build and Render
// read nothing but their arguments, so the same session always renders to
// the same bytes. docs/metadata.md gives the type, null rule, source and
// formula of every key.
//
// Conventions used by all types here: a *string, *int64 or *bool field is a
// key that may be JSON null; a field with omitempty is a key that may be
// absent; every other field is always present and never null. Arrays are
// never null (an empty array when there is nothing to list).
package metadata

import (
	"bytes"
	"encoding/json"
)

// Record is the metadata record of one session: exactly one of Call and
// Chat is set. It encodes as the set one.
type Record struct {
	Call *CallRecord
	Chat *ChatRecord
}

// MarshalJSON encodes the call or the chat record, compact. (json.Marshal
// then escapes <, > and & in strings; an Encoder with SetEscapeHTML(false)
// and Render do not.)
func (r Record) MarshalJSON() ([]byte, error) {
	b, err := encode(r.body(), "")
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b, []byte("\n")), nil
}

func (r Record) body() any {
	if r.Call != nil {
		return r.Call
	}
	return r.Chat
}

// encode marshals v without escaping <, > and & (URLs stay readable), with
// the given indent ("" for compact), followed by a newline.
func encode(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CallRecord is the CCAI call session metadata record (reference §2).
// Embedded blocks are shared with ChatRecord; their keys appear in place.
type CallRecord struct {
	ID            int64   `json:"id"`
	CallUUID      *string `json:"call_uuid"`
	Lang          string  `json:"lang"`
	CallType      string  `json:"call_type"`
	SessionType   string  `json:"session_type"`
	SessionTypeV2 string  `json:"session_type_v2"`
	Core
	CallDuration int64 `json:"call_duration"`
	Handling
	VoipProvider        string  `json:"voip_provider"`
	RecordingURL        *string `json:"recording_url"`
	RecordingPermission *string `json:"recording_permission"`
	VoicemailReason     string  `json:"voicemail_reason"`
	Outcome
	AdapterFailCode    *string `json:"adapter_fail_code"`
	AdapterFailMessage *string `json:"adapter_fail_message"`
	SupportNumber      *string `json:"support_number"`
	OutboundNumber     *string `json:"outbound_number"`
	Routing
	Participants []CallParticipant `json:"participants"`
	Activity
}

// ChatRecord is the CCAI chat session metadata record (reference §3).
type ChatRecord struct {
	ID            int64   `json:"id"`
	ChatUUID      *string `json:"chat_uuid"`
	Lang          string  `json:"lang"`
	ChatType      string  `json:"chat_type"`
	SessionType   string  `json:"session_type"`
	SessionTypeV2 string  `json:"session_type_v2"`
	Core
	FirstMsgSentAt *string `json:"first_msg_sent_at"`
	LastMsgSentAt  *string `json:"last_msg_sent_at"`
	ChatDuration   int64   `json:"chat_duration"`
	Handling
	MessageCount        *int64 `json:"message_count"`
	AverageResponseTime *int64 `json:"average_response_time"`
	LongestResponseTime *int64 `json:"longest_response_time"`
	Transcript          *bool  `json:"transcript"`
	Outcome
	Routing
	Participants []ChatParticipant `json:"participants"`
	Activity
}

// Core holds the status, the milestones and the waits.
type Core struct {
	Status        string  `json:"status"`
	SubStatus     *string `json:"sub_status"`
	CreatedAt     string  `json:"created_at"`
	QueuedAt      *string `json:"queued_at"`
	AssignedAt    *string `json:"assigned_at"`
	ConnectedAt   *string `json:"connected_at"`
	EndsAt        *string `json:"ends_at"`
	ScheduledAt   *string `json:"scheduled_at"`
	UpdatedAt     string  `json:"updated_at"`
	WaitDuration  int64   `json:"wait_duration"`
	QueueDuration int64   `json:"queue_duration"`
}

// Handling holds hold and handle times, the CSAT rating and the CRM ticket.
type Handling struct {
	HoldDuration      *int64  `json:"hold_duration"`
	TotalHoldDuration *int64  `json:"total_hold_duration"`
	HandleDuration    *int64  `json:"handle_duration"`
	Rating            *int    `json:"rating"`
	Feedback          *string `json:"feedback"`
	HasFeedback       bool    `json:"has_feedback"`
	Verified          bool    `json:"verified"`
	OutTicketID       *string `json:"out_ticket_id"`
	OutTicketURL      *string `json:"out_ticket_url"`
}

// Outcome holds how the session ended.
type Outcome struct {
	Deflection        string             `json:"deflection"`
	DeflectionDetails []DeflectionDetail `json:"deflection_details"`
	DisconnectedBy    *string            `json:"disconnected_by"`
	FinishReason      *string            `json:"finish_reason"`
	FailReason        string             `json:"fail_reason"`
	FailDetails       *string            `json:"fail_details"`
}

// Routing holds where the session went and who handled it.
type Routing struct {
	SelectedMenu  *SelectedMenu `json:"selected_menu"`
	MenuPath      *MenuPath     `json:"menu_path"`
	QueuePriority *int64        `json:"queue_priority"`
	AnswerType    *string       `json:"answer_type"`
	// AgentInfo is nil (the key is absent) when no one handled the session,
	// and for calls also when both a human and a virtual agent did.
	AgentInfo *AgentInfo `json:"agent_info,omitempty"`
	EndUser   EndUser    `json:"end_user"`
}

// Activity holds the per-item lists and the Switchboard additions.
type Activity struct {
	Transfers                   []TransferItem     `json:"transfers"`
	Transferred                 bool               `json:"transferred"`
	Escalations                 []Escalation       `json:"escalations"`
	VirtualAgentHandleDurations []VAHandleDuration `json:"virtual_agent_handle_durations"`
	HandleDurations             []HandleDuration   `json:"handle_durations"`
	QueueDurations              []QueueDuration    `json:"queue_durations"`
	Disposition                 *Disposition       `json:"disposition"`
	Notes                       *string            `json:"notes"`
	SmartActions                SmartActions       `json:"smart_actions"`
	Photos                      []Photo            `json:"photos"`
	Videos                      []Video            `json:"videos"`
	InCallSMS                   []SMS              `json:"in_call_sms"`
	WaitTimeSMS                 []SMS              `json:"wait_time_sms"`
}

// AgentInfo is a human agent or a virtual agent (the CCAI agent and
// virtual_agent shapes): the shared keys, then the keys of one variant.
// Exactly one of HumanAgentInfo and VirtualAgentInfo is set.
type AgentInfo struct {
	ID        int64   `json:"id"`
	Name      *string `json:"name"`
	AvatarURL *string `json:"avatar_url"`
	*HumanAgentInfo
	*VirtualAgentInfo
}

// HumanAgentInfo holds the keys only the human variant has.
type HumanAgentInfo struct {
	Email       *string `json:"email"`
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	AgentNumber *int64  `json:"agent_number"`
}

// VirtualAgentInfo holds the key only the virtual-agent variant has.
type VirtualAgentInfo struct {
	VAAlias *string `json:"va_alias"`
}

// SelectedMenu is the queue (menu node) the session was last in.
type SelectedMenu struct {
	ID        int64   `json:"id"`
	Name      *string `json:"name"`
	ParentID  *int64  `json:"parent_id"`
	Position  *int64  `json:"position"`
	Deleted   *bool   `json:"deleted"`
	Hidden    *bool   `json:"hidden"`
	MenuType  *string `json:"menu_type"`
	OutputMsg *string `json:"output_msg"`
}

// MenuPath describes a queue by its leaf name and materialized path.
type MenuPath struct {
	Name             *string `json:"name"`
	MaterializedPath *string `json:"materialized_path"`
	ItemsCount       *int64  `json:"items_count"`
	MenuType         *string `json:"menu_type"`
}

// EndUser is the end-user reference.
type EndUser struct {
	ID           *int64  `json:"id"`
	Identifier   *string `json:"identifier"`
	OutContactID *string `json:"out_contact_id"`
}

// DeflectionDetail is one deflection. CallID is set in call records and
// ChatID in chat records; the other key is absent.
type DeflectionDetail struct {
	ID           int64     `json:"id"`
	CallID       *int64    `json:"call_id,omitempty"`
	ChatID       *int64    `json:"chat_id,omitempty"`
	TransferID   *int64    `json:"transfer_id"`
	Deflection   string    `json:"deflection"`
	FromMenuPath *MenuPath `json:"from_menu_path"`
	Channel      *string   `json:"channel"`
	DeflectedAt  string    `json:"deflected_at"`
}

// CallParticipant is one membership of a call.
type CallParticipant struct {
	ID           int64   `json:"id"`
	CallID       int64   `json:"call_id"`
	Type         string  `json:"type"`
	Status       string  `json:"status"`
	UserID       *int64  `json:"user_id"`
	EndUserID    *int64  `json:"end_user_id"`
	ConnectedAt  *string `json:"connected_at"`
	EndedAt      *string `json:"ended_at"`
	CallDuration *int64  `json:"call_duration"`
	HoldDuration *int64  `json:"hold_duration"`
	FailReason   *string `json:"fail_reason"`
	PhoneNumber  *string `json:"phone_number"`
}

// ChatParticipant is one membership of a chat.
type ChatParticipant struct {
	ID           int64   `json:"id"`
	ChatID       int64   `json:"chat_id"`
	Type         string  `json:"type"`
	Status       string  `json:"status"`
	UserID       *int64  `json:"user_id"`
	EndUserID    *int64  `json:"end_user_id"`
	ConnectedAt  *string `json:"connected_at"`
	FinishedAt   *string `json:"finished_at"`
	ChatDuration *int64  `json:"chat_duration"`
	FailReason   *string `json:"fail_reason"`
	PhoneNumber  *string `json:"phone_number"`
}

// TransferItem is one transfer. Chat records keep the call_duration key
// (as the tap-ujet chat schema does).
type TransferItem struct {
	ID               int64      `json:"id"`
	Status           string     `json:"status"`
	CreatedAt        string     `json:"created_at"`
	UpdatedAt        string     `json:"updated_at"`
	AssignedAt       *string    `json:"assigned_at"`
	ConnectedAt      *string    `json:"connected_at"`
	WaitDuration     int64      `json:"wait_duration"`
	CallDuration     *int64     `json:"call_duration"`
	FromAgent        *AgentInfo `json:"from_agent"`
	ToAgent          *AgentInfo `json:"to_agent"`
	FromVirtualAgent *AgentInfo `json:"from_virtual_agent"`
	ToVirtualAgent   *AgentInfo `json:"to_virtual_agent"`
	FromMenuPath     *MenuPath  `json:"from_menu_path"`
	ToMenuPath       *MenuPath  `json:"to_menu_path"`
	FailReason       *string    `json:"fail_reason"`
	Kind             string     `json:"kind"`
	Overflow         bool       `json:"overflow"`
}

// Escalation is one hand-off from a virtual agent to a queue or an agent.
type Escalation struct {
	ID               int64      `json:"id"`
	Status           string     `json:"status"`
	Reason           string     `json:"reason"`
	CreatedAt        string     `json:"created_at"`
	FromVirtualAgent AgentInfo  `json:"from_virtual_agent"`
	ToVirtualAgent   *AgentInfo `json:"to_virtual_agent"`
	ToAgent          *AgentInfo `json:"to_agent"`
	ToMenuPath       *MenuPath  `json:"to_menu_path"`
	TransferID       *int64     `json:"transfer_id"`
}

// VAHandleDuration is one virtual agent's handling segment. CallDuration
// is set in call records and ChatDuration in chat records.
type VAHandleDuration struct {
	ID               int64     `json:"id"`
	VirtualAgent     AgentInfo `json:"virtual_agent"`
	StartedAt        string    `json:"started_at"`
	EndedAt          *string   `json:"ended_at"`
	CallDuration     *int64    `json:"call_duration,omitempty"`
	ChatDuration     *int64    `json:"chat_duration,omitempty"`
	EscalationReason *string   `json:"escalation_reason"`
	FinishReason     *string   `json:"finish_reason"`
	TransferID       *int64    `json:"transfer_id"`
}

// HandleDuration is one human agent's handling segment. CallDuration is
// set in call records and ChatDuration in chat records.
type HandleDuration struct {
	ID             int64   `json:"id"`
	AgentID        int64   `json:"agent_id"`
	StartedAt      string  `json:"started_at"`
	EndedAt        *string `json:"ended_at"`
	CallDuration   *int64  `json:"call_duration,omitempty"`
	ChatDuration   *int64  `json:"chat_duration,omitempty"`
	HoldDuration   int64   `json:"hold_duration"`
	ACWDuration    int64   `json:"acw_duration"`
	BCWDuration    int64   `json:"bcw_duration"`
	HandleDuration int64   `json:"handle_duration"`
}

// QueueDuration is one stay in a queue.
type QueueDuration struct {
	ID            int64    `json:"id"`
	MenuPath      MenuPath `json:"menu_path"`
	StartedAt     string   `json:"started_at"`
	EndedAt       *string  `json:"ended_at"`
	QueueDuration int64    `json:"queue_duration"`
	TransferID    *int64   `json:"transfer_id"`
	Transfer      bool     `json:"transfer"`
	AgentID       *int64   `json:"agent_id"`
	Outcome       *string  `json:"outcome"`
	Requeue       bool     `json:"requeue"`
}

// Disposition is the wrap-up code and notes.
type Disposition struct {
	Code         string  `json:"code"`
	CustomCodeID *int64  `json:"custom_code_id"`
	List         *string `json:"list"`
	Note         *string `json:"note"`
	AgentID      *int64  `json:"agent_id"`
	CreatedAt    string  `json:"created_at"`
}

// SmartActions summarizes the smart-action results.
type SmartActions struct {
	Verified   bool        `json:"verified"`
	Photos     bool        `json:"photos"`
	Videos     bool        `json:"videos"`
	TextInputs []TextInput `json:"text_inputs"`
}

// TextInput is one smart-action text input.
type TextInput struct {
	Label     *string `json:"label"`
	Text      string  `json:"text"`
	CreatedAt string  `json:"created_at"`
}

// Photo is a smart-action photo or screenshot.
type Photo struct {
	ID        int64  `json:"id"`
	PhotoType string `json:"photo_type"`
	URL       string `json:"url"`
}

// Video is a smart-action video.
type Video struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// SMS is one in-call or wait-time SMS.
type SMS struct {
	Text   string `json:"text"`
	SentAt string `json:"sent_at"`
}
