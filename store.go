package switchboard

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Clock tells the time. Logic never calls time.Now: it reads an injected
// Clock, so the same code runs on the wall clock and on a virtual one.
type Clock interface {
	Now() time.Time
}

// Timer is a durable timer: stored beside the events, so a restart neither
// loses nor doubles it. A session has at most one pending timer per kind.
type Timer struct {
	SessionID int64           `json:"session_id"`
	Kind      string          `json:"kind"`
	DueAt     time.Time       `json:"due_at"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Outbox delivery states.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxParked    = "parked"
)

// OutboxItem is a delivery (a metadata file, a webhook, an export) written in
// the same transaction as the events that caused it and delivered later, at
// least once, by a worker.
type OutboxItem struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	SessionID int64  `json:"session_id"`
	// Key is the idempotency key sent with every attempt of this delivery.
	Key           string     `json:"key"`
	Payload       []byte     `json:"-"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	CreatedAt     time.Time  `json:"created_at"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// Change is everything one command commits for one session: the new events,
// the projection after them, and the timers and deliveries they cause.
type Change struct {
	// Session is the projection after Events were applied.
	Session *Session
	// ExpectedSeq is the session's Seq before the append: 0 for a new session.
	// The store refuses the change if the stored Seq differs.
	ExpectedSeq int64
	// Events are the new events, with SessionID, Seq, Type, Time, Actor and
	// Data set. The store assigns their global IDs.
	Events []Event
	// SetTimers creates or replaces timers (by session and kind).
	SetTimers []Timer
	// EnsureTimers creates timers unless one of that kind is pending.
	EnsureTimers []Timer
	// FiredTimers removes timers that fired. The store refuses the change
	// with EPRECONDITION if one of them is no longer pending with the same
	// due time, so a timer fires at most once even with racing firers.
	FiredTimers []Timer
	// CancelTimers removes pending timers of these kinds for the session.
	CancelTimers []string
	// Outbox adds deliveries.
	Outbox []OutboxItem
	// Idempotency, when set, records the command that made this change
	// under its idempotency key, in the same transaction. The store
	// refuses the change with EPRECONDITION if the key is recorded
	// already.
	Idempotency *IdempotencyRecord
}

// IdempotencyRecord remembers a command a client sent with an
// idempotency key, so that the command sent again (a retry after a lost
// answer, or across a failover) is answered as the first time instead of
// running twice.
type IdempotencyRecord struct {
	// Key is the client's key, scoped by the caller that sent it.
	Key string
	// Fingerprint identifies the request: the same key with another
	// request is refused.
	Fingerprint string
	// SessionID is the session the command ran on (or created); its
	// answer was the session at version ToSeq and the events with Seq in
	// (FromSeq, ToSeq].
	SessionID      int64
	FromSeq, ToSeq int64
	CreatedAt      time.Time
}

// Served is an agent who handled a customer's session.
type Served struct {
	SessionID int64
	AgentID   int64
}

// CustomerKey identifies a returning customer: the integration's
// identifier, else the e-mail, else the phone number; "" when unknown.
func (u EndUser) CustomerKey() string {
	switch {
	case u.Identifier != "":
		return "id:" + u.Identifier
	case u.Email != "":
		return "email:" + strings.ToLower(u.Email)
	case u.Phone != "":
		return "phone:" + u.Phone
	}
	return ""
}

// SessionFilter selects sessions to list. The zero value lists all, newest first.
type SessionFilter struct {
	Status  *Status
	Medium  Medium
	Type    SessionType
	AgentID int64
	QueueID int64
	// EndUser selects the sessions created with this end-user identifier.
	EndUser  string
	BeforeID int64 // cursor: only sessions with a smaller ID
	Limit    int
	// History search (SPEC §2.5): the channel; sessions created in
	// [From, To) (zero: unbounded); only ended ones; handled at any time
	// by an agent; carrying a session tag; with a message containing Text
	// (case-insensitive for Latin letters).
	Channel   Channel
	From, To  time.Time
	Ended     bool
	HandledBy int64
	TagID     int64
	Text      string
}

// EventStore keeps the session logs, the projections read by the API, the
// durable timers and the outbox. Every implementation passes the same
// conformance suite (storetest).
type EventStore interface {
	// Commit appends all changes in one transaction: all or nothing. It
	// returns an EPRECONDITION error when a session's stored Seq differs
	// from its change's ExpectedSeq. On success the events' IDs are set.
	// A change's Session must be the version before it with the change's
	// events applied (lifecycle.Apply): a store may keep an older version
	// and fold the events after it when the session is read.
	Commit(ctx context.Context, changes []*Change) error
	// Session returns the projection of one session.
	Session(ctx context.Context, id int64) (*Session, error)
	// Sessions lists projections.
	Sessions(ctx context.Context, f SessionFilter) ([]*Session, error)
	// LiveSessions returns every session that has not ended, by ID.
	LiveSessions(ctx context.Context) ([]*Session, error)
	// ServedCustomer returns the agents who handled the sessions of one
	// customer (EndUser.CustomerKey) created at or after since: by session
	// in creation order, each agent once per session, in the order of the
	// session's handles. It is the history the familiar-customer rule
	// reads, and costs the same whatever the number of sessions stored.
	ServedCustomer(ctx context.Context, customer string, since time.Time) ([]Served, error)
	// MaxSessionID returns the largest session ID in use, 0 when none.
	MaxSessionID(ctx context.Context) (int64, error)
	// ReserveSessionIDs hands out n new session IDs, first to first+n-1:
	// IDs never handed out before, to any writer of the store, and larger
	// than any session committed so far. An ID reserved and not used is
	// skipped, never reused.
	ReserveSessionIDs(ctx context.Context, n int) (first int64, err error)
	// LastEventID returns the largest event ID in use, 0 when none.
	LastEventID(ctx context.Context) (int64, error)
	// SessionEvents returns a session's events with Seq > afterSeq, in order.
	SessionEvents(ctx context.Context, sessionID, afterSeq int64, limit int) ([]Event, error)
	// SessionsEvents returns the whole logs of the sessions with IDs from
	// fromID to toID, session by session, each in sequence order.
	SessionsEvents(ctx context.Context, fromID, toID int64) ([]Event, error)
	// Events returns events of all sessions with ID > afterID, in order.
	Events(ctx context.Context, afterID int64, limit int) ([]Event, error)
	// DueTimers returns pending timers due at or before t, earliest first.
	DueTimers(ctx context.Context, t time.Time, limit int) ([]Timer, error)
	// NextTimer returns the earliest pending timer, if any.
	NextTimer(ctx context.Context) (Timer, bool, error)
	// PendingOutbox returns pending deliveries whose next attempt is due at t.
	PendingOutbox(ctx context.Context, t time.Time, limit int) ([]OutboxItem, error)
	// NextOutboxAttempt returns when the earliest pending delivery is due.
	NextOutboxAttempt(ctx context.Context) (time.Time, bool, error)
	// UpdateOutbox stores the outcome of a delivery attempt.
	UpdateOutbox(ctx context.Context, item OutboxItem) error
	// Outbox lists deliveries in a state ("" for all), newest first.
	Outbox(ctx context.Context, state string, limit int) ([]OutboxItem, error)
	// OutboxItem returns one delivery.
	OutboxItem(ctx context.Context, id int64) (OutboxItem, error)
	// Idempotency returns the record of an idempotency key; ENOTFOUND
	// when none.
	Idempotency(ctx context.Context, key string) (IdempotencyRecord, error)
	// PruneIdempotency forgets the keys recorded before t and returns how
	// many it forgot.
	PruneIdempotency(ctx context.Context, before time.Time) (int64, error)
}
