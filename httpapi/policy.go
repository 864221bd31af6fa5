package httpapi

import (
	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// agentMay decides whether an agent may run cmd on session s.
func agentMay(agentID int64, s *sb.Session, cmd lifecycle.Command) error {
	return service.AgentMay(agentID, s, cmd)
}
