package switchboard

import "time"

// Session is the current state of one contact, folded from its event log. It
// is a projection: replaying the log through the lifecycle package rebuilds
// it exactly. Times are UTC with millisecond precision.
type Session struct {
	ID        int64       `json:"id"`
	UUID      string      `json:"uuid"`
	Type      SessionType `json:"type"`
	Medium    Medium      `json:"medium"`
	Direction Direction   `json:"direction"`
	Channel   Channel     `json:"channel"`
	Lang      string      `json:"lang"`
	Status    Status      `json:"status"`
	// Seq is the sequence number of the last event folded in; a command that
	// states an expected version compares against it.
	Seq int64 `json:"seq"`

	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	QueuedAt    *time.Time `json:"queued_at,omitempty"`
	AssignedAt  *time.Time `json:"assigned_at,omitempty"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	WrapUpAt    *time.Time `json:"wrap_up_at,omitempty"`

	EndUser        EndUser `json:"end_user"`
	SupportNumber  string  `json:"support_number,omitempty"`
	OutboundNumber string  `json:"outbound_number,omitempty"`
	Device         string  `json:"device,omitempty"`
	// Entry is the integration-given entry point (association) the contact
	// came through, for routing by entry.
	Entry string `json:"entry,omitempty"`

	// Queue is the queue the session is in or was last in.
	Queue *QueueRef `json:"queue,omitempty"`
	// MenuPath lists the queues (menu nodes) the session went through, in order.
	MenuPath []QueueRef `json:"menu_path,omitempty"`
	// Campaign holds the dialer mode of a campaign call.
	Campaign string `json:"campaign_mode,omitempty"`

	Agent        *AgentRef        `json:"agent,omitempty"`
	VirtualAgent *VirtualAgentRef `json:"virtual_agent,omitempty"`
	OnHold       bool             `json:"on_hold"`

	Participants []Participant   `json:"participants,omitempty"`
	Transfers    []Transfer      `json:"transfers,omitempty"`
	Holds        []Hold          `json:"holds,omitempty"`
	QueueWaits   []QueueWait     `json:"queue_waits,omitempty"`
	Handles      []HandleSegment `json:"handles,omitempty"`
	VAHandles    []VAHandle      `json:"va_handles,omitempty"`
	Deflections  []Deflection    `json:"deflections,omitempty"`
	Media        []MediaItem     `json:"media,omitempty"`
	TextInputs   []TextInput     `json:"text_inputs,omitempty"`
	SMS          []SMS           `json:"sms,omitempty"`

	FailReason      string `json:"fail_reason,omitempty"`
	FailDetails     string `json:"fail_details,omitempty"`
	FinishReason    string `json:"finish_reason,omitempty"`
	DisconnectedBy  string `json:"disconnected_by,omitempty"` // agent, end_user or system
	VoicemailReason string `json:"voicemail_reason,omitempty"`

	Rating   *int       `json:"rating,omitempty"`
	Feedback string     `json:"feedback,omitempty"`
	RatedAt  *time.Time `json:"rated_at,omitempty"`
	// RatingTags and Solved come with the first rating; Ratings counts
	// every rating given, RatingInvites every invitation sent.
	RatingTags      []string     `json:"rating_tags,omitempty"`
	Solved          *bool        `json:"solved,omitempty"`
	Ratings         int          `json:"ratings,omitempty"`
	RatingInvites   int          `json:"rating_invites,omitempty"`
	RatingInvitedAt *time.Time   `json:"rating_invited_at,omitempty"`
	Disposition     *Disposition `json:"disposition,omitempty"`
	Verified        bool         `json:"verified"`
	OutTicketID     string       `json:"out_ticket_id,omitempty"`
	OutTicketURL    string       `json:"out_ticket_url,omitempty"`

	RecordingPermission string `json:"recording_permission,omitempty"`
	RecordingURL        string `json:"recording_url,omitempty"`

	// Tags are the session tags agents (or timers) put on the session.
	Tags []TagRef `json:"tags,omitempty"`

	// Messages counts the chat's messages; the texts are in the log.
	Messages MessageStats `json:"messages,omitzero"`

	// MalformedEvents counts data-stream events whose foreign payload was
	// kept verbatim but could not be parsed.
	MalformedEvents int `json:"malformed_events,omitempty"`
}

// Message senders.
const (
	FromEndUser      = "end_user"
	FromAgent        = "agent"
	FromVirtualAgent = "virtual_agent"
	FromSystem       = "system"
)

// MessageStats sums up a chat's messages. The messages themselves are
// message_sent events of the session's log.
type MessageStats struct {
	// Count is the number of messages sent, recalled ones included;
	// Recalled how many of them were recalled.
	Count    int `json:"count"`
	Recalled int `json:"recalled,omitempty"`
	// AfterEnd counts the system notices sent after the end (closing
	// message, rating receipt): in the transcript, not in the conversation.
	AfterEnd int `json:"after_end,omitempty"`
	// EndUser and Agent count the messages each side sent (not recalled).
	EndUser      int        `json:"end_user"`
	Agent        int        `json:"agent"`
	FirstAt      *time.Time `json:"first_at,omitempty"`
	LastAt       *time.Time `json:"last_at,omitempty"`
	LastEndUser  *time.Time `json:"last_end_user_at,omitempty"`
	LastAgent    *time.Time `json:"last_agent_at,omitempty"`
	FirstAgentAt *time.Time `json:"first_agent_at,omitempty"`
	// AfterPickup counts the visitor's and agents' messages sent once an
	// agent had picked the chat up (the CSAT message threshold).
	AfterPickup int `json:"after_pickup,omitempty"`
	// Sides are the senders of the last 50 human messages, oldest first:
	// "v" for the visitor, "a" for an agent (the CSAT one-sided rule).
	Sides string `json:"sides,omitempty"`
	// Recent are the last messages, for recalling within a minute.
	Recent []MessageRef `json:"recent,omitempty"`
	// NoReplySince flags a chat whose agent did not answer in time: the
	// time of the visitor's unanswered message. The agent's next message
	// clears it.
	NoReplySince *time.Time `json:"no_reply_since,omitempty"`
	// Replies, ReplyMS and LongestReplyMS sum up the agents' reply times:
	// an agent message that follows end-user messages no agent has
	// answered yet is a reply, timed from the earliest of them (or from
	// the agent's pick-up, if later). AwaitingSince is the earliest
	// unanswered end-user message.
	Replies        int        `json:"replies,omitempty"`
	ReplyMS        int64      `json:"reply_ms,omitempty"`
	LongestReplyMS int64      `json:"longest_reply_ms,omitempty"`
	AwaitingSince  *time.Time `json:"awaiting_since,omitempty"`
}

// MessageRef identifies a recent message: its number, sender and time.
type MessageRef struct {
	ID       int64     `json:"id"`
	From     string    `json:"from"`
	AgentID  int64     `json:"agent_id,omitempty"`
	At       time.Time `json:"at"`
	Recalled bool      `json:"recalled,omitempty"`
}

// TagRef is a snapshot of a session tag.
type TagRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// EndUser is the customer side of a session.
type EndUser struct {
	ID           int64  `json:"id,omitempty"`
	Identifier   string `json:"identifier,omitempty"`
	Name         string `json:"name,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
	OutContactID string `json:"out_contact_id,omitempty"`
	// Tags are the customer's tags (e.g. "VIP"), used by routing: tags
	// mapped to priority levels order the queues (dispatch rules).
	Tags []string `json:"tags,omitempty"`
	// Profile holds the custom profile fields agents fill in.
	Profile map[string]string `json:"profile,omitempty"`
	// Region and Network are where the customer is and the network it
	// uses (its carrier or provider), as the integration that starts the
	// session knows them, e.g. "Shanghai Baoshan" and "China Mobile". The
	// desk's visitor nickname shows them (ChatSettings.VisitorNickname).
	Region  string `json:"region,omitempty"`
	Network string `json:"network,omitempty"`
}

// AgentRef is a snapshot of a human agent as it was when an event named it.
type AgentRef struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Email       string `json:"email,omitempty"`
	AgentNumber int64  `json:"agent_number,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
}

// VirtualAgentRef is a snapshot of a virtual agent.
type VirtualAgentRef struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Alias     string `json:"va_alias,omitempty"`
	AvatarURL string `json:"avatar_url,omitempty"`
}

// QueueRef is a snapshot of a queue (a leaf of the menu tree, or skill group).
type QueueRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ParentID int64  `json:"parent_id,omitempty"`
	// Path is the materialized path of queue IDs from the root, e.g. "2420/4563/6205".
	Path     string `json:"path"`
	MenuType string `json:"menu_type,omitempty"`
	Priority int    `json:"priority,omitempty"`
	// SupportNumber is the queue's public number (inbound voice).
	SupportNumber string `json:"support_number,omitempty"`
}

// Participant kinds.
const (
	ParticipantAgent        = "agent"
	ParticipantEndUser      = "end_user"
	ParticipantVirtualAgent = "virtual_agent"
	ParticipantThirdParty   = "third_party"
)

// Participant is one membership of a session. A participant who leaves and
// rejoins gets a new record (SPEC §1.3).
type Participant struct {
	ID          int64      `json:"id"`
	Type        string     `json:"type"`
	Status      string     `json:"status"` // connecting, connected, finished, failed
	UserID      int64      `json:"user_id,omitempty"`
	EndUserID   int64      `json:"end_user_id,omitempty"`
	Name        string     `json:"name,omitempty"`
	PhoneNumber string     `json:"phone_number,omitempty"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	FailReason  string     `json:"fail_reason,omitempty"`
}

// Transfer kinds and statuses.
const (
	TransferToAgent        = "agent"
	TransferToQueue        = "queue"
	TransferToVirtualAgent = "virtual_agent"

	TransferStarted   = "started"
	TransferCompleted = "completed"
	TransferFailed    = "failed"
)

// Transfer records one move of a session to another agent, queue or
// virtual agent (SPEC §1.4: transfer started / completed / failed).
type Transfer struct {
	ID               int64            `json:"id"`
	Kind             string           `json:"kind"`
	Status           string           `json:"status"`
	Overflow         bool             `json:"overflow,omitempty"`
	Confirm          bool             `json:"confirm,omitempty"`
	StartedAt        time.Time        `json:"started_at"`
	CompletedAt      *time.Time       `json:"completed_at,omitempty"`
	FailedAt         *time.Time       `json:"failed_at,omitempty"`
	FailReason       string           `json:"fail_reason,omitempty"`
	FromStatus       Status           `json:"from_status"`
	FromAgent        *AgentRef        `json:"from_agent,omitempty"`
	FromVirtualAgent *VirtualAgentRef `json:"from_virtual_agent,omitempty"`
	FromQueue        *QueueRef        `json:"from_queue,omitempty"`
	ToAgent          *AgentRef        `json:"to_agent,omitempty"`
	ToVirtualAgent   *VirtualAgentRef `json:"to_virtual_agent,omitempty"`
	ToQueue          *QueueRef        `json:"to_queue,omitempty"`
}

// Hold is one period in which the agent held the end user.
type Hold struct {
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	AgentID   int64      `json:"agent_id,omitempty"`
	// Interaction is the index in Handles of the agent interaction the hold
	// belongs to; a transfer starts a new interaction.
	Interaction int `json:"interaction"`
}

// Queue wait outcomes.
const (
	WaitAssigned     = "assigned"      // an agent picked it up
	WaitAbandoned    = "abandoned"     // the end user gave up
	WaitTimeout      = "timeout"       // the system ended it on queue timeout
	WaitVirtualAgent = "virtual_agent" // a virtual agent took it
	WaitDeflected    = "deflected"
	WaitVoicemail    = "voicemail"
	WaitFailed       = "failed"
	WaitEnded        = "ended" // ended for another reason
)

// QueueWait is one stay of the session in a queue.
type QueueWait struct {
	Queue      QueueRef   `json:"queue"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Outcome    string     `json:"outcome,omitempty"`
	TransferID int64      `json:"transfer_id,omitempty"`
	AgentID    int64      `json:"agent_id,omitempty"`
	Requeue    bool       `json:"requeue,omitempty"`
	// RuleID is the routing rule that chose the queue; PreferredAgentID the
	// agent it names, who gets the session first when free.
	RuleID           int64 `json:"rule_id,omitempty"`
	PreferredAgentID int64 `json:"preferred_agent_id,omitempty"`
}

// HandleSegment is one agent's handling of the session, from assignment
// until the agent leaves (transfer out or end) and, for the last agent,
// until wrap-up ends.
type HandleSegment struct {
	Agent       AgentRef   `json:"agent"`
	AssignedAt  time.Time  `json:"assigned_at"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
	WrapUpAt    *time.Time `json:"wrap_up_at,omitempty"`
	TransferIn  int64      `json:"transfer_in,omitempty"`
	TransferOut int64      `json:"transfer_out,omitempty"`
	// RoutingRule is the rule by which the router chose this agent
	// (least_load, longest_idle …); absent when assigned by hand. The full
	// reason — every candidate and why it was passed over — is in the
	// assigned event.
	RoutingRule string `json:"routing_rule,omitempty"`
}

// VAHandle is one virtual agent's handling of the session.
type VAHandle struct {
	VirtualAgent VirtualAgentRef `json:"virtual_agent"`
	StartedAt    time.Time       `json:"started_at"`
	ConnectedAt  *time.Time      `json:"connected_at,omitempty"`
	EndedAt      *time.Time      `json:"ended_at,omitempty"`
	FinishReason string          `json:"finish_reason,omitempty"`
	TransferID   int64           `json:"transfer_id,omitempty"`
}

// Deflection records a session completed by deflection (SPEC §1.3).
type Deflection struct {
	Deflection string    `json:"deflection"`
	Channel    string    `json:"channel,omitempty"`
	At         time.Time `json:"at"`
	FromQueue  *QueueRef `json:"from_queue,omitempty"`
}

// Disposition is the wrap-up code and notes an agent applies at the end.
type Disposition struct {
	Code         string    `json:"code"`
	CustomCodeID int64     `json:"custom_code_id,omitempty"`
	List         string    `json:"list,omitempty"`
	Note         string    `json:"note,omitempty"`
	AgentID      int64     `json:"agent_id,omitempty"`
	At           time.Time `json:"at"`
}

// MediaItem is a photo, screenshot or video uploaded through a smart action.
type MediaItem struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"` // photo, screenshot, video
	URL  string `json:"url"`
}

// TextInput is a smart-action text input from the end user.
type TextInput struct {
	Label string    `json:"label,omitempty"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
}

// SMS is an in-call or wait-time SMS sent to the end user.
type SMS struct {
	Kind string    `json:"kind"` // in_call, wait_time
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// CurrentHandle returns the open handle segment, or nil.
func (s *Session) CurrentHandle() *HandleSegment {
	if n := len(s.Handles); n > 0 && s.Handles[n-1].EndedAt == nil {
		return &s.Handles[n-1]
	}
	return nil
}

// CurrentWait returns the open queue wait, or nil.
func (s *Session) CurrentWait() *QueueWait {
	if n := len(s.QueueWaits); n > 0 && s.QueueWaits[n-1].EndedAt == nil {
		return &s.QueueWaits[n-1]
	}
	return nil
}

// PendingTransfer returns the transfer in progress, or nil.
func (s *Session) PendingTransfer() *Transfer {
	if n := len(s.Transfers); n > 0 && s.Transfers[n-1].Status == TransferStarted {
		return &s.Transfers[n-1]
	}
	return nil
}
