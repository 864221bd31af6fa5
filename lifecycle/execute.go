package lifecycle

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Directory resolves the agents, virtual agents and queues that commands
// name by ID into the snapshots events record.
type Directory interface {
	Agent(id int64) (sb.AgentRef, error)
	VirtualAgent(id int64) (sb.VirtualAgentRef, error)
	Queue(id int64) (sb.QueueRef, error)
	// AgentGroups lists the skill groups (queue IDs) the agent belongs to
	// now, in ascending order; a transfer to the agent records them.
	AgentGroups(id int64) ([]int64, error)
}

// Env is everything a command reads besides the session: the time, who is
// acting, the directory, and a source of UUIDs.
type Env struct {
	Now   time.Time
	Actor sb.Actor
	Dir   Directory
	// NewUUID returns a fresh UUID; injected so replays are deterministic.
	NewUUID func() string
	// SessionID is the ID a create command gives the new session.
	SessionID int64
}

// Command is a request to change a session. Validate checks the input
// alone; decide checks it against the session and returns the events.
type Command interface {
	// Name is the command's name in the transition table.
	Name() string
	// Validate checks the command's own fields.
	Validate() error
	decide(s *sb.Session, env *Env) ([]draft, error)
}

// TimerRequester is implemented by commands that set durable timers.
type TimerRequester interface {
	Timers(s *sb.Session) []sb.Timer
}

type draft struct {
	typ  sb.EventType
	data any
}

// Result is the outcome of a command: the session after it and the new
// events, ready to be committed.
type Result struct {
	Session *sb.Session
	Events  []sb.Event
}

// Execute checks cmd against the table and the session (nil for create),
// and returns the new events and the session with them applied. s is not
// modified. A refused command returns an *sb.Error and no events.
func Execute(s *sb.Session, cmd Command, env Env) (Result, error) {
	if err := cmd.Validate(); err != nil {
		return Result{}, err
	}
	_, isCreate := cmd.(*Create)
	switch {
	case isCreate && s != nil:
		return Result{}, sb.Errorf(sb.ECONFLICT, "session %d exists already", s.ID)
	case !isCreate && s == nil:
		return Result{}, sb.Errorf(sb.ENOTFOUND, "session not found")
	case !isCreate && !Allowed(cmd.Name(), s.Status):
		return Result{}, conflict(cmd.Name(), s, "")
	}
	env.Now = env.Now.UTC().Truncate(time.Millisecond)
	drafts, err := cmd.decide(s, &env)
	if err != nil {
		if sb.ErrorCode(err) == sb.ENOTFOUND {
			// Something the body names does not exist: the request is
			// invalid. (A missing session is refused before decide.)
			return Result{}, sb.Errorf(sb.EINVALID, "%s", sb.ErrorMessage(err))
		}
		return Result{}, err
	}
	var next *sb.Session
	var seq int64
	sessionID := env.SessionID
	if s != nil {
		next = Clone(s)
		seq = s.Seq
		sessionID = s.ID
	} else {
		next = &sb.Session{ID: sessionID}
	}
	events := make([]sb.Event, 0, len(drafts))
	for _, d := range drafts {
		seq++
		data, err := json.Marshal(d.data)
		if err != nil {
			return Result{}, fmt.Errorf("encode %s: %w", d.typ, err)
		}
		e := sb.Event{SessionID: sessionID, Seq: seq, Type: d.typ, Version: versionOf(d.typ),
			Time: env.Now, Actor: env.Actor, Data: data}
		if err := applyPayload(next, e, d.data); err != nil {
			return Result{}, err
		}
		events = append(events, e)
	}
	return Result{Session: next, Events: events}, nil
}

// Apply folds one stored event into s.
func Apply(s *sb.Session, e sb.Event) error {
	p := payloadFor(e.Type)
	if p == nil {
		mk, ok := streamKinds[e.Type]
		if !ok {
			return fmt.Errorf("event %d/%d: unknown type %q", e.SessionID, e.Seq, e.Type)
		}
		p = mk()
	}
	if err := json.Unmarshal(e.Data, p); err != nil {
		return fmt.Errorf("decode %s event %d/%d: %w", e.Type, e.SessionID, e.Seq, err)
	}
	return applyPayload(s, e, p)
}

// Fold rebuilds a session from its whole log.
func Fold(events []sb.Event) (*sb.Session, error) {
	if len(events) == 0 {
		return nil, sb.Errorf(sb.ENOTFOUND, "session has no events")
	}
	s := &sb.Session{ID: events[0].SessionID}
	for _, e := range events {
		if e.Seq != s.Seq+1 {
			return nil, fmt.Errorf("session %d: event seq %d follows %d", e.SessionID, e.Seq, s.Seq)
		}
		if err := Apply(s, e); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Clone returns a copy of s that shares no mutable memory with it.
func Clone(s *sb.Session) *sb.Session {
	c := *s
	c.MenuPath = slices.Clone(s.MenuPath)
	c.Participants = slices.Clone(s.Participants)
	c.Transfers = slices.Clone(s.Transfers)
	c.Holds = slices.Clone(s.Holds)
	c.QueueWaits = slices.Clone(s.QueueWaits)
	c.Handles = slices.Clone(s.Handles)
	c.VAHandles = slices.Clone(s.VAHandles)
	c.Deflections = slices.Clone(s.Deflections)
	c.Media = slices.Clone(s.Media)
	c.TextInputs = slices.Clone(s.TextInputs)
	c.SMS = slices.Clone(s.SMS)
	c.Messages.Recent = slices.Clone(s.Messages.Recent)
	c.Tags = slices.Clone(s.Tags)
	return &c
}

func ptr[T any](v T) *T { return &v }
