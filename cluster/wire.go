// Package cluster holds what the nodes of a cluster say to each other
// beside the store and the bus: a node that does not hold the leader's
// lease forwards session commands to the node that does, with the caller
// that sent them, and relays the answer.
package cluster

import (
	"encoding/json"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
)

// CommandPath is where the leader takes forwarded commands.
const CommandPath = "/internal/v1/commands"

// SecretHeader carries the cluster's shared secret.
const SecretHeader = "X-Switchboard-Cluster-Secret"

// Request is a forwarded command.
type Request struct {
	Caller service.Caller `json:"caller"`
	// SessionID is the session the command runs on; 0 creates one.
	SessionID int64 `json:"session_id,omitempty"`
	// Command is the public command's name ("create" for a new session)
	// and Body its JSON, as the client sent it.
	Command        string          `json:"command"`
	Body           json.RawMessage `json:"body,omitempty"`
	IfMatch        *int64          `json:"if_match,omitempty"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	// FreshKey says the forwarder made IdempotencyKey (the client sent
	// none) and this is its first try: the leader need not look it up.
	FreshKey bool `json:"fresh_key,omitempty"`
}

// Result is the leader's answer to a forwarded command.
type Result struct {
	Session  *sb.Session `json:"session"`
	Events   []sb.Event  `json:"events"`
	Replayed bool        `json:"replayed,omitempty"`
}

// errorBody is the answer of a refused command: the API's error format.
type errorBody struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Detail  map[string]any `json:"detail,omitempty"`
	} `json:"error"`
}

// RoutingPath is where the leader takes routing's calls (service.Routing):
// RoutingPath + the op's name.
const RoutingPath = "/internal/v1/routing/"

// The routing ops.
const (
	OpSaveAgent     = "save-agent"
	OpAgentStatus   = "agent-status"
	OpSaveSettings  = "save-settings"
	OpQueuePosition = "queue-position"
	OpQueueState    = "queue-state"
	OpView          = "view"
	// OpQueuePositions answers every waiting session's place at once.
	OpQueuePositions = "queue-positions"
)

// RoutingRequest is a forwarded call of service.Routing; each op reads
// its own fields. The answer is the call's result as JSON, or the API's
// error.
type RoutingRequest struct {
	Agent     *sb.Agent           `json:"agent,omitempty"`
	AgentID   int64               `json:"agent_id,omitempty"`
	Status    sb.AgentStatus      `json:"status,omitempty"`
	Settings  *sb.RoutingSettings `json:"settings,omitempty"`
	SessionID int64               `json:"session_id,omitempty"`
	QueueID   int64               `json:"queue_id,omitempty"`
	// MaxAgeMS is QueuePosition's and QueuePositions' maxAge in
	// milliseconds.
	MaxAgeMS int64 `json:"max_age_ms,omitempty"`
}
