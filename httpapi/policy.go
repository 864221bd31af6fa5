package httpapi

import (
	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// agentMay decides whether an agent may run cmd on session s. An agent acts
// on the sessions it handles: as the current handler, as the receiver of a
// pending transfer, as an added participant, or — once the session has
// ended — as its last handler (wrap-up, data-stream events). It may pick a
// waiting session up for itself, and only for itself. Ratings come from the
// end user, never from an agent. Supervisors, integrations and admins may
// act on every session.
func agentMay(agentID int64, s *sb.Session, cmd lifecycle.Command) error {
	switch c := cmd.(type) {
	case *lifecycle.Assign:
		if c.AgentID != agentID {
			return sb.Errorf(sb.EFORBIDDEN, "an agent may assign sessions only to itself (agent %d)", agentID)
		}
		return nil
	case *lifecycle.Rate:
		return sb.Errorf(sb.EFORBIDDEN, "ratings come from the end user, not from an agent")
	}
	if h := s.CurrentHandle(); h != nil && h.Agent.ID == agentID {
		return nil
	}
	if t := s.PendingTransfer(); t != nil && t.ToAgent != nil && t.ToAgent.ID == agentID {
		return nil
	}
	for _, p := range s.Participants {
		if p.Type == sb.ParticipantAgent && p.UserID == agentID && (p.Status == "connected" || p.Status == "connecting") {
			return nil
		}
	}
	if n := len(s.Handles); n > 0 && s.Status.Terminal() && s.Handles[n-1].Agent.ID == agentID {
		return nil
	}
	return sb.Errorf(sb.EFORBIDDEN, "agent %d does not handle session %d", agentID, s.ID)
}
