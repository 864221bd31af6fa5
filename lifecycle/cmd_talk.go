package lifecycle

import (
	"fmt"
	"slices"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Hold puts the end user on hold.
type Hold struct{}

// Name implements Command.
func (*Hold) Name() string { return "hold" }

// Validate implements Command.
func (*Hold) Validate() error { return nil }

func (*Hold) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if s.OnHold {
		return nil, conflict("hold", s, "the session is on hold already")
	}
	return []draft{{EventHeld, &HoldData{AgentID: currentAgentID(s)}}}, nil
}

// Resume ends the hold.
type Resume struct{}

// Name implements Command.
func (*Resume) Name() string { return "resume" }

// Validate implements Command.
func (*Resume) Validate() error { return nil }

func (*Resume) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if !s.OnHold {
		return nil, conflict("resume", s, "the session is not on hold")
	}
	return []draft{{EventResumed, &HoldData{AgentID: currentAgentID(s)}}}, nil
}

func currentAgentID(s *sb.Session) int64 {
	if h := s.CurrentHandle(); h != nil {
		return h.Agent.ID
	}
	return 0
}

// Transfer moves the session to an agent, a queue or a virtual agent.
// Confirm makes a transfer to an agent wait for the receiver to accept.
// Overflow marks a move made by a queue rule (reports exclude it).
type Transfer struct {
	Kind           string `json:"kind"`
	AgentID        int64  `json:"agent_id,omitempty"`
	QueueID        int64  `json:"queue_id,omitempty"`
	VirtualAgentID int64  `json:"virtual_agent_id,omitempty"`
	Confirm        bool   `json:"confirm,omitempty"`
	Overflow       bool   `json:"overflow,omitempty"`
}

// Name implements Command.
func (*Transfer) Name() string { return "transfer" }

// Validate implements Command.
func (c *Transfer) Validate() error {
	if err := validate.OneOf("kind", c.Kind, true, sb.TransferToAgent, sb.TransferToQueue, sb.TransferToVirtualAgent); err != nil {
		return err
	}
	targets := 0
	for _, id := range []int64{c.AgentID, c.QueueID, c.VirtualAgentID} {
		if id < 0 {
			return sb.Errorf(sb.EINVALID, "target IDs must be positive")
		}
		if id > 0 {
			targets++
		}
	}
	want := map[string]int64{sb.TransferToAgent: c.AgentID, sb.TransferToQueue: c.QueueID, sb.TransferToVirtualAgent: c.VirtualAgentID}[c.Kind]
	if targets != 1 || want == 0 {
		return sb.Errorf(sb.EINVALID, "a transfer to %s needs exactly %s_id", c.Kind, c.Kind)
	}
	if c.Confirm && c.Kind != sb.TransferToAgent {
		return sb.Errorf(sb.EINVALID, "confirm applies to transfers to an agent only")
	}
	return nil
}

func (c *Transfer) decide(s *sb.Session, env *Env) ([]draft, error) {
	if (s.Status == sb.StatusQueued || s.Status == sb.StatusRequeued) && c.Kind != sb.TransferToQueue {
		return nil, conflict("transfer", s, "a waiting session moves only to another queue; assign it to give it to an agent")
	}
	t := sb.Transfer{
		ID: int64(len(s.Transfers) + 1), Kind: c.Kind, Status: sb.TransferStarted,
		Overflow: c.Overflow, Confirm: c.Confirm, StartedAt: env.Now, FromStatus: s.Status,
	}
	if h := s.CurrentHandle(); h != nil {
		a := h.Agent
		t.FromAgent = &a
	} else if s.Status == sb.StatusVAConnected && s.VirtualAgent != nil {
		va := *s.VirtualAgent
		t.FromVirtualAgent = &va
	}
	if s.Queue != nil {
		q := *s.Queue
		t.FromQueue = &q
	}
	to := sb.StatusSwitching
	var groups []int64
	switch c.Kind {
	case sb.TransferToAgent:
		a, err := env.Dir.Agent(c.AgentID)
		if err != nil {
			return nil, err
		}
		if t.FromAgent != nil && t.FromAgent.ID == a.ID {
			return nil, conflict("transfer", s, fmt.Sprintf("the session is with agent %d already", a.ID))
		}
		t.ToAgent = &a
		if groups, err = env.Dir.AgentGroups(a.ID); err != nil {
			return nil, err
		}
		groups = slices.Sorted(slices.Values(groups))
	case sb.TransferToQueue:
		q, err := env.Dir.Queue(c.QueueID)
		if err != nil {
			return nil, err
		}
		t.ToQueue = &q
		to = sb.StatusQueued
	case sb.TransferToVirtualAgent:
		va, err := env.Dir.VirtualAgent(c.VirtualAgentID)
		if err != nil {
			return nil, err
		}
		t.ToVirtualAgent = &va
	}
	out := []draft{{EventTransferStarted, &TransferStartedData{Status: to, Transfer: t, ToAgentGroups: groups}}}
	if c.Kind != sb.TransferToQueue && !c.Confirm {
		out = append(out, completeTransfer(&t))
	}
	return out, nil
}

func completeTransfer(t *sb.Transfer) draft {
	d := &TransferEndData{Status: sb.StatusConnected, TransferID: t.ID, Agent: t.ToAgent}
	if t.Kind == sb.TransferToVirtualAgent {
		d.Status = sb.StatusVAConnected
	}
	return draft{EventTransferCompleted, d}
}

// TransferComplete accepts the pending transfer on the receiver's behalf.
type TransferComplete struct{}

// Name implements Command.
func (*TransferComplete) Name() string { return "transfer-complete" }

// Validate implements Command.
func (*TransferComplete) Validate() error { return nil }

func (*TransferComplete) decide(s *sb.Session, _ *Env) ([]draft, error) {
	t := s.PendingTransfer()
	if t == nil || t.Kind == sb.TransferToQueue {
		return nil, conflict("transfer-complete", s, "no transfer to an agent is pending")
	}
	return []draft{completeTransfer(t)}, nil
}

// Transfer failure reasons.
const (
	TransferDeclined  = "declined"
	TransferTimeout   = "timeout"
	TransferAbandoned = "abandoned"
)

// TransferFail records that the receiver declined or did not answer; the
// session stays with the sender.
type TransferFail struct {
	Reason string `json:"reason"`
}

// Name implements Command.
func (*TransferFail) Name() string { return "transfer-fail" }

// Validate implements Command.
func (c *TransferFail) Validate() error { return validate.Text("reason", c.Reason, 200, true) }

func (c *TransferFail) decide(s *sb.Session, _ *Env) ([]draft, error) {
	t := s.PendingTransfer()
	if t == nil || t.Kind == sb.TransferToQueue {
		return nil, conflict("transfer-fail", s, "no transfer to an agent is pending")
	}
	return []draft{{EventTransferFailed, &TransferEndData{Status: t.FromStatus, TransferID: t.ID, Reason: c.Reason}}}, nil
}

// AddParticipant starts adding an agent or a third party to the session.
type AddParticipant struct {
	Type    string `json:"type"`
	AgentID int64  `json:"agent_id,omitempty"`
	Display string `json:"name,omitempty"`
	Phone   string `json:"phone_number,omitempty"`
}

// Name implements Command.
func (*AddParticipant) Name() string { return "add-participant" }

// Validate implements Command.
func (c *AddParticipant) Validate() error {
	if err := validate.OneOf("type", c.Type, true, sb.ParticipantAgent, sb.ParticipantThirdParty); err != nil {
		return err
	}
	if c.Type == sb.ParticipantAgent && c.AgentID <= 0 {
		return sb.Errorf(sb.EINVALID, "agent_id is required to add an agent")
	}
	if c.Type == sb.ParticipantThirdParty && c.AgentID != 0 {
		return sb.Errorf(sb.EINVALID, "agent_id is only for type agent")
	}
	if err := validate.Text("name", c.Display, 200, false); err != nil {
		return err
	}
	return validate.Phone("phone_number", c.Phone)
}

func (c *AddParticipant) decide(s *sb.Session, env *Env) ([]draft, error) {
	p := sb.Participant{ID: int64(len(s.Participants) + 1), Type: c.Type, Status: "connecting", Name: c.Display, PhoneNumber: c.Phone}
	if c.Type == sb.ParticipantAgent {
		a, err := env.Dir.Agent(c.AgentID)
		if err != nil {
			return nil, err
		}
		for _, q := range s.Participants {
			if q.UserID == a.ID && (q.Status == "connected" || q.Status == "connecting") {
				return nil, conflict("add-participant", s, fmt.Sprintf("agent %d is a participant already", a.ID))
			}
		}
		p.UserID, p.Name = a.ID, a.Name
	}
	return []draft{{EventParticipantStarted, &ParticipantData{Participant: p}}}, nil
}

// ParticipantChange completes, fails or ends one participant record.
type ParticipantChange struct {
	name          string
	ParticipantID int64  `json:"participant_id"`
	Reason        string `json:"reason,omitempty"`
}

// NewParticipantChange returns the participant-complete, participant-fail
// or participant-leave command.
func NewParticipantChange(name string) (*ParticipantChange, bool) {
	switch name {
	case "participant-complete", "participant-fail", "participant-leave":
		return &ParticipantChange{name: name}, true
	}
	return nil, false
}

// Name implements Command.
func (c *ParticipantChange) Name() string { return c.name }

// Validate implements Command.
func (c *ParticipantChange) Validate() error {
	if err := validate.Range("participant_id", c.ParticipantID, 1, 1<<31); err != nil {
		return err
	}
	return validate.Text("reason", c.Reason, 200, c.name == "participant-fail")
}

func (c *ParticipantChange) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if c.ParticipantID > int64(len(s.Participants)) {
		return nil, sb.Errorf(sb.EINVALID, "participant %d is not a participant of session %d", c.ParticipantID, s.ID)
	}
	p := s.Participants[c.ParticipantID-1]
	typ := map[string]sb.EventType{"participant-complete": EventParticipantAdded, "participant-fail": EventParticipantFailed, "participant-leave": EventParticipantLeft}[c.name]
	next := map[sb.EventType]string{EventParticipantAdded: "connected", EventParticipantFailed: "failed", EventParticipantLeft: "finished"}[typ]
	switch {
	case typ == EventParticipantLeft && p.Type == sb.ParticipantEndUser:
		return nil, conflict(c.name, s, "the end user leaves by ending the session")
	case typ == EventParticipantLeft && p.Status != "connected":
		return nil, conflict(c.name, s, fmt.Sprintf("participant %d is %s, not connected", p.ID, p.Status))
	case typ != EventParticipantLeft && p.Status != "connecting":
		return nil, conflict(c.name, s, fmt.Sprintf("participant %d is %s, not connecting", p.ID, p.Status))
	}
	return []draft{{typ, &ParticipantData{Participant: sb.Participant{ID: p.ID, Type: p.Type, Status: next}, Reason: c.Reason}}}, nil
}
