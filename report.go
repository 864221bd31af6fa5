package switchboard

import (
	"context"
	"time"
)

// Reports (SPEC §3) are a projection of the event log. The report package
// derives, from one session's events, the facts that session contributes
// (SessionFacts); a ReportStore keeps every session's facts and answers the
// seven reports by adding facts up. Every fact carries the one time it is
// counted at (At) and the dimensions a query filters on, so that every
// column is a plain sum and a day's facts can be rolled up once.
//
// Durations are in milliseconds. A "0/1" field is 1 when the fact holds.

// AgentFact is one agent's part in one session: every serve of the agent
// in it (pick-ups and accepted transfers in). It is counted at the agent's
// first serve in the session. GroupID is the group the agent first served
// the session from (0: none).
type AgentFact struct {
	SessionID int64     `json:"session_id"`
	AgentID   int64     `json:"agent_id"`
	GroupID   int64     `json:"group_id"`
	Channel   Channel   `json:"channel"`
	Entry     string    `json:"entry"`
	At        time.Time `json:"at"`

	PickUps       int   `json:"pick_ups"`       // serves, pick-ups and transfers in
	AccessedFirst int   `json:"accessed_first"` // 0/1: the session's first pick-up
	TransfersIn   int   `json:"transfers_in"`
	TransfersOut  int   `json:"transfers_out"`
	Ended         int   `json:"ended"`    // 0/1: this agent closed the session last
	DurationMS    int64 `json:"duration"` // closed serves: start to transfer-out or end

	// Ended sessions only.
	Valid           int   `json:"valid"`   // 0/1: the agent sent a human message
	Invalid         int   `json:"invalid"` // 0/1: no end-user message or no message of the agent
	FirstResponses  int   `json:"first_responses"`
	FirstResponseMS int64 `json:"first_response"`     // the agent's first message − its first serve
	ResponseAvgs    int   `json:"response_avgs"`      // 0/1: the session has a reply time
	ResponseAvgMS   int64 `json:"response_avg"`       // mean reply time of the agent in the session
	Invited         int   `json:"invited"`            // 0/1: the agent invited a rating
	InviteSuccess   int   `json:"invite_success"`     // 0/1: invited, and a counted rating came
	HoldMS          int64 `json:"hold,omitempty"`     // time the agent held the end user
	HandleMS        int64 `json:"handle,omitempty"`   // CCAI handle time: connected to wrap-up
	WrapUpMS        int64 `json:"wrap_up,omitempty"`  // end of talk to wrap-up
	Messages        int   `json:"messages,omitempty"` // human messages the agent sent (not recalled)
}

// GroupFact is one skill group's part in one session: the serves of
// agents who received the session through that group (its queue, or a
// transfer straight to an agent placed in it). It is counted at the start
// of the group's first serve in the session. Transfers in and out are
// transfers to a group that are not overflow, and transfers straight to
// an agent that move the session between groups.
type GroupFact struct {
	SessionID int64     `json:"session_id"`
	GroupID   int64     `json:"group_id"`
	Channel   Channel   `json:"channel"`
	Entry     string    `json:"entry"`
	At        time.Time `json:"at"`

	PickUps       int   `json:"pick_ups"`
	AccessedFirst int   `json:"accessed_first"`
	TransfersIn   int   `json:"transfers_in"`
	TransfersOut  int   `json:"transfers_out"`
	Ended         int   `json:"ended"`    // 0/1: the session ended in this group
	DurationMS    int64 `json:"duration"` // ended sessions: end − the group's first pick-up

	Valid           int   `json:"valid"`
	Invalid         int   `json:"invalid"`
	FirstResponses  int   `json:"first_responses"`
	FirstResponseMS int64 `json:"first_response"`
	ResponseAvgs    int   `json:"response_avgs"`
	ResponseAvgMS   int64 `json:"response_avg"`
	Invited         int   `json:"invited"`
	InviteSuccess   int   `json:"invite_success"`
	HoldMS          int64 `json:"hold,omitempty"`   // time the group's agents held the end user
	HandleMS        int64 `json:"handle,omitempty"` // CCAI handle time of the group's serves
}

// Queue wait outcomes of a WaitFact, as counted by the reports.
const (
	WaitOutcomePickedUp  = "picked_up" // an agent picked it up
	WaitOutcomeAbandoned = "abandoned" // the end user gave up
	WaitOutcomeDropped   = "dropped"   // the system ended it on queue timeout
	WaitOutcomeOther     = "other"     // left the queue another way
	WaitOutcomeWaiting   = "waiting"   // still waiting
)

// WaitFact is one stay of a session in a group's queue ("to be accessed"),
// counted when it began.
type WaitFact struct {
	SessionID int64     `json:"session_id"`
	GroupID   int64     `json:"group_id"`
	Channel   Channel   `json:"channel"`
	Entry     string    `json:"entry"`
	At        time.Time `json:"at"`
	// WaitMS is the time spent waiting, up to the end of the wait (for a
	// wait still open, up to the newest event of the session).
	WaitMS   int64  `json:"wait"`
	Outcome  string `json:"outcome"`
	Transfer bool   `json:"transfer"` // entered by a transfer
	Overflow bool   `json:"overflow"` // moved here by a queue rule
	AgentID  int64  `json:"agent_id"` // who picked it up
}

// SessionFact is one session as the channel report counts it, at the
// session's first pick-up (for a session nobody picked up: its creation).
type SessionFact struct {
	SessionID     int64     `json:"session_id"`
	Channel       Channel   `json:"channel"`
	Entry         string    `json:"entry"`
	GroupID       int64     `json:"group_id"` // the group of the first pick-up
	At            time.Time `json:"at"`
	PickedUp      int       `json:"picked_up"` // 0/1
	Ended         int       `json:"ended"`     // 0/1: picked up and ended
	DurationMS    int64     `json:"duration"`  // ended: end − first pick-up
	Invited       int       `json:"invited"`
	InviteSuccess int       `json:"invite_success"`
	HoldMS        int64     `json:"hold"`
	HandleMS      int64     `json:"handle"`
}

// RatingFact is a counted rating (the session's first), counted when it was
// given, once for the session (AgentID 0) and once for each agent it counts
// for.
type RatingFact struct {
	SessionID int64     `json:"session_id"`
	AgentID   int64     `json:"agent_id"`
	GroupID   int64     `json:"group_id"`
	Channel   Channel   `json:"channel"`
	Entry     string    `json:"entry"`
	At        time.Time `json:"at"`
	Rating    int       `json:"rating"`
	Solved    *bool     `json:"solved,omitempty"`
}

// TransferFact is one transfer, a row of the transfer report (SPEC §3.7),
// counted when it started.
type TransferFact struct {
	SessionID  int64     `json:"session_id"`
	TransferID int64     `json:"transfer_id"`
	Channel    Channel   `json:"channel"`
	Entry      string    `json:"entry"`
	At         time.Time `json:"at"` // transfer-out time
	Visitor    string    `json:"visitor"`
	// Kind is "agent" or "group".
	Kind          string     `json:"kind"`
	Overflow      bool       `json:"overflow"`
	FromAgentID   int64      `json:"from_agent_id"`
	FromAgentName string     `json:"from_agent_name"`
	ToGroupID     int64      `json:"to_group_id,omitempty"`
	ToGroupName   string     `json:"to_group_name,omitempty"`
	ToAgentID     int64      `json:"to_agent_id,omitempty"` // the agent, or who picked up in the group
	ToAgentName   string     `json:"to_agent_name,omitempty"`
	Success       bool       `json:"success"`
	PickedUpAt    *time.Time `json:"picked_up_at,omitempty"`
	QueueMS       *int64     `json:"queue,omitempty"`    // wait in the target queue
	DurationMS    *int64     `json:"duration,omitempty"` // pick-up − transfer-out
	FailedAt      *time.Time `json:"failed_at,omitempty"`
	FailureMS     *int64     `json:"failure,omitempty"` // failure − transfer-out
	FailReason    string     `json:"fail_reason,omitempty"`
}

// SessionFacts is everything one session contributes to the reports. The
// report package derives it from the session's events; deriving again
// after more events replaces it whole.
type SessionFacts struct {
	SessionID int64          `json:"session_id"`
	Seq       int64          `json:"seq"` // the newest event it was derived from
	Session   SessionFact    `json:"session"`
	Agents    []AgentFact    `json:"agents,omitempty"`
	Groups    []GroupFact    `json:"groups,omitempty"`
	Waits     []WaitFact     `json:"waits,omitempty"`
	Ratings   []RatingFact   `json:"ratings,omitempty"`
	Transfers []TransferFact `json:"transfers,omitempty"`
}

// ReportQuery is a report's query area (SPEC §3): facts counted in
// [From, To), narrowed by every non-empty list (an empty list selects all).
type ReportQuery struct {
	From, To time.Time
	Channels []Channel
	Entries  []string
	AgentIDs []int64
	GroupIDs []int64
	// QueueThreshold is the queue report's x: a wait counts when it lasted
	// longer (default 60 s).
	QueueThreshold time.Duration
	// Transfer report filters: Kind "agent" or "group"; FromAgentIDs the
	// transferring agents; Success true or false.
	Kind         string
	FromAgentIDs []int64
	Success      *bool
	// Transfer report paging: rows after (At, SessionID, TransferID) of
	// the cursor, at most Limit (0: all).
	Limit      int
	AfterAt    time.Time
	AfterID    int64
	AfterTrans int64
}

// Workload is the sums behind the workload and satisfaction reports of
// one agent or one group (SPEC §3.1–3.4). Averages are derived from them.
type Workload struct {
	Sessions        int   `json:"sessions"`
	PickUps         int   `json:"pick_ups"`
	AccessedFirst   int   `json:"accessed_first"`
	TransfersIn     int   `json:"transfers_in"`
	TransfersOut    int   `json:"transfers_out"`
	Ended           int   `json:"ended"`
	DurationMS      int64 `json:"duration"`
	Valid           int   `json:"valid"`
	Invalid         int   `json:"invalid"`
	FirstResponses  int   `json:"first_responses"`
	FirstResponseMS int64 `json:"first_response"`
	ResponseAvgs    int   `json:"response_avgs"`
	ResponseAvgMS   int64 `json:"response_avg"`
	Invited         int   `json:"invited"`
	InviteSuccess   int   `json:"invite_success"`
	Ratings         int   `json:"ratings"`
	RatingSum       int   `json:"rating_sum"`
	HoldMS          int64 `json:"hold"`
	HandleMS        int64 `json:"handle"`
}

// WorkloadRow is one agent's or group's sums.
type WorkloadRow struct {
	ID int64 `json:"id"` // agent or group
	Workload
}

// QueueSums is the sums behind one group's queue report (SPEC §3.5) and a
// channel's queue columns (SPEC §3.6). "Counted" waits are those longer
// than the query's threshold; inbound waits exclude transfers.
type QueueSums struct {
	Waits            int   `json:"waits"` // every wait, any length
	WaitMS           int64 `json:"wait"`
	Counted          int   `json:"counted"`
	CountedMS        int64 `json:"counted_wait"`
	Successes        int   `json:"successes"`
	SuccessMS        int64 `json:"success_wait"`
	Abandons         int   `json:"abandons"` // counted, ended by the visitor or the system
	AbandonMS        int64 `json:"abandon_wait"`
	VisitorAbandons  int   `json:"visitor_abandons"`
	VisitorAbandonMS int64 `json:"visitor_abandon_wait"`
	Inbound          int   `json:"inbound"`           // inbound waits, any length
	InboundPickedUp  int   `json:"inbound_picked_up"` // inbound waits picked up
	InboundAbandoned int   `json:"inbound_abandoned"` // inbound waits the visitor gave up
	InboundDropped   int   `json:"inbound_dropped"`   // inbound waits ended on queue timeout
}

// QueueRow is one group's queue sums.
type QueueRow struct {
	GroupID int64 `json:"group_id"`
	QueueSums
}

// ChannelRow is one channel's sums (SPEC §3.6).
type ChannelRow struct {
	Channel Channel `json:"channel"`
	QueueSums
	Ended         int   `json:"ended"`
	DurationMS    int64 `json:"duration"`
	Invited       int   `json:"invited"`
	InviteSuccess int   `json:"invite_success"`
	Ratings       int   `json:"ratings"`
	RatingSum     int   `json:"rating_sum"`
}

// ReportStore keeps every session's report facts and adds them up. Put
// replaces the facts of the sessions it names; Reset forgets them all
// (before a rebuild). Checkpoint is the ID of the newest event whose
// session's facts are stored; SetCheckpoint moves it with a Put.
type ReportStore interface {
	PutFacts(ctx context.Context, facts []SessionFacts, checkpoint int64) error
	ResetFacts(ctx context.Context) error
	ReportCheckpoint(ctx context.Context) (int64, error)
	Facts(ctx context.Context, sessionID int64) (SessionFacts, error)

	AgentWorkload(ctx context.Context, q ReportQuery) ([]WorkloadRow, error)
	GroupWorkload(ctx context.Context, q ReportQuery) ([]WorkloadRow, error)
	QueueReport(ctx context.Context, q ReportQuery) ([]QueueRow, error)
	ChannelReport(ctx context.Context, q ReportQuery) ([]ChannelRow, error)
	Transfers(ctx context.Context, q ReportQuery) ([]TransferFact, error)
	// QueueSessions lists the waits behind a group's queue count.
	QueueSessions(ctx context.Context, q ReportQuery) ([]WaitFact, error)
	// ServiceLevel adds the waits up by interval (15, 30 or 60 minutes)
	// from q.From.
	ServiceLevel(ctx context.Context, q ReportQuery, o ServiceLevelOptions) ([]IntervalRow, error)
}

// ServiceLevelOptions are the service-level report's parameters.
type ServiceLevelOptions struct {
	Interval time.Duration // 15, 30 or 60 minutes
	// Within is the answer target X: service level is the share of waits
	// picked up within X.
	Within time.Duration
	// ShortAbandon: waits given up sooner are left out of the service level.
	ShortAbandon time.Duration
}

// IntervalRow is one interval of the service-level report: waits that
// began in [Start, Start+interval).
type IntervalRow struct {
	Start          time.Time `json:"start"`
	Offered        int       `json:"offered"`  // waits that ended, any outcome
	Answered       int       `json:"answered"` // picked up
	AnsweredWithin int       `json:"answered_within"`
	AnswerMS       int64     `json:"answer_wait"` // wait of the answered ones
	Abandoned      int       `json:"abandoned"`   // given up or dropped
	ShortAbandons  int       `json:"short_abandons"`
	LongestMS      int64     `json:"longest_wait"`
}
