// Package service holds the decisions every transport shares: who may run
// which session command, what a command takes from the caller and the
// settings rather than from the request, and where routing sends a new
// session. REST, the WebSocket, replays and, in a cluster, the commands a
// node forwards to the leader all go through it, so a rule holds the same
// whichever door a command comes in by.
package service

import (
	"strconv"

	sb "github.com/switchboardhq/switchboard"
)

// Caller is who runs a command, as the transport authenticated it: plain
// data, so that a node can hand it to another with the command.
type Caller struct {
	// Role is one of the sb.Role constants.
	Role string `json:"role"`
	Name string `json:"name,omitempty"`
	// TokenID is the API token the caller used, if any.
	TokenID int64 `json:"token_id,omitempty"`
	// UserID is the logged-in user of a desk or console login, if any.
	UserID int64 `json:"user_id,omitempty"`
	// AgentID is the agent an agent's token or login acts as.
	AgentID int64 `json:"agent_id,omitempty"`
	// VisitorID and PluginID identify a visitor (role visitor): the signed
	// identity the widget holds, and the web plugin it came through.
	VisitorID string `json:"visitor_id,omitempty"`
	PluginID  int64  `json:"plugin_id,omitempty"`
	// Contact is what a visitor's signed token says of it; it wins over
	// what the visitor types.
	Contact Contact `json:"contact,omitzero"`
}

// Contact is a visitor's name, e-mail and phone as its site signed them.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Actor is the event actor a caller's commands are recorded with.
func (c Caller) Actor() sb.Actor {
	switch c.Role {
	case sb.RoleAgent:
		return sb.Actor{Kind: sb.ActorAgent, ID: strconv.FormatInt(c.AgentID, 10), Name: c.Name}
	case sb.RoleSupervisor:
		return sb.Actor{Kind: sb.ActorSupervisor, ID: c.actorID(), Name: c.Name}
	case sb.RoleAdmin:
		return sb.Actor{Kind: sb.ActorAdmin, ID: c.actorID(), Name: c.Name}
	case sb.RoleVisitor:
		return sb.Actor{Kind: sb.ActorEndUser, ID: c.VisitorID, Name: c.Name}
	}
	return sb.Actor{Kind: sb.ActorIntegration, ID: strconv.FormatInt(c.TokenID, 10), Name: c.Name}
}

// actorID names a token by its ID and a logged-in user as user:<id>.
func (c Caller) actorID() string {
	if c.UserID != 0 {
		return "user:" + strconv.FormatInt(c.UserID, 10)
	}
	return strconv.FormatInt(c.TokenID, 10)
}
