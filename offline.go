package switchboard

import "context"

// MaxOfflineContent is the longest offline message, in characters.
const MaxOfflineContent = 5000

// OfflineFilter selects offline messages to list. The zero value lists all,
// newest first.
type OfflineFilter struct {
	// Status is one of the Offline… statuses ("" for all).
	Status string
	// Assignee selects the messages of one agent; a pointer to 0 selects
	// the unassigned ones, nil any.
	Assignee *int64
	// Query keeps messages whose content, name, e-mail or phone contains
	// it, ignoring the case of ASCII letters.
	Query string
	// BeforeID is the cursor: only messages with a smaller ID.
	BeforeID int64
	Limit    int
}

// OfflineCounts are the sizes of the offline-message lists (SPEC §2.3).
type OfflineCounts struct {
	All         int `json:"all"`
	Unprocessed int `json:"unprocessed"`
	Processing  int `json:"processing"`
	Processed   int `json:"processed"`
	Unassigned  int `json:"unassigned"`
	// Mine counts the messages assigned to the agent asked about.
	Mine int `json:"mine"`
}

// OfflineStore keeps the messages visitors leave through the leave-message
// form. Every implementation passes the conformance suite (storetest).
type OfflineStore interface {
	// CreateOfflineMessage stores a new message and sets its ID.
	CreateOfflineMessage(ctx context.Context, m *OfflineMessage) error
	// OfflineMessage returns one message; ENOTFOUND when there is none.
	OfflineMessage(ctx context.Context, id int64) (OfflineMessage, error)
	// OfflineMessages lists messages, newest first.
	OfflineMessages(ctx context.Context, f OfflineFilter) ([]OfflineMessage, error)
	// CountOfflineMessages counts the messages of each list; Mine counts
	// those assigned to agentID.
	CountOfflineMessages(ctx context.Context, agentID int64) (OfflineCounts, error)
	// UpdateOfflineMessage reads a message, lets change modify it and
	// stores the result, all in one transaction. When change returns an
	// error nothing is stored and that error is returned. The ID and the
	// creation time cannot change.
	UpdateOfflineMessage(ctx context.Context, id int64, change func(m *OfflineMessage) error) (OfflineMessage, error)
}
