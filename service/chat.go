package service

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
func (s *Sessions) prepareChat(c Caller, cmd lifecycle.Command) {
	csat := s.dir.CSATSettings()
	window := time.Duration(csat.DeadlineSeconds) * time.Second
	switch cmd := cmd.(type) {
	case *lifecycle.InviteRating:
		switch c.Role {
		case sb.RoleAgent:
			cmd.By, cmd.AgentID = sb.FromAgent, c.AgentID
		case sb.RoleSupervisor, sb.RoleAdmin:
			cmd.By = "supervisor"
		default:
			cmd.By = sb.FromSystem
		}
		cmd.Window = window
	case *lifecycle.Rate:
		cmd.Window, cmd.Attribution, cmd.Scores = window, csat.Attribution, csat.Scores
	case *lifecycle.Message:
		if cmd.From != sb.FromAgent {
			break
		}
		if a, err := s.dir.GetAgent(cmd.AgentID); err == nil {
			cmd.AgentName = a.Name // for colleagues' transcripts
			if s.dir.ChatSettings().ShowAgentNickname {
				cmd.Nickname = a.Nickname
			}
		}
	}
}
