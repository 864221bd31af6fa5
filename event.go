package switchboard

import (
	"encoding/json"
	"time"
)

// EventType names the kind of an event in a session's log.
type EventType string

// Event is one entry of a session's append-only log: a lifecycle change or a
// data-stream item (SPEC §1.4). Events are never changed once written.
type Event struct {
	// ID is the event's global position: unique, and increasing in commit
	// order across all sessions. Subscribers to all sessions resume by it.
	ID int64 `json:"id"`
	// SessionID is the session the event belongs to.
	SessionID int64 `json:"session_id"`
	// Seq numbers a session's events 1, 2, 3, … without gaps.
	Seq int64 `json:"seq"`
	// Type is the event's kind, e.g. "session_created" or "held".
	Type EventType `json:"type"`
	// Version is the schema version of Data for this Type.
	Version int `json:"v"`
	// Time is when the event happened, read from the injected clock.
	Time time.Time `json:"time"`
	// Actor is who caused the event.
	Actor Actor `json:"actor"`
	// Data is the event's typed payload as JSON.
	Data json.RawMessage `json:"data"`
}

// ActorKind says what kind of principal caused an event.
type ActorKind string

// Actor kinds.
const (
	ActorSystem       ActorKind = "system"
	ActorAgent        ActorKind = "agent"
	ActorEndUser      ActorKind = "end_user"
	ActorVirtualAgent ActorKind = "virtual_agent"
	ActorIntegration  ActorKind = "integration"
	ActorSupervisor   ActorKind = "supervisor"
	ActorAdmin        ActorKind = "admin"
)

// Actor identifies who caused an event.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name,omitempty"`
}

// SystemActor is the actor of events the platform raises by itself, such as
// timer expiries.
var SystemActor = Actor{Kind: ActorSystem}
