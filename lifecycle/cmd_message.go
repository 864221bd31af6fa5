package lifecycle

import (
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// MaxMessageLength is the longest chat message, in characters.
const MaxMessageLength = 5000

// RecallWindow is how long after sending a message its sender may recall it.
const RecallWindow = time.Minute

// recentMessages is how many recent messages a session remembers for recall.
const recentMessages = 10

// sidesKept is how many human messages' senders a session remembers: the
// CSAT one-sided rule looks at the last 50 (SPEC §4.4).
const sidesKept = 50

// MessageData is the data of message_sent.
type MessageData struct {
	// ID numbers the session's messages 1, 2, 3 …
	ID      int64  `json:"id"`
	From    string `json:"from"`
	AgentID int64  `json:"agent_id,omitempty"`
	// AgentName is the sending agent's name when it wrote, for staff
	// (visitors see Nickname, never this).
	AgentName string `json:"agent_name,omitempty"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	// ClientID is the sender's own identifier of the message, echoed back.
	ClientID string `json:"client_id,omitempty"`
	// Actions are buttons offered with a system message, e.g. leave_message.
	Actions []string `json:"actions,omitempty"`
	// Purpose says what a system message is for: welcome,
	// company_greeting, group_greeting, closing, no_free_agent,
	// agent_no_reply, visitor_reminder, queue_reminder or queue_timeout.
	Purpose string `json:"purpose,omitempty"`
	// Nickname is the name the visitor sees for the sender: the
	// dispatcher's nickname for system messages, the agent's nickname
	// when the settings show nicknames.
	Nickname string `json:"nickname,omitempty"`
	// Attachment is the image or file of an image or file message.
	Attachment *sb.AttachmentRef `json:"attachment,omitempty"`
}

// Message kinds.
const (
	KindText  = "text"
	KindImage = "image"
	KindFile  = "file"
)

// RecallData is the data of message_recalled.
type RecallData struct {
	MessageID int64  `json:"message_id"`
	From      string `json:"from"`
	AgentID   int64  `json:"agent_id,omitempty"`
}

// Message sends a chat message. From says who sends it; AgentID is set by
// the server for agents, never taken from a request. An image or file
// message names an uploaded attachment of the session; the server looks
// it up and sets Attachment, and its text (a caption) may be empty.
type Message struct {
	From         string `json:"from,omitempty"`
	Text         string `json:"text"`
	ClientID     string `json:"client_id,omitempty"`
	Kind         string `json:"kind,omitempty"`
	AttachmentID int64  `json:"attachment_id,omitempty"`
	AgentID      int64  `json:"-"`
	// AgentName is set by the server with AgentID.
	AgentName string `json:"-"`
	// Attachment is set by the server from AttachmentID.
	Attachment *sb.AttachmentRef `json:"-"`
	// Purpose and Nickname are set by the system for its own messages.
	Purpose  string `json:"-"`
	Nickname string `json:"-"`
}

// Name implements Command.
func (*Message) Name() string { return "message" }

// Validate implements Command.
func (c *Message) Validate() error {
	for _, err := range []error{
		validate.OneOf("from", c.From, true, sb.FromEndUser, sb.FromAgent, sb.FromVirtualAgent, sb.FromSystem),
		validate.OneOf("kind", c.Kind, false, KindText, KindImage, KindFile),
		validate.Text("text", c.Text, MaxMessageLength, c.Kind == "" || c.Kind == KindText),
		validate.Text("client_id", c.ClientID, 64, false),
		validate.Range("attachment_id", c.AttachmentID, 0, 1<<53),
	} {
		if err != nil {
			return err
		}
	}
	switch {
	case c.From == sb.FromAgent && c.AgentID == 0:
		return sb.Errorf(sb.EINVALID, "an agent's message needs the agent")
	case (c.Kind == KindImage || c.Kind == KindFile) && c.AttachmentID == 0:
		return sb.Errorf(sb.EINVALID, "an %s message needs attachment_id", c.Kind)
	case (c.Kind == "" || c.Kind == KindText) && c.AttachmentID != 0:
		return sb.Errorf(sb.EINVALID, "attachment_id needs kind image or file")
	case c.AttachmentID != 0 && (c.Attachment == nil || c.Attachment.ID != c.AttachmentID):
		return sb.Errorf(sb.ENOTFOUND, "attachment %d is not an attachment of this session", c.AttachmentID)
	case c.Kind == KindImage && c.Attachment.Kind != KindImage:
		return sb.Errorf(sb.EINVALID, "attachment %d is not an image", c.AttachmentID)
	}
	return nil
}

func (c *Message) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if s.Medium != sb.MediumChat {
		return nil, conflict("message", s, "messages are for chat sessions")
	}
	kind := c.Kind
	if kind == "" {
		kind = KindText
	}
	return []draft{{EventMessageSent, &MessageData{ID: int64(s.Messages.Count + 1), From: c.From, AgentID: c.AgentID,
		AgentName: c.AgentName, Kind: kind, Text: c.Text, ClientID: c.ClientID, Purpose: c.Purpose, Nickname: c.Nickname, Attachment: c.Attachment}}}, nil
}

// Recall takes back a message its sender sent less than a minute ago.
// From names who recalls (the server sets it for agents, with AgentID).
type Recall struct {
	MessageID int64  `json:"message_id"`
	From      string `json:"from,omitempty"`
	AgentID   int64  `json:"-"`
}

// Name implements Command.
func (*Recall) Name() string { return "recall" }

// Validate implements Command.
func (c *Recall) Validate() error {
	if err := validate.Range("message_id", c.MessageID, 1, 1<<53); err != nil {
		return err
	}
	return validate.OneOf("from", c.From, true, sb.FromEndUser, sb.FromAgent, sb.FromVirtualAgent, sb.FromSystem)
}

func (c *Recall) decide(s *sb.Session, env *Env) ([]draft, error) {
	var m *sb.MessageRef
	for i := range s.Messages.Recent {
		if s.Messages.Recent[i].ID == c.MessageID {
			m = &s.Messages.Recent[i]
		}
	}
	switch {
	case m == nil || env.Now.Sub(m.At) > RecallWindow:
		return nil, conflict("recall", s, "a message can be recalled only within a minute of sending it")
	case m.Recalled:
		return nil, conflict("recall", s, "the message is recalled already")
	case m.From != c.From || m.AgentID != c.AgentID:
		return nil, sb.Errorf(sb.EFORBIDDEN, "only the sender may recall a message")
	}
	return []draft{{EventMessageRecalled, &RecallData{MessageID: c.MessageID, From: c.From, AgentID: c.AgentID}}}, nil
}

// appendRecent remembers a message among the last recentMessages.
func appendRecent(recent []sb.MessageRef, m sb.MessageRef) []sb.MessageRef {
	recent = append(recent, m)
	if len(recent) > recentMessages {
		recent = append([]sb.MessageRef(nil), recent[len(recent)-recentMessages:]...)
	}
	return recent
}

// applyMessage folds message_sent and message_recalled.
func applyMessage(s *sb.Session, e sb.Event, p any) {
	st := &s.Messages
	t := e.Time
	switch d := p.(type) {
	case *MessageData:
		st.Count++
		if s.Status.Terminal() {
			// A closing message or a rating receipt after the end: it is in
			// the transcript but is no part of the conversation.
			st.AfterEnd++
			st.Recent = appendRecent(st.Recent, sb.MessageRef{ID: d.ID, From: d.From, AgentID: d.AgentID, At: t})
			return
		}
		if st.FirstAt == nil {
			st.FirstAt = &t
		}
		st.LastAt = &t
		switch d.From {
		case sb.FromEndUser:
			st.EndUser++
			st.LastEndUser = &t
			if st.AwaitingSince == nil {
				st.AwaitingSince = &t
			}
		case sb.FromAgent:
			st.Agent++
			st.LastAgent = &t
			st.NoReplySince = nil
			countReply(s, t)
			if st.FirstAgentAt == nil {
				st.FirstAgentAt = &t
			}
		}
		if side := map[string]string{sb.FromEndUser: "v", sb.FromAgent: "a"}[d.From]; side != "" {
			if len(s.Handles) > 0 {
				st.AfterPickup++
			}
			st.Sides += side
			if len(st.Sides) > sidesKept {
				st.Sides = st.Sides[len(st.Sides)-sidesKept:]
			}
		}
		st.Recent = appendRecent(st.Recent, sb.MessageRef{ID: d.ID, From: d.From, AgentID: d.AgentID, At: t})
	case *RecallData:
		st.Recalled++
		switch d.From {
		case sb.FromEndUser:
			st.EndUser--
		case sb.FromAgent:
			st.Agent--
		}
		for i := range st.Recent {
			if st.Recent[i].ID == d.MessageID {
				st.Recent[i].Recalled = true
			}
		}
	}
}

// countReply times an agent's message that answers the end user's
// waiting messages, from the earliest of them or the agent's pick-up.
func countReply(s *sb.Session, t time.Time) {
	st := &s.Messages
	if st.AwaitingSince == nil {
		return
	}
	from := *st.AwaitingSince
	if h := s.CurrentHandle(); h != nil && h.AssignedAt.After(from) {
		from = h.AssignedAt
	}
	d := max(t.Sub(from).Milliseconds(), 0)
	st.Replies++
	st.ReplyMS += d
	st.LongestReplyMS = max(st.LongestReplyMS, d)
	st.AwaitingSince = nil
}

// NoReplyData is the data of no_reply: the agent has not answered the
// visitor's message sent at Since within Seconds.
type NoReplyData struct {
	AgentID int64     `json:"agent_id"`
	Since   time.Time `json:"since"`
	Seconds int       `json:"seconds"`
}

// ReminderData is the data of visitor_reminder: the Number-th of Of
// reminders sent to a visitor who has not answered.
type ReminderData struct {
	Number int `json:"number"`
	Of     int `json:"of"`
}

// NoReply records that the agent has not answered in time, and prompts
// the visitor with Prompt when it is set. A timer raises it.
type NoReply struct {
	Data   NoReplyData
	Prompt string
}

// Name implements Command.
func (*NoReply) Name() string { return "no-reply" }

// Validate implements Command.
func (c *NoReply) Validate() error { return validate.Text("prompt", c.Prompt, MaxMessageLength, false) }

func (c *NoReply) decide(s *sb.Session, _ *Env) ([]draft, error) {
	d := c.Data
	out := []draft{{EventNoReply, &d}}
	if c.Prompt != "" && s.Medium == sb.MediumChat {
		out = append(out, draft{EventMessageSent, &MessageData{ID: int64(s.Messages.Count + 1), From: sb.FromSystem, Kind: KindText, Text: c.Prompt, Purpose: "agent_no_reply"}})
	}
	return out, nil
}

// VisitorReminder reminds a visitor who has not answered the agent. A
// timer raises it.
type VisitorReminder struct {
	Data ReminderData
	Text string
}

// Name implements Command.
func (*VisitorReminder) Name() string { return "visitor-reminder" }

// Validate implements Command.
func (c *VisitorReminder) Validate() error {
	return validate.Text("text", c.Text, MaxMessageLength, true)
}

func (c *VisitorReminder) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if s.Medium != sb.MediumChat {
		return nil, conflict("visitor-reminder", s, "reminders are for chat sessions")
	}
	d := c.Data
	return []draft{
		{EventVisitorReminder, &d},
		{EventMessageSent, &MessageData{ID: int64(s.Messages.Count + 1), From: sb.FromSystem, Kind: KindText, Text: c.Text, Purpose: "visitor_reminder"}},
	}, nil
}

// QueueReminder reminds a visitor waiting in a queue (the Number-th of
// Of), optionally offering the leave-message form. A timer raises it.
type QueueReminder struct {
	Data         ReminderData
	Text         string
	LeaveMessage bool
}

// Name implements Command.
func (*QueueReminder) Name() string { return "queue-reminder" }

// Validate implements Command.
func (c *QueueReminder) Validate() error {
	return validate.Text("text", c.Text, MaxMessageLength, true)
}

func (c *QueueReminder) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if s.Medium != sb.MediumChat {
		return nil, conflict("queue-reminder", s, "reminders are for chat sessions")
	}
	d := c.Data
	m := &MessageData{ID: int64(s.Messages.Count + 1), From: sb.FromSystem, Kind: KindText, Text: c.Text, Purpose: "queue_reminder"}
	if c.LeaveMessage {
		m.Actions = []string{"leave_message"}
	}
	return []draft{{EventQueueReminder, &d}, {EventMessageSent, m}}, nil
}

// QueueTimeout is what the queue timeout does to a session still waiting:
// send Text (when set) and, unless KeepWaiting, end it as a system drop.
// A timer raises it.
type QueueTimeout struct {
	Text        string
	KeepWaiting bool
	Reason      string
}

// Name implements Command.
func (*QueueTimeout) Name() string { return "queue-timeout" }

// Validate implements Command.
func (c *QueueTimeout) Validate() error {
	return validate.Text("text", c.Text, MaxMessageLength, c.KeepWaiting)
}

func (c *QueueTimeout) decide(s *sb.Session, env *Env) ([]draft, error) {
	var out []draft
	if c.Text != "" && s.Medium == sb.MediumChat {
		out = append(out, draft{EventMessageSent, &MessageData{ID: int64(s.Messages.Count + 1), From: sb.FromSystem, Kind: KindText, Text: c.Text, Purpose: "queue_timeout"}})
	}
	if c.KeepWaiting {
		return out, nil
	}
	end, err := (&End{DisconnectedBy: BySystem, Reason: c.Reason}).decide(s, env)
	if err != nil {
		return nil, err
	}
	return append(out, end...), nil
}
