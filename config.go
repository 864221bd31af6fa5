package switchboard

import (
	"context"
	"slices"
	"time"
)

// Roles a principal can have (DESIGN §6).
const (
	RoleAdmin       = "admin"
	RoleSupervisor  = "supervisor"
	RoleAgent       = "agent"
	RoleIntegration = "integration"
)

// Token is an API credential. Only a hash of its secret is stored.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	AgentID   int64      `json:"agent_id,omitempty"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Agent is a human agent as configured by administrators.
type Agent struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Nickname    string `json:"nickname,omitempty"`
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	Email       string `json:"email"`
	AgentNumber int64  `json:"agent_number,omitempty"`
	AvatarURL   string `json:"avatar_url,omitempty"`
	// Groups are the queues (skill groups) the agent is a member of.
	Groups []int64 `json:"groups"`
	// MaxConcurrent is how many sessions the agent handles at once, 1 to
	// 99 (default 5); beyond it visitors wait in the queue.
	MaxConcurrent int `json:"max_concurrent"`
	// Status is the agent's availability; it changes through the status
	// call, not by replacing the agent.
	Status      AgentStatus `json:"status"`
	StatusSince time.Time   `json:"status_since"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// AgentStatus is an agent's availability (SPEC §2.1).
type AgentStatus string

// Agent statuses: online and invisible agents receive sessions (invisible
// ones look offline to visitors); busy and away agents receive none;
// offline agents are logged out.
const (
	AgentOnline    AgentStatus = "online"
	AgentInvisible AgentStatus = "invisible"
	AgentBusy      AgentStatus = "busy"
	AgentAway      AgentStatus = "away"
	AgentOffline   AgentStatus = "offline"
)

// Valid reports whether s is a known agent status.
func (s AgentStatus) Valid() bool {
	switch s {
	case AgentOnline, AgentInvisible, AgentBusy, AgentAway, AgentOffline:
		return true
	}
	return false
}

// DefaultMaxConcurrent is an agent's concurrent-session limit unless set.
const DefaultMaxConcurrent = 5

// Ref returns the snapshot events record for a.
func (a *Agent) Ref() AgentRef {
	return AgentRef{ID: a.ID, Name: a.Name, FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, AgentNumber: a.AgentNumber, AvatarURL: a.AvatarURL}
}

// VirtualAgent is a configured virtual agent (bot).
type VirtualAgent struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Alias     string    `json:"va_alias,omitempty"`
	AvatarURL string    `json:"avatar_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ref returns the snapshot events record for v.
func (v *VirtualAgent) Ref() VirtualAgentRef {
	return VirtualAgentRef{ID: v.ID, Name: v.Name, Alias: v.Alias, AvatarURL: v.AvatarURL}
}

// Queue is a node of the menu tree that sessions wait in (a skill group).
type Queue struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	ParentID      int64  `json:"parent_id,omitempty"`
	Priority      int    `json:"priority"`
	MenuType      string `json:"menu_type,omitempty"`
	SupportNumber string `json:"support_number,omitempty"`
	// Greeting is sent in work hours after the visitor's first message or
	// on a transfer into the group (SPEC §4.5), at most 1000 characters.
	Greeting string `json:"greeting,omitempty"`
	// AfterHoursNotice is sent instead outside the group's work hours.
	AfterHoursNotice string `json:"after_hours_notice,omitempty"`
	// WorkTimePlanID names the group's work hours (0: always open).
	WorkTimePlanID int64     `json:"work_time_plan_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// CustomerTag is a tag of customers (SPEC §4.6), with the priority level
// it gives them in queues (dispatch rules, SPEC §4.2): 0 (none) to 9.
type CustomerTag struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Level     int       `json:"level"`
	Color     string    `json:"color,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QueueRule acts when more than Threshold sessions wait in a group (SPEC
// §4.2): the new arrival overflows to another group, so the group holds at
// most Threshold, and/or administrators are notified. Enabled rules may
// not cover the same group.
type QueueRule struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Enabled   bool   `json:"enabled"`
	Threshold int    `json:"threshold"`
	// AllGroups applies the rule to every group; otherwise to Groups.
	AllGroups    bool      `json:"all_groups"`
	Groups       []int64   `json:"groups"`
	OverflowTo   int64     `json:"overflow_to,omitempty"`
	NotifyAdmins bool      `json:"notify_admins"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Covers reports whether the rule applies to a group.
func (r *QueueRule) Covers(group int64) bool {
	return r.AllGroups || slices.Contains(r.Groups, group)
}

// SessionTag is a tag agents put on sessions (SPEC §4.6): a tree of up to
// 10 levels, at most 30 first-level tags and 1000 in all, maintained by
// administrators. Position orders a tag among its siblings.
type SessionTag struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	ParentID  int64     `json:"parent_id,omitempty"`
	Color     string    `json:"color,omitempty"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Routing rule match kinds (SPEC §4.2).
const (
	MatchChannel     = "channel"      // the session's channel: web, mini_program …
	MatchCustomerTag = "customer_tag" // business info: a customer tag such as VIP
	MatchEntry       = "entry"        // the entry point or association the integration gives
)

// RouteTarget is where a routing rule sends a session: a group, or an
// agent (through the agent's first group, with that agent preferred).
type RouteTarget struct {
	QueueID int64 `json:"queue_id,omitempty"`
	AgentID int64 `json:"agent_id,omitempty"`
}

// RoutingRule sends matching sessions to a group or an agent (SPEC §4.2).
// Rules are tried by Position; a rule naming an agent beats one naming a
// group, and a customer-tag rule naming an agent beats the order.
type RoutingRule struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enabled  bool   `json:"enabled"`
	Position int    `json:"position"`
	Match    string `json:"match"`
	// Value is what the match compares: a channel, a tag or an entry.
	Value  string      `json:"value"`
	Target RouteTarget `json:"target"`
	// OffHours is the target outside the rule's work-time plan; absent:
	// the same target at all times.
	OffHours       *RouteTarget `json:"off_hours,omitempty"`
	WorkTimePlanID int64        `json:"work_time_plan_id,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// RoutingSettings are the routing switches of SPEC §4.3.
type RoutingSettings struct {
	// FamiliarCustomer sends a returning customer to the agent who served
	// them last ("last_agent") or most ("most_served"); "" is off.
	FamiliarCustomer string `json:"familiar_customer"`
	// OnlyWorkHours assigns automatically only during a group's work hours.
	OnlyWorkHours bool `json:"only_work_hours"`
	// OnlyOnlineAgents assigns only to online (or invisible) agents; when
	// off, logged-out agents receive sessions too. Busy and away agents
	// never do.
	OnlyOnlineAgents bool `json:"only_online_agents"`
	// TransferConfirmation makes every transfer to an agent wait for the
	// receiver to accept it.
	TransferConfirmation bool `json:"transfer_confirmation"`
	// NoGreetingOnTransfer keeps a group's greeting from being sent when a
	// session is transferred into the group.
	NoGreetingOnTransfer bool `json:"no_greeting_on_transfer"`
	// TransferTimeoutSeconds is how long a transfer waits for the receiver
	// before it fails and the session stays with the sender (5 to 3600).
	TransferTimeoutSeconds int `json:"transfer_timeout_seconds"`
	// QueueTimeoutSeconds ends a session that has waited this long in a
	// queue, as a system drop (queue timeout end, SPEC §4.3); 0 is off.
	QueueTimeoutSeconds int `json:"queue_timeout_seconds"`
	// QueueTimeoutAction is what the queue timeout does: "end" the chat
	// (the default), sending QueueTimeoutText first if set, or
	// "keep_waiting": send QueueTimeoutText and let the visitor wait on.
	QueueTimeoutAction string `json:"queue_timeout_action,omitempty"`
	QueueTimeoutText   string `json:"queue_timeout_text,omitempty"`
	// QueueReminderSeconds: a chat waiting in a queue gets
	// QueueReminderText every this many seconds, up to QueueReminders
	// times, while QueueReminderPlanID (the effective period; 0: always)
	// is open. QueueReminderLeaveMessage offers the leave-message form
	// with each reminder. 0 is off.
	QueueReminderSeconds      int    `json:"queue_reminder_seconds"`
	QueueReminders            int    `json:"queue_reminders"`
	QueueReminderText         string `json:"queue_reminder_text,omitempty"`
	QueueReminderLeaveMessage bool   `json:"queue_reminder_leave_message"`
	QueueReminderPlanID       int64  `json:"queue_reminder_plan_id,omitempty"`
	// AgentNoReplySeconds: when the agent has not answered the visitor's
	// message for this long, a no_reply alert is recorded for
	// administrators (and the desk highlights the session), and the
	// visitor is sent AgentNoReplyPrompt if set. 0 is off.
	AgentNoReplySeconds int    `json:"agent_no_reply_seconds"`
	AgentNoReplyPrompt  string `json:"agent_no_reply_prompt,omitempty"`
	// VisitorNoReplySeconds: when the visitor has not answered the agent
	// for this long, they get VisitorReminderText, up to VisitorReminders
	// times at this interval; then the system ends the chat. 0 is off.
	VisitorNoReplySeconds int    `json:"visitor_no_reply_seconds"`
	VisitorReminders      int    `json:"visitor_reminders"`
	VisitorReminderText   string `json:"visitor_reminder_text,omitempty"`
	// InactiveSeconds ends a chat in which neither side has written for
	// this long. 0 is off.
	InactiveSeconds int `json:"inactive_seconds"`
	// The session tags added to a session a timer ends: by the queue
	// timeout, by the visitor no-reply countdown, for inactivity (0: none).
	QueueTimeoutTagID   int64 `json:"queue_timeout_tag_id,omitempty"`
	VisitorNoReplyTagID int64 `json:"visitor_no_reply_tag_id,omitempty"`
	InactiveTagID       int64 `json:"inactive_tag_id,omitempty"`
	// AfterHours says, per channel, what a session that arrives outside its
	// queue's work hours meets (SPEC §2.6): "leave_message" (the message
	// form) or "message" (a default message) deflect it; "open_chat", or no
	// entry, lets it wait as usual.
	AfterHours map[Channel]string `json:"after_hours,omitempty"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

// After-hours behaviours and the deflections they record.
const (
	AfterHoursLeaveMessage = "leave_message"
	AfterHoursMessage      = "message"
	AfterHoursOpenChat     = "open_chat"

	DeflectionAfterHoursLeaveMessage = "after_hours_leave_message"
	DeflectionAfterHoursMessageOnly  = "after_hours_message_only"
)

// DefaultRoutingSettings are the settings before an administrator changes them.
func DefaultRoutingSettings() RoutingSettings {
	return RoutingSettings{OnlyOnlineAgents: true, TransferTimeoutSeconds: 60}
}

// ConfigStore keeps configuration documents (agents, virtual agents,
// queues) by kind and ID, and API tokens.
type ConfigStore interface {
	PutConfig(ctx context.Context, kind string, id int64, doc []byte) error
	DeleteConfig(ctx context.Context, kind string, id int64) error
	// NextConfigID hands out a new ID for a document of kind: one never
	// handed out or stored before, even if that document was deleted since.
	NextConfigID(ctx context.Context, kind string) (int64, error)
	// ConfigDocs returns every document of a kind, by ascending ID.
	ConfigDocs(ctx context.Context, kind string) ([][]byte, error)

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
}
