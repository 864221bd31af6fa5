package lifecycle

import (
	"encoding/json"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Campaign dialer modes.
const (
	CampaignPreview     = "preview"
	CampaignPredictive  = "predictive"
	CampaignProgressive = "progressive"
)

// Timer kinds set by lifecycle commands.
const (
	TimerScheduledStart = "scheduled_start"
)

// Create starts a new session.
type Create struct {
	Type           sb.SessionType `json:"type"`
	Lang           string         `json:"lang"`
	EndUser        sb.EndUser     `json:"end_user"`
	SupportNumber  string         `json:"support_number,omitempty"`
	OutboundNumber string         `json:"outbound_number,omitempty"`
	Device         string         `json:"device,omitempty"`
	Entry          string         `json:"entry,omitempty"`
	// ScheduledAt is required for scheduled types and must be in the future.
	ScheduledAt *time.Time `json:"scheduled_at,omitempty"`
	// QueueID queues an inbound session at once (or when a scheduled one starts).
	QueueID int64 `json:"queue_id,omitempty"`
	// Route queues it where the routing rules say (instead of QueueID).
	Route bool `json:"route,omitempty"`
	// Routed is the routing rules' answer, filled in by the server.
	Routed Routed `json:"-"`
	// AgentID is the dialling agent of an outbound or campaign session.
	AgentID             int64  `json:"agent_id,omitempty"`
	CampaignMode        string `json:"campaign_mode,omitempty"`
	RecordingPermission string `json:"recording_permission,omitempty"`
	OutTicketID         string `json:"out_ticket_id,omitempty"`
	OutTicketURL        string `json:"out_ticket_url,omitempty"`
}

// Name implements Command.
func (*Create) Name() string { return "create" }

// Validate implements Command.
func (c *Create) Validate() error {
	info, ok := c.Type.Info()
	if !ok {
		return sb.Errorf(sb.EINVALID, "type %q is not a session type", c.Type)
	}
	if c.Lang == "" {
		c.Lang = "en"
	}
	checks := []error{
		validate.Lang("lang", c.Lang),
		validateEndUser(c.EndUser),
		validate.Phone("support_number", c.SupportNumber),
		validate.Phone("outbound_number", c.OutboundNumber),
		validate.Text("device", c.Device, 100, false),
		validate.Text("entry", c.Entry, 200, false),
		validate.OneOf("recording_permission", c.RecordingPermission, false, "granted", "denied", "not_asked"),
		validate.Text("out_ticket_id", c.OutTicketID, 200, false),
		validate.URL("out_ticket_url", c.OutTicketURL),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	switch {
	case info.Scheduled && c.ScheduledAt == nil:
		return sb.Errorf(sb.EINVALID, "scheduled_at is required for %s sessions", c.Type)
	case !info.Scheduled && c.ScheduledAt != nil:
		return sb.Errorf(sb.EINVALID, "scheduled_at is only for scheduled session types")
	case info.Campaign:
		if err := validate.OneOf("campaign_mode", c.CampaignMode, true, CampaignPreview, CampaignPredictive, CampaignProgressive); err != nil {
			return err
		}
		if c.AgentID == 0 {
			return sb.Errorf(sb.EINVALID, "agent_id is required for campaign sessions")
		}
	case c.CampaignMode != "":
		return sb.Errorf(sb.EINVALID, "campaign_mode is only for campaign sessions")
	case info.Direction == sb.Outbound && c.AgentID == 0:
		return sb.Errorf(sb.EINVALID, "agent_id is required for outbound sessions")
	case info.Direction == sb.Inbound && c.AgentID != 0:
		return sb.Errorf(sb.EINVALID, "agent_id is only for outbound sessions; inbound sessions are assigned")
	}
	if info.Direction == sb.Outbound && (c.QueueID != 0 || c.Route) {
		return sb.Errorf(sb.EINVALID, "queue_id and route are only for inbound sessions")
	}
	if c.Route && c.QueueID != 0 && c.Routed.RuleID == 0 {
		return sb.Errorf(sb.EINVALID, "give queue_id or route, not both")
	}
	if c.Route && c.QueueID == 0 {
		return sb.Errorf(sb.EINVALID, "no routing rule was applied")
	}
	if c.Route && info.Scheduled {
		return sb.Errorf(sb.EINVALID, "route is not for scheduled sessions; give queue_id")
	}
	if info.Direction == sb.Outbound && c.EndUser.Phone == "" && info.Medium == sb.MediumVoice {
		return sb.Errorf(sb.EINVALID, "end_user.phone is required for outbound calls")
	}
	return nil
}

func validateEndUser(u sb.EndUser) error {
	for _, err := range []error{
		validate.Range("end_user.id", u.ID, 0, 1<<53),
		validate.Text("end_user.identifier", u.Identifier, 200, false),
		validate.Text("end_user.name", u.Name, 200, false),
		validate.Phone("end_user.phone", u.Phone),
		validate.Email("end_user.email", u.Email),
		validate.Text("end_user.out_contact_id", u.OutContactID, 200, false),
		validate.Text("end_user.region", u.Region, 100, false),
		validate.Text("end_user.network", u.Network, 100, false),
	} {
		if err != nil {
			return err
		}
	}
	if len(u.Tags) > 20 {
		return sb.Errorf(sb.EINVALID, "end_user.tags holds more than 20 tags")
	}
	for _, t := range u.Tags {
		if err := validate.Text("end_user.tags", t, 50, true); err != nil {
			return err
		}
	}
	return nil
}

func (c *Create) decide(_ *sb.Session, env *Env) ([]draft, error) {
	info, _ := c.Type.Info()
	created := &Created{
		UUID: env.NewUUID(), Type: c.Type, Lang: c.Lang, EndUser: c.EndUser,
		SupportNumber: c.SupportNumber, OutboundNumber: c.OutboundNumber, Device: c.Device, Entry: c.Entry,
		CampaignMode: c.CampaignMode, RecordingPermission: c.RecordingPermission,
		OutTicketID: c.OutTicketID, OutTicketURL: c.OutTicketURL,
	}
	if c.ScheduledAt != nil {
		at := c.ScheduledAt.UTC().Truncate(time.Millisecond)
		if !at.After(env.Now) {
			return nil, sb.Errorf(sb.EINVALID, "scheduled_at must be in the future")
		}
		created.ScheduledAt = &at
	}
	var q *sb.QueueRef
	if c.QueueID != 0 {
		ref, err := env.Dir.Queue(c.QueueID)
		if err != nil {
			return nil, err
		}
		q = &ref
	}
	if created.SupportNumber == "" && q != nil && info.Direction == sb.Inbound && info.Medium == sb.MediumVoice {
		created.SupportNumber = q.SupportNumber
	}
	out := []draft{{EventCreated, created}}
	switch {
	case info.Scheduled:
		created.Status = sb.StatusScheduled
	case info.Campaign:
		agent, err := env.Dir.Agent(c.AgentID)
		if err != nil {
			return nil, err
		}
		created.Status = map[string]sb.Status{
			CampaignPreview:     sb.StatusPreviewWaiting,
			CampaignPredictive:  sb.StatusPredictiveWaiting,
			CampaignProgressive: sb.StatusProgressiveWaiting,
		}[c.CampaignMode]
		out = append(out, draft{EventAssigned, &AgentData{Status: created.Status, Agent: agent}})
	case info.Direction == sb.Outbound:
		agent, err := env.Dir.Agent(c.AgentID)
		if err != nil {
			return nil, err
		}
		created.Status = sb.StatusSelecting
		out = append(out, draft{EventAssigned, &AgentData{Status: sb.StatusAssigned, Agent: agent}})
	case q != nil:
		created.Status = sb.StatusSelecting
		out = append(out, draft{EventQueued, &QueueData{Status: ptr(sb.StatusQueued), Queue: *q, Priority: q.Priority,
			RuleID: c.Routed.RuleID, PreferredAgentID: c.Routed.AgentID}})
	default:
		created.Status = sb.StatusSelecting
	}
	return out, nil
}

// Timers implements TimerRequester: a scheduled session starts by itself.
func (c *Create) Timers(s *sb.Session) []sb.Timer {
	if s.ScheduledAt == nil || s.Status != sb.StatusScheduled {
		return nil
	}
	data, _ := json.Marshal(Start{QueueID: c.QueueID})
	return []sb.Timer{{SessionID: s.ID, Kind: TimerScheduledStart, DueAt: *s.ScheduledAt, Data: data}}
}

// Start begins a scheduled session, queued when a queue is given.
type Start struct {
	QueueID int64 `json:"queue_id,omitempty"`
}

// Name implements Command.
func (*Start) Name() string { return "start" }

// Validate implements Command.
func (c *Start) Validate() error { return validate.Range("queue_id", c.QueueID, 0, 1<<53) }

func (c *Start) decide(s *sb.Session, env *Env) ([]draft, error) {
	out := []draft{{EventStarted, &StatusData{Status: sb.StatusSelecting}}}
	if c.QueueID != 0 {
		q, err := env.Dir.Queue(c.QueueID)
		if err != nil {
			return nil, err
		}
		out = append(out, draft{EventQueued, &QueueData{Status: ptr(sb.StatusQueued), Queue: q, Priority: q.Priority}})
	}
	return out, nil
}

// SelectMenu records the end user's choice of a menu node.
type SelectMenu struct {
	QueueID int64 `json:"queue_id"`
}

// Name implements Command.
func (*SelectMenu) Name() string { return "select-menu" }

// Validate implements Command.
func (c *SelectMenu) Validate() error { return validate.Range("queue_id", c.QueueID, 1, 1<<53) }

func (c *SelectMenu) decide(_ *sb.Session, env *Env) ([]draft, error) {
	q, err := env.Dir.Queue(c.QueueID)
	if err != nil {
		return nil, err
	}
	return []draft{{EventMenuSelected, &QueueData{Queue: q}}}, nil
}

// Routed is the routing rules' answer for a session: the rule, and the
// agent it names (0: a group).
type Routed struct {
	RuleID  int64
	AgentID int64
}

// Enqueue puts the session in a queue. Priority overrides the queue's
// routing priority (1–8) for this session. Route queues it where the
// routing rules say.
type Enqueue struct {
	QueueID  int64  `json:"queue_id,omitempty"`
	Priority int    `json:"priority,omitempty"`
	Route    bool   `json:"route,omitempty"`
	Routed   Routed `json:"-"`
}

// Name implements Command.
func (*Enqueue) Name() string { return "enqueue" }

// Validate implements Command.
func (c *Enqueue) Validate() error {
	if c.Route && c.QueueID == 0 {
		return sb.Errorf(sb.EINVALID, "no routing rule was applied")
	}
	if c.Route && c.Routed.RuleID == 0 {
		return sb.Errorf(sb.EINVALID, "give queue_id or route, not both")
	}
	return validateQueueTarget(c.QueueID, c.Priority)
}

func validateQueueTarget(queueID int64, priority int) error {
	if err := validate.Range("queue_id", queueID, 1, 1<<53); err != nil {
		return err
	}
	if priority != 0 {
		return validate.Range("priority", int64(priority), 1, 8)
	}
	return nil
}

func (c *Enqueue) decide(_ *sb.Session, env *Env) ([]draft, error) {
	q, err := env.Dir.Queue(c.QueueID)
	if err != nil {
		return nil, err
	}
	return []draft{{EventQueued, &QueueData{Status: ptr(sb.StatusQueued), Queue: q, Priority: orDefault(c.Priority, q.Priority),
		RuleID: c.Routed.RuleID, PreferredAgentID: c.Routed.AgentID}}}, nil
}

// Requeue queues a session again after an agent-side failure.
type Requeue struct {
	QueueID  int64  `json:"queue_id"`
	Priority int    `json:"priority,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Name implements Command.
func (*Requeue) Name() string { return "requeue" }

// Validate implements Command.
func (c *Requeue) Validate() error {
	if err := validateQueueTarget(c.QueueID, c.Priority); err != nil {
		return err
	}
	return validate.Text("reason", c.Reason, 200, false)
}

func (c *Requeue) decide(_ *sb.Session, env *Env) ([]draft, error) {
	q, err := env.Dir.Queue(c.QueueID)
	if err != nil {
		return nil, err
	}
	return []draft{{EventRequeued, &QueueData{Status: ptr(sb.StatusRequeued), Queue: q, Priority: orDefault(c.Priority, q.Priority), Reason: c.Reason}}}, nil
}

// Assign gives a waiting session to an agent. Rule and Why are set by the
// router (never decoded from a request) and recorded verbatim.
type Assign struct {
	AgentID int64           `json:"agent_id"`
	Rule    string          `json:"-"`
	Why     json.RawMessage `json:"-"`
}

// Name implements Command.
func (*Assign) Name() string { return "assign" }

// Validate implements Command.
func (c *Assign) Validate() error { return validate.Range("agent_id", c.AgentID, 1, 1<<53) }

func (c *Assign) decide(s *sb.Session, env *Env) ([]draft, error) {
	agent, err := env.Dir.Agent(c.AgentID)
	if err != nil {
		return nil, err
	}
	out := []draft{{EventAssigned, &AgentData{Status: sb.StatusAssigned, Agent: agent, Rule: c.Rule, Why: c.Why}}}
	if t := s.PendingTransfer(); t != nil && t.Kind == sb.TransferToQueue {
		out[0].data.(*AgentData).TransferID = t.ID
		out = append(out, draft{EventTransferCompleted, &TransferEndData{Status: sb.StatusAssigned, TransferID: t.ID, Agent: &agent}})
	}
	return out, nil
}

// statusOnly is a command whose only effect is a status change.
type statusOnly struct {
	name string
	typ  sb.EventType
	to   func(s *sb.Session) sb.Status
}

func (c *statusOnly) Name() string    { return c.name }
func (c *statusOnly) Validate() error { return nil }
func (c *statusOnly) decide(s *sb.Session, _ *Env) ([]draft, error) {
	return []draft{{c.typ, &StatusData{Status: c.to(s)}}}, nil
}

func fixed(st sb.Status) func(*sb.Session) sb.Status {
	return func(*sb.Session) sb.Status { return st }
}

// NewStatusCommand returns the command of that name for the commands that
// take no input: connecting, connect, va-connect, preview-ready,
// campaign-connect, dial and recover.
func NewStatusCommand(name string) (Command, bool) {
	switch name {
	case "connecting":
		return &statusOnly{name, EventConnecting, fixed(sb.StatusConnecting)}, true
	case "connect":
		return &statusOnly{name, EventConnected, func(s *sb.Session) sb.Status {
			if s.Status == sb.StatusCampaignConnecting || s.Status == sb.StatusCampaignDialing {
				return sb.StatusCampaignConnected
			}
			return sb.StatusConnected
		}}, true
	case "va-connect":
		return &statusOnly{name, EventVAConnected, fixed(sb.StatusVAConnected)}, true
	case "preview-ready":
		return &statusOnly{name, EventPreviewReady, fixed(sb.StatusPreviewReady)}, true
	case "campaign-connect":
		return &statusOnly{name, EventCampaignConnecting, fixed(sb.StatusCampaignConnecting)}, true
	case "dial":
		return &statusOnly{name, EventCampaignDialing, fixed(sb.StatusCampaignDialing)}, true
	case "recover":
		return &statusOnly{name, EventRecovered, fixed(sb.StatusRecovered)}, true
	}
	return nil, false
}

// VAAssign gives the session to a virtual agent.
type VAAssign struct {
	VirtualAgentID int64 `json:"virtual_agent_id"`
}

// Name implements Command.
func (*VAAssign) Name() string { return "va-assign" }

// Validate implements Command.
func (c *VAAssign) Validate() error {
	return validate.Range("virtual_agent_id", c.VirtualAgentID, 1, 1<<53)
}

func (c *VAAssign) decide(_ *sb.Session, env *Env) ([]draft, error) {
	va, err := env.Dir.VirtualAgent(c.VirtualAgentID)
	if err != nil {
		return nil, err
	}
	return []draft{{EventVAAssigned, &VAData{Status: sb.StatusVAAssigned, VirtualAgent: va}}}, nil
}

// Preview connects the campaign agent to the dialer to preview the
// customer's data (the before-call work counts in the handle time).
type Preview struct{}

// Name implements Command.
func (*Preview) Name() string { return "preview" }

// Validate implements Command.
func (*Preview) Validate() error { return nil }

func (*Preview) decide(s *sb.Session, _ *Env) ([]draft, error) {
	return []draft{{EventPreviewStarted, &StatusData{Status: sb.StatusPreviewPending}}}, nil
}

func orDefault(v, d int) int {
	if v != 0 {
		return v
	}
	return d
}
