package service

import (
	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// AgentMay decides whether an agent may run cmd on session s. An agent acts
// on the sessions it handles: as the current handler, as the receiver of a
// pending transfer, as an added participant, or — once the session has
// ended — as its last handler (wrap-up, data-stream events). It may pick a
// waiting session up for itself, and only for itself. Ratings come from the
// end user, never from an agent. Supervisors, integrations and admins may
// act on every session.
func AgentMay(agentID int64, s *sb.Session, cmd lifecycle.Command) error {
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

// VisitorOwns decides whether a visitor may read or act on session s: only
// a web chat it started itself.
func VisitorOwns(c Caller, s *sb.Session) error {
	if s.Type != sb.TypeChatWeb || s.EndUser.Identifier == "" || s.EndUser.Identifier != c.VisitorID {
		return sb.Errorf(sb.EFORBIDDEN, "a visitor may only use its own chats")
	}
	return nil
}

// visitorCommand keeps a visitor to the commands of its side of a chat:
// message and recall as the end user, rate, and end as the end user.
// Staff commands pass unchanged.
func visitorCommand(c Caller, cmd lifecycle.Command) error {
	if c.Role != sb.RoleVisitor {
		return nil
	}
	asEndUser := func(from *string, what string) error {
		if *from != "" && *from != sb.FromEndUser {
			return sb.Errorf(sb.EFORBIDDEN, "a visitor %s only as the end user", what)
		}
		*from = sb.FromEndUser
		return nil
	}
	switch c := cmd.(type) {
	case *lifecycle.Message:
		return asEndUser(&c.From, "writes")
	case *lifecycle.Recall:
		return asEndUser(&c.From, "recalls")
	case *lifecycle.End:
		return asEndUser(&c.DisconnectedBy, "ends a chat")
	case *lifecycle.Rate:
		return nil
	}
	return sb.Errorf(sb.EFORBIDDEN, "a visitor may only send, recall, rate and end")
}

// setSender fills in who sends or recalls a message from the caller: an
// agent as itself; integrations and administrators relay the end user, a
// virtual agent or the system; supervisors speak as the system.
func setSender(c Caller, cmd lifecycle.Command) error {
	var from *string
	var agentID *int64
	switch c := cmd.(type) {
	case *lifecycle.Message:
		from, agentID = &c.From, &c.AgentID
	case *lifecycle.Recall:
		from, agentID = &c.From, &c.AgentID
	default:
		return nil
	}
	switch c.Role {
	case sb.RoleAgent:
		if *from != "" && *from != sb.FromAgent {
			return sb.Errorf(sb.EFORBIDDEN, "an agent writes as itself, not as %s", *from)
		}
		*from, *agentID = sb.FromAgent, c.AgentID
	case sb.RoleSupervisor:
		if *from != "" && *from != sb.FromSystem {
			return sb.Errorf(sb.EFORBIDDEN, "a supervisor writes as the system")
		}
		*from = sb.FromSystem
	default:
		if *from == sb.FromAgent {
			return sb.Errorf(sb.EFORBIDDEN, "only an agent's own token writes as an agent")
		}
		if *from == "" {
			return sb.Errorf(sb.EINVALID, "from is required: end_user, virtual_agent or system")
		}
	}
	return nil
}
