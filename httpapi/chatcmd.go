package httpapi

import (
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// prepareChat fills in what chat commands take from the caller and the
// settings rather than from the request: who invites a rating, the CSAT
// deadline, attribution and score options (which tags each score offers),
// and the names of an agent's message: its own for staff, the nickname
// visitors see.
func (s *Server) prepareChat(p Principal, cmd lifecycle.Command) error {
	csat := s.Directory.CSATSettings()
	window := time.Duration(csat.DeadlineSeconds) * time.Second
	switch c := cmd.(type) {
	case *lifecycle.InviteRating:
		switch p.Role {
		case sb.RoleAgent:
			c.By, c.AgentID = sb.FromAgent, p.AgentID
		case sb.RoleSupervisor, sb.RoleAdmin:
			c.By = "supervisor"
		default:
			c.By = sb.FromSystem
		}
		c.Window = window
	case *lifecycle.Rate:
		c.Window, c.Attribution, c.Scores = window, csat.Attribution, csat.Scores
	case *lifecycle.Message:
		if c.From != sb.FromAgent {
			break
		}
		if a, err := s.Directory.GetAgent(c.AgentID); err == nil {
			c.AgentName = a.Name // for colleagues' transcripts
			if s.Directory.ChatSettings().ShowAgentNickname {
				c.Nickname = a.Nickname
			}
		}
	}
	return nil
}
