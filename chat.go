package switchboard

import "time"

// This file holds the live-chat configuration and records of SPEC §2 and
// §4.3–§4.6: people who log in, web plugins, quick replies, leave-message
// templates and offline messages, attachments, and the chat and CSAT
// settings.

// RoleVisitor is the role of a website visitor, authenticated by a signed
// visitor token rather than a stored credential.
const RoleVisitor = "visitor"

// User is a person who logs in to the agent desk or the admin console with
// an e-mail address and a password. An agent user acts as AgentID.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	// Role is admin, supervisor or agent.
	Role    string `json:"role"`
	AgentID int64  `json:"agent_id,omitempty"`
	// PasswordHash is an argon2id PHC string; never leaves the server.
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Web plugin quick buttons (SPEC §2.2).
const (
	ButtonHuman        = "human"
	ButtonRate         = "rate"
	ButtonLeaveMessage = "leave_message"
)

// Web plugin toolbar tools (SPEC §2.2).
const (
	ToolEmoji      = "emoji"
	ToolImage      = "image"
	ToolAttachment = "attachment"
	ToolRating     = "rating"
	ToolMessage    = "message"
)

// WebPlugin is a web access channel (SPEC §2.6): the widget a site embeds
// with a script snippet, or links to as a hosted chat page.
type WebPlugin struct {
	ID int64 `json:"id"`
	// Key is the public, URL-safe identifier the embed code carries.
	Key        string `json:"key"`
	Name       string `json:"name"`
	LogoURL    string `json:"logo_url,omitempty"`
	ThemeColor string `json:"theme_color"` // #rrggbb
	Title      string `json:"title"`
	Banner     string `json:"banner,omitempty"`
	// Entry is passed to routing as the session's entry (association).
	Entry string `json:"entry,omitempty"`
	// QueueID is the skill group the plugin's chats go to when no routing
	// rule matches them (0: none; the routing rules must then place them).
	QueueID      int64         `json:"queue_id,omitempty"`
	Sidebar      PluginSidebar `json:"sidebar"`
	QuickButtons []string      `json:"quick_buttons"`
	Toolbar      []string      `json:"toolbar"`
	// AfterHours is what a visitor meets outside work hours:
	// AfterHoursLeaveMessage, AfterHoursMessage or AfterHoursOpenChat.
	AfterHours     string `json:"after_hours"`
	AfterHoursText string `json:"after_hours_text,omitempty"`
	// OfflineMessages lets visitors leave a message during a chat.
	OfflineMessages bool `json:"offline_messages"`
	// LeaveMessageTemplateID is the form of offline messages (0: default).
	LeaveMessageTemplateID int64            `json:"leave_message_template_id,omitempty"`
	Invitations            []AutoInvitation `json:"invitations,omitempty"`
	// IdentitySecret signs verified visitor identities:
	// hex(HMAC-SHA256(secret, user_id)). Shown to administrators only.
	IdentitySecret string    `json:"identity_secret,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PluginSidebar is the widget's read-only sidebar.
type PluginSidebar struct {
	FAQ []FAQItem `json:"faq,omitempty"`
	// SelfService are questions the visitor can send with one click.
	SelfService []string `json:"self_service,omitempty"`
	MenuURL     string   `json:"menu_url,omitempty"`
}

// FAQItem is a question and its answer.
type FAQItem struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// AutoInvitation opens the chat invitation on a page: after AfterSeconds
// on any page, or on pages whose URL contains URLContains (both: both).
type AutoInvitation struct {
	AfterSeconds int    `json:"after_seconds,omitempty"`
	URLContains  string `json:"url_contains,omitempty"`
	Text         string `json:"text"`
}

// QuickReplyCategory groups quick replies. AgentID is 0 for public
// categories (administrators manage them) and the owner for personal ones.
type QuickReplyCategory struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	AgentID   int64     `json:"agent_id,omitempty"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QuickReply is a canned answer an agent inserts with "/" and its shortcut
// word (SPEC §2.4). AgentID is 0 for public replies.
type QuickReply struct {
	ID         int64     `json:"id"`
	CategoryID int64     `json:"category_id,omitempty"`
	AgentID    int64     `json:"agent_id,omitempty"`
	Shortcut   string    `json:"shortcut"`
	Content    string    `json:"content"`
	Position   int       `json:"position"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// LeaveMessageTemplate defines the form of an offline message (SPEC §2.3).
type LeaveMessageTemplate struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Intro     string          `json:"intro,omitempty"`
	Fields    []TemplateField `json:"fields"`
	Default   bool            `json:"default"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// TemplateField is one input of a leave-message form. Type is text,
// textarea, email, phone or select (with Options).
type TemplateField struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []string `json:"options,omitempty"`
}

// Offline message statuses (SPEC §2.3).
const (
	OfflineUnprocessed = "unprocessed"
	OfflineProcessing  = "processing"
	OfflineProcessed   = "processed"
)

// OfflineMessage is a message a visitor left through the leave-message form.
type OfflineMessage struct {
	ID         int64  `json:"id"`
	PluginID   int64  `json:"plugin_id,omitempty"`
	TemplateID int64  `json:"template_id,omitempty"`
	VisitorID  string `json:"visitor_id,omitempty"`
	// SessionID is the chat the message was left from, if any.
	SessionID int64  `json:"session_id,omitempty"`
	QueueID   int64  `json:"queue_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// Fields are the template's other answers, by field key.
	Fields  map[string]string `json:"fields,omitempty"`
	Content string            `json:"content"`
	Status  string            `json:"status"`
	// AssigneeID is the agent handling it (0: unassigned).
	AssigneeID  int64      `json:"assignee_id,omitempty"`
	Note        string     `json:"note,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ProcessedAt *time.Time `json:"processed_at,omitempty"`
}

// Attachment is a file or image sent in a chat, kept in the blob store.
type Attachment struct {
	ID          int64  `json:"id"`
	SessionID   int64  `json:"session_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Kind is "image" (shown inline, with a thumbnail) or "file".
	Kind   string `json:"kind"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	// UploadedBy is end_user or agent; AgentID is the agent's.
	UploadedBy string    `json:"uploaded_by"`
	AgentID    int64     `json:"agent_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// AttachmentRef is the snapshot of an attachment a message carries.
type AttachmentRef struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Kind        string `json:"kind"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// Ref returns the snapshot a message records of a.
func (a *Attachment) Ref() AttachmentRef {
	return AttachmentRef{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, Kind: a.Kind,
		Width: a.Width, Height: a.Height}
}

// SystemText is a system message that administrators switch on or off.
type SystemText struct {
	Enabled bool   `json:"enabled"`
	Text    string `json:"text"`
}

// On reports whether the message is switched on and has a text.
func (t SystemText) On() bool { return t.Enabled && t.Text != "" }

// ChatSettings are the feature settings of SPEC §4.3 that shape chats and
// the desk (the routing switches are in RoutingSettings).
type ChatSettings struct {
	// DispatcherNickname names the system while a visitor is queued and
	// signs the welcome message.
	DispatcherNickname string `json:"dispatcher_nickname"`
	// Welcome is sent when a chat starts, before the first message;
	// CompanyGreeting after the visitor's first message; Closing when the
	// chat ends; NoFreeAgent when a chat queues and no agent is free.
	Welcome         SystemText `json:"welcome"`
	CompanyGreeting SystemText `json:"company_greeting"`
	Closing         SystemText `json:"closing"`
	NoFreeAgent     SystemText `json:"no_free_agent"`
	// ShowAgentNickname shows visitors the agent's nickname rather than
	// their name; HideAgentStatus hides whether agents are online.
	ShowAgentNickname bool `json:"show_agent_nickname"`
	HideAgentStatus   bool `json:"hide_agent_status"`
	// NewMessageToTop moves a session to the top of the desk list when
	// the visitor writes.
	NewMessageToTop bool `json:"new_message_to_top"`
	// AgentsMayPin lets agents pin sessions; AgentsMayViewWaiting lets
	// them read waiting sessions before accepting (off, the server shows
	// agents only that a chat waits).
	AgentsMayPin         bool `json:"agents_may_pin"`
	AgentsMayViewWaiting bool `json:"agents_may_view_waiting"`
	// ShowVisitorName names the visitor of a chat an agent handles by its
	// name, when it has one, rather than by the nickname.
	ShowVisitorName bool `json:"show_visitor_name"`
	// VisitorNickname is the format of the visitor nickname the desk
	// lists: the name with the region, the network, the date or all.
	VisitorNickname string `json:"visitor_nickname"`
	// CountFromLastMessage counts the desk's duration of a chat from the
	// last message of either side rather than from the pick-up.
	CountFromLastMessage bool `json:"count_from_last_message"`
	// DispositionCodes are the wrap-up codes agents choose from.
	DispositionCodes []string `json:"disposition_codes,omitempty"`
	// MaxUploadBytes caps attachments (default 10 MiB).
	MaxUploadBytes int64     `json:"max_upload_bytes"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DefaultChatSettings are the chat settings before an administrator
// changes them.
func DefaultChatSettings() ChatSettings {
	return ChatSettings{DispatcherNickname: "Assistant", NewMessageToTop: true, AgentsMayPin: true,
		AgentsMayViewWaiting: true, VisitorNickname: "date", MaxUploadBytes: 10 << 20}
}

// Rating attribution: a rating counts for every agent of the session, or
// only for the last one (SPEC §4.4).
const (
	RatingAllAgents = "all_agents"
	RatingLastAgent = "last_agent"
)

// CSATSettings are the satisfaction rules of SPEC §4.4.
type CSATSettings struct {
	// AutoInvite invites a rating when a chat ends, if no agent invited
	// and the visitor did not rate; never for chats the system ended.
	AutoInvite bool `json:"auto_invite"`
	// MinMessages invites only when at least this many human messages
	// were sent after the pick-up (0: any).
	MinMessages int `json:"min_messages"`
	// SkipOneSided invites only when both sides wrote within the last 50
	// human messages.
	SkipOneSided bool `json:"skip_one_sided"`
	// DeadlineSeconds refuses ratings this long after the chat ended (0:
	// no deadline). Late ratings are not recorded.
	DeadlineSeconds int `json:"deadline_seconds"`
	// Receipt is sent to the visitor after a rating.
	Receipt string `json:"receipt,omitempty"`
	// Attribution is RatingAllAgents or RatingLastAgent.
	Attribution  string `json:"attribution"`
	SolvedPrompt string `json:"solved_prompt,omitempty"`
	ScorePrompt  string `json:"score_prompt,omitempty"`
	// Scores are the five stars' texts and tags, one star first.
	Scores []ScoreOption `json:"scores"`
	// AgentsSeeRatings shows agents the ratings visitors give; off, the
	// server keeps the score, comment, tags and solved answer from them.
	AgentsSeeRatings bool      `json:"agents_see_ratings"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// ScoreOption is the text and the tags a visitor may pick for one score.
type ScoreOption struct {
	Stars int      `json:"stars"`
	Text  string   `json:"text"`
	Tags  []string `json:"tags,omitempty"`
}

// DefaultCSATSettings are the CSAT settings before an administrator
// changes them.
func DefaultCSATSettings() CSATSettings {
	return CSATSettings{AutoInvite: true, SkipOneSided: true, Attribution: RatingAllAgents,
		SolvedPrompt: "Was your problem solved?", ScorePrompt: "How would you rate this chat?",
		Receipt: "Thank you for your feedback!",
		Scores: []ScoreOption{
			{Stars: 1, Text: "Very dissatisfied", Tags: []string{"Slow reply", "Not helpful"}},
			{Stars: 2, Text: "Dissatisfied", Tags: []string{"Slow reply", "Not helpful"}},
			{Stars: 3, Text: "Neutral"},
			{Stars: 4, Text: "Satisfied", Tags: []string{"Friendly", "Quick"}},
			{Stars: 5, Text: "Very satisfied", Tags: []string{"Friendly", "Quick", "Solved my problem"}},
		}}
}
