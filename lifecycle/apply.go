package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// applyPayload folds one event, whose data is already decoded into p, into s.
func applyPayload(s *sb.Session, e sb.Event, p any) error {
	t := e.Time
	s.Seq = e.Seq
	s.UpdatedAt = t
	switch d := p.(type) {
	case *Created:
		info, ok := d.Type.Info()
		if !ok {
			return fmt.Errorf("session_created: unknown type %q", d.Type)
		}
		s.UUID, s.Type, s.Lang, s.Status = d.UUID, d.Type, d.Lang, d.Status
		s.Medium, s.Direction, s.Channel = info.Medium, info.Direction, info.Channel
		s.CreatedAt = t
		s.EndUser = d.EndUser
		s.SupportNumber, s.OutboundNumber, s.Device, s.Entry = d.SupportNumber, d.OutboundNumber, d.Device, d.Entry
		s.ScheduledAt, s.Campaign = d.ScheduledAt, d.CampaignMode
		s.RecordingPermission, s.OutTicketID, s.OutTicketURL = d.RecordingPermission, d.OutTicketID, d.OutTicketURL
		if info.Direction == sb.Inbound && !info.Scheduled {
			joinEndUser(s, t)
		}
	case *StatusData:
		s.Status = d.Status
		switch e.Type {
		case EventStarted:
			joinEndUser(s, t)
		case EventConnected:
			connect(s, t)
		case EventVAConnected:
			if n := len(s.VAHandles); n > 0 && s.VAHandles[n-1].ConnectedAt == nil {
				s.VAHandles[n-1].ConnectedAt = &t
			}
			markParticipant(s, sb.ParticipantVirtualAgent, "connected", t)
		case EventRecovered:
			s.EndedAt = &t
			s.FinishReason = "recovered"
		}
	case *QueueData:
		q := d.Queue
		s.Queue = &q
		s.MenuPath = appendPath(s.MenuPath, q)
		if d.Status == nil { // menu_selected
			break
		}
		s.Status = *d.Status
		if d.Priority != 0 {
			s.Queue.Priority = d.Priority
		}
		closeVA(s, t, "escalated")
		if e.Type == EventRequeued {
			closeHandle(s, t, 0)
			closeParticipants(s, t, sb.ParticipantAgent)
			if s.EndedAt != nil {
				// A failed session queued again is live once more; its
				// failure stays in the log.
				s.EndedAt = nil
				s.FailReason, s.FailDetails = "", ""
				joinEndUser(s, t)
			}
		}
		startWait(s, *s.Queue, t, d.TransferID, e.Type == EventRequeued)
		w := s.CurrentWait()
		w.RuleID, w.PreferredAgentID = d.RuleID, d.PreferredAgentID
	case *AgentData:
		s.Status = d.Status
		a := d.Agent
		s.Agent = &a
		if s.AssignedAt == nil {
			s.AssignedAt = &t
		}
		closeWait(s, t, sb.WaitAssigned, a.ID)
		s.Handles = append(s.Handles, sb.HandleSegment{Agent: a, AssignedAt: t, TransferIn: d.TransferID, RoutingRule: d.Rule})
		addParticipant(s, sb.Participant{Type: sb.ParticipantAgent, Status: "connecting", UserID: a.ID, Name: a.Name})
	case *VAData:
		s.Status = d.Status
		va := d.VirtualAgent
		s.VirtualAgent = &va
		closeWait(s, t, sb.WaitVirtualAgent, 0)
		s.VAHandles = append(s.VAHandles, sb.VAHandle{VirtualAgent: va, StartedAt: t})
		addParticipant(s, sb.Participant{Type: sb.ParticipantVirtualAgent, Status: "connecting", UserID: va.ID, Name: va.Name})
	case *HoldData:
		if e.Type == EventHeld {
			s.OnHold = true
			s.Holds = append(s.Holds, sb.Hold{StartedAt: t, AgentID: d.AgentID, Interaction: len(s.Handles) - 1})
		} else {
			endHold(s, t)
		}
	case *TransferStartedData:
		tr := d.Transfer
		s.Status = d.Status
		s.Transfers = append(s.Transfers, tr)
		if tr.Kind == sb.TransferToQueue {
			// A cold transfer to a queue: the sender leaves now and the
			// session waits in the target queue.
			endHold(s, t)
			closeHandle(s, t, tr.ID)
			closeParticipants(s, t, sb.ParticipantAgent)
			closeVA(s, t, "transferred")
			q := *tr.ToQueue
			s.Queue = &q
			s.MenuPath = appendPath(s.MenuPath, q)
			startWait(s, q, t, tr.ID, false)
		}
	case *TransferEndData:
		tr := findTransfer(s, d.TransferID)
		if tr == nil {
			return fmt.Errorf("%s: transfer %d not found", e.Type, d.TransferID)
		}
		s.Status = d.Status
		if e.Type == EventTransferFailed {
			tr.Status, tr.FailedAt, tr.FailReason = sb.TransferFailed, &t, d.Reason
			break
		}
		tr.Status, tr.CompletedAt = sb.TransferCompleted, &t
		switch tr.Kind {
		case sb.TransferToAgent:
			endHold(s, t)
			closeHandle(s, t, tr.ID)
			closeParticipants(s, t, sb.ParticipantAgent)
			closeVA(s, t, "transferred")
			a := *tr.ToAgent
			s.Agent = &a
			s.Handles = append(s.Handles, sb.HandleSegment{Agent: a, AssignedAt: t, ConnectedAt: &t, TransferIn: tr.ID})
			addParticipant(s, sb.Participant{Type: sb.ParticipantAgent, Status: "connected", UserID: a.ID, Name: a.Name, ConnectedAt: &t})
		case sb.TransferToVirtualAgent:
			endHold(s, t)
			closeHandle(s, t, tr.ID)
			closeParticipants(s, t, sb.ParticipantAgent)
			closeVA(s, t, "transferred")
			va := *tr.ToVirtualAgent
			s.VirtualAgent = &va
			s.VAHandles = append(s.VAHandles, sb.VAHandle{VirtualAgent: va, StartedAt: t, ConnectedAt: &t, TransferID: tr.ID})
			addParticipant(s, sb.Participant{Type: sb.ParticipantVirtualAgent, Status: "connected", UserID: va.ID, Name: va.Name, ConnectedAt: &t})
		}
	case *ParticipantData:
		switch e.Type {
		case EventParticipantStarted:
			addParticipant(s, d.Participant)
		default:
			i := d.Participant.ID - 1
			if i < 0 || int(i) >= len(s.Participants) {
				return fmt.Errorf("%s: participant %d not found", e.Type, d.Participant.ID)
			}
			p := &s.Participants[i]
			switch e.Type {
			case EventParticipantAdded:
				p.Status, p.ConnectedAt = "connected", &t
			case EventParticipantFailed:
				p.Status, p.FailReason, p.EndedAt = "failed", d.Reason, &t
			case EventParticipantLeft:
				p.Status, p.EndedAt = "finished", &t
			}
		}
	case *DeflectedData:
		s.Status = d.Status
		df := sb.Deflection{Deflection: d.Deflection, Channel: d.Channel, At: t}
		if s.Queue != nil {
			q := *s.Queue
			df.FromQueue = &q
		}
		s.Deflections = append(s.Deflections, df)
		finish(s, t, sb.WaitDeflected)
	case *VoicemailData:
		s.Status = d.Status
		if e.Type == EventVoicemailStarted {
			s.VoicemailReason = d.Reason
			closeWait(s, t, sb.WaitVoicemail, 0)
			closeVA(s, t, "voicemail")
		} else {
			if d.RecordingURL != "" {
				s.RecordingURL = d.RecordingURL
			}
			finish(s, t, sb.WaitVoicemail)
		}
	case *FailedData:
		s.Status, s.FailReason, s.FailDetails = d.Status, d.Reason, d.Details
		finish(s, t, sb.WaitFailed)
	case *EndedData:
		s.Status = d.Status
		s.DisconnectedBy = d.DisconnectedBy
		s.FinishReason = d.Reason
		outcome := d.Outcome
		if outcome == "" {
			outcome = sb.WaitEnded
		}
		finish(s, t, outcome)
	case *WrappedUpData:
		disp := d.Disposition
		s.Disposition = &disp
		s.WrapUpAt = &t
		if n := len(s.Handles); n > 0 {
			s.Handles[n-1].WrapUpAt = &t
		}
	case *MessageData, *RecallData:
		applyMessage(s, e, p)
	case *TagsData:
		for _, t := range d.Added {
			if !slices.ContainsFunc(s.Tags, func(o sb.TagRef) bool { return o.ID == t.ID }) {
				s.Tags = append(s.Tags, t)
			}
		}
		s.Tags = slices.DeleteFunc(s.Tags, func(o sb.TagRef) bool { return slices.Contains(d.Removed, o.ID) })
	case *NoReplyData:
		since := d.Since
		s.Messages.NoReplySince = &since
	case *ReminderData:
		// Records for the desk and for administrators; the session is as it was.
	case *AlertData:
		// An alert changes nothing in the session: administrators read it
		// from the log (the message center).
	case *RatedData:
		s.Ratings++
		if s.Rating == nil { // only the first rating counts
			r := d.Rating
			s.Rating, s.Feedback, s.RatedAt = &r, d.Comment, &t
			s.RatingTags, s.Solved = slices.Clone(d.Tags), d.Solved
		}
	case *RatingInvitedData:
		s.RatingInvites++
		s.RatingInvitedAt = &t
	case *ProfileData:
		applyProfile(s, d)
	case payload:
		if f, ok := d.(effect); ok {
			f.apply(s, e)
		}
	default:
		return fmt.Errorf("no fold for event type %s", e.Type)
	}
	return nil
}

func appendPath(path []sb.QueueRef, q sb.QueueRef) []sb.QueueRef {
	if n := len(path); n > 0 && path[n-1].ID == q.ID {
		return path
	}
	return append(path, q)
}

// joinEndUser adds the end user as a connected participant unless one is
// connected already; someone who left and comes back gets a new record.
func joinEndUser(s *sb.Session, t time.Time) {
	for _, p := range s.Participants {
		if p.Type == sb.ParticipantEndUser && p.Status == "connected" {
			return
		}
	}
	addParticipant(s, sb.Participant{Type: sb.ParticipantEndUser, Status: "connected", EndUserID: s.EndUser.ID,
		Name: s.EndUser.Name, PhoneNumber: s.EndUser.Phone, ConnectedAt: &t})
}

func addParticipant(s *sb.Session, p sb.Participant) {
	p.ID = int64(len(s.Participants) + 1)
	s.Participants = append(s.Participants, p)
}

// markParticipant moves the connecting participants of a type to status.
func markParticipant(s *sb.Session, typ, status string, t time.Time) {
	for i := range s.Participants {
		p := &s.Participants[i]
		if p.Type == typ && p.Status == "connecting" {
			p.Status, p.ConnectedAt = status, &t
		}
	}
}

func closeParticipants(s *sb.Session, t time.Time, typ string) {
	for i := range s.Participants {
		p := &s.Participants[i]
		if (typ == "" || p.Type == typ) && (p.Status == "connected" || p.Status == "connecting") {
			if p.Status == "connecting" && p.Type != sb.ParticipantAgent {
				p.Status = "failed"
			} else {
				p.Status = "finished"
			}
			p.EndedAt = &t
		}
	}
}

func connect(s *sb.Session, t time.Time) {
	if s.ConnectedAt == nil {
		s.ConnectedAt = &t
	}
	if h := s.CurrentHandle(); h != nil && h.ConnectedAt == nil {
		h.ConnectedAt = &t
	}
	joinEndUser(s, t)
	markParticipant(s, sb.ParticipantAgent, "connected", t)
}

func startWait(s *sb.Session, q sb.QueueRef, t time.Time, transferID int64, requeue bool) {
	closeWait(s, t, sb.WaitEnded, 0)
	if s.QueuedAt == nil {
		s.QueuedAt = &t
	}
	s.QueueWaits = append(s.QueueWaits, sb.QueueWait{Queue: q, StartedAt: t, TransferID: transferID, Requeue: requeue})
}

func closeWait(s *sb.Session, t time.Time, outcome string, agentID int64) {
	if w := s.CurrentWait(); w != nil {
		w.EndedAt, w.Outcome, w.AgentID = &t, outcome, agentID
	}
}

func closeHandle(s *sb.Session, t time.Time, transferOut int64) {
	if h := s.CurrentHandle(); h != nil {
		h.EndedAt = &t
		h.TransferOut = transferOut
	}
}

func closeVA(s *sb.Session, t time.Time, reason string) {
	if n := len(s.VAHandles); n > 0 && s.VAHandles[n-1].EndedAt == nil {
		s.VAHandles[n-1].EndedAt = &t
		s.VAHandles[n-1].FinishReason = reason
		closeParticipants(s, t, sb.ParticipantVirtualAgent)
	}
}

func endHold(s *sb.Session, t time.Time) {
	if !s.OnHold {
		return
	}
	s.OnHold = false
	if n := len(s.Holds); n > 0 && s.Holds[n-1].EndedAt == nil {
		s.Holds[n-1].EndedAt = &t
	}
}

func findTransfer(s *sb.Session, id int64) *sb.Transfer {
	if id < 1 || int(id) > len(s.Transfers) {
		return nil
	}
	return &s.Transfers[id-1]
}

// finish closes everything open when the session reaches an end status.
func finish(s *sb.Session, t time.Time, waitOutcome string) {
	s.EndedAt = &t
	endHold(s, t)
	closeWait(s, t, waitOutcome, 0)
	closeHandle(s, t, 0)
	closeVA(s, t, "ended")
	closeParticipants(s, t, "")
}
