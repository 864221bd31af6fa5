package report

import (
	"cmp"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// The columns of the seven reports (SPEC §3.1–3.7) and the service level,
// computed from the store's sums in one place. Counts and totals are the
// sums themselves; averages are a total divided by a count, rounded half
// away from zero to the millisecond; rates are fractions. An average or a
// rate whose denominator is 0 is null.

// Names resolves the display names of agents and groups, and the nickname
// of a session's visitor from the name it was created with; a name it
// does not know is left empty.
type Names struct {
	Agent   func(id int64) string
	Group   func(id int64) string
	Visitor func(sessionID int64, name string) string
}

func (n Names) agent(id int64) string {
	if n.Agent == nil || id == 0 {
		return ""
	}
	return n.Agent(id)
}

func (n Names) visitor(sessionID int64, name string) string {
	if n.Visitor == nil {
		return ""
	}
	return n.Visitor(sessionID, name)
}

func (n Names) group(id int64) string {
	if n.Group == nil || id == 0 {
		return ""
	}
	return n.Group(id)
}

// WorkloadColumns are the workload columns of an agent or a group (SPEC
// §3.1, §3.3), with the hold and handle times beyond the SPEC.
type WorkloadColumns struct {
	Sessions      int `json:"sessions"`
	PickUps       int `json:"pick_ups"`
	AccessedFirst int `json:"accessed_first"`
	TransfersIn   int `json:"transfers_in"`
	TransfersOut  int `json:"transfers_out"`
	Ended         int `json:"ended"`
	// DurationMS is the total session duration; AvgDurationMS is it per
	// session ended.
	DurationMS    int64  `json:"duration"`
	AvgDurationMS *int64 `json:"avg_duration"`
	HoldMS        int64  `json:"hold"`
	HandleMS      int64  `json:"handle"`
}

// SatisfactionColumns are the satisfaction columns of an agent or a group
// (SPEC §3.2, §3.4).
type SatisfactionColumns struct {
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
	Ended   int `json:"ended"`
	// FirstResponseMS is the total first response time; its average and
	// the average response time are per session ended.
	FirstResponseMS    int64    `json:"first_response"`
	AvgFirstResponseMS *int64   `json:"avg_first_response"`
	AvgResponseMS      *int64   `json:"avg_response"`
	Ratings            int      `json:"ratings"`
	Invited            int      `json:"invited"`
	InviteSuccess      int      `json:"invite_success"`
	ParticipationRate  *float64 `json:"participation_rate"` // ratings / ended; may exceed 1
	AvgScore           *float64 `json:"avg_score"`          // rating sum / ratings
}

// AgentWorkloadRow is one agent's row of the agent workload report.
type AgentWorkloadRow struct {
	AgentID   int64  `json:"agent_id"`
	AgentName string `json:"agent_name"`
	WorkloadColumns
}

// GroupWorkloadRow is one group's row of the group workload report.
type GroupWorkloadRow struct {
	GroupID   int64  `json:"group_id"`
	GroupName string `json:"group_name"`
	WorkloadColumns
}

// AgentSatisfactionRow is one agent's row of the agent satisfaction report.
type AgentSatisfactionRow struct {
	AgentID   int64  `json:"agent_id"`
	AgentName string `json:"agent_name"`
	SatisfactionColumns
}

// GroupSatisfactionRow is one group's row of the group satisfaction report.
type GroupSatisfactionRow struct {
	GroupID   int64  `json:"group_id"`
	GroupName string `json:"group_name"`
	SatisfactionColumns
}

// QueueColumns are the queue report's columns (SPEC §3.5).
type QueueColumns struct {
	Count               int      `json:"count"` // waits longer than the threshold
	QueueMS             int64    `json:"queue"`
	AvgQueueMS          *int64   `json:"avg_queue"`
	Successes           int      `json:"successes"`
	SuccessMS           int64    `json:"success_queue"`
	AvgSuccessMS        *int64   `json:"avg_success_queue"`
	Abandons            int      `json:"abandons"`
	AbandonMS           int64    `json:"abandon_queue"`
	AvgAbandonMS        *int64   `json:"avg_abandon_queue"`
	Inbound             int      `json:"inbound"`
	AbandonRate         *float64 `json:"abandon_rate"`
	VisitorAbandons     int      `json:"visitor_abandons"`
	VisitorAbandonMS    int64    `json:"visitor_abandon_queue"`
	AvgVisitorAbandonMS *int64   `json:"avg_visitor_abandon_queue"`
	VisitorAbandonRate  *float64 `json:"visitor_abandon_rate"`
}

// QueueReportRow is one group's row of the queue report.
type QueueReportRow struct {
	GroupID   int64  `json:"group_id"`
	GroupName string `json:"group_name"`
	QueueColumns
}

// ChannelColumns are the channel report's columns (SPEC §3.6).
type ChannelColumns struct {
	Inquiries         int      `json:"inquiries"`
	PickedUp          int      `json:"picked_up"`
	PickUpRate        *float64 `json:"pick_up_rate"`
	Abandoned         int      `json:"abandoned"`
	AbandonRate       *float64 `json:"abandon_rate"`
	Dropped           int      `json:"dropped"`
	DropRate          *float64 `json:"drop_rate"`
	Ended             int      `json:"ended"`
	DurationMS        int64    `json:"duration"`
	AvgDurationMS     *int64   `json:"avg_duration"`
	Waits             int      `json:"waits"`
	QueueMS           int64    `json:"queue"`
	AvgQueueMS        *int64   `json:"avg_queue"`
	Ratings           int      `json:"ratings"`
	Invited           int      `json:"invited"`
	InviteSuccess     int      `json:"invite_success"`
	ParticipationRate *float64 `json:"participation_rate"`
	AvgScore          *float64 `json:"avg_score"`
}

// ChannelReportRow is one channel's row of the channel report.
type ChannelReportRow struct {
	Channel sb.Channel `json:"channel"`
	ChannelColumns
}

// TransferRow is one row of the transfer report (SPEC §3.7): the transfer
// with the names of its agents and group as the directory knows them now
// (the names recorded with the transfer when the agent is gone).
type TransferRow struct {
	Date string `json:"date"` // the transfer-out day, YYYY-MM-DD in UTC
	sb.TransferFact
}

// ServiceLevelRow is one interval of the service-level report.
type ServiceLevelRow struct {
	Start          time.Time `json:"start"`
	Offered        int       `json:"offered"`
	Answered       int       `json:"answered"`
	AnsweredWithin int       `json:"answered_within"`
	Abandoned      int       `json:"abandoned"`
	ShortAbandons  int       `json:"short_abandons"`
	// ServiceLevel is answered within the target / (offered − short
	// abandons); AvgAnswerMS the average speed of answer.
	ServiceLevel *float64 `json:"service_level"`
	AvgAnswerMS  *int64   `json:"avg_answer"`
	AbandonRate  *float64 `json:"abandon_rate"` // (abandoned − short abandons) / (offered − short abandons)
	LongestMS    int64    `json:"longest_wait"`
}

// DivRound is a / b rounded half away from zero; ok is false when b is 0.
func DivRound(a, b int64) (q int64, ok bool) {
	if b == 0 {
		return 0, false
	}
	neg := (a < 0) != (b < 0)
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	q, r := a/b, a%b
	if r >= b-r { // 2r >= b without overflow
		q++
	}
	if neg {
		q = -q
	}
	return q, true
}

// avg is total / n rounded to the unit, or nil when n is 0.
func avg(total int64, n int) *int64 {
	q, ok := DivRound(total, int64(n))
	if !ok {
		return nil
	}
	return &q
}

// rate is a / b, or nil when b is 0.
func rate(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	f := float64(a) / float64(b)
	return &f
}

func workloadColumns(w sb.Workload) WorkloadColumns {
	return WorkloadColumns{
		Sessions: w.Sessions, PickUps: w.PickUps, AccessedFirst: w.AccessedFirst,
		TransfersIn: w.TransfersIn, TransfersOut: w.TransfersOut, Ended: w.Ended,
		DurationMS: w.DurationMS, AvgDurationMS: avg(w.DurationMS, w.Ended),
		HoldMS: w.HoldMS, HandleMS: w.HandleMS,
	}
}

func satisfactionColumns(w sb.Workload) SatisfactionColumns {
	return SatisfactionColumns{
		Valid: w.Valid, Invalid: w.Invalid, Ended: w.Ended,
		FirstResponseMS: w.FirstResponseMS, AvgFirstResponseMS: avg(w.FirstResponseMS, w.Ended),
		AvgResponseMS: avg(w.ResponseAvgMS, w.Ended),
		Ratings:       w.Ratings, Invited: w.Invited, InviteSuccess: w.InviteSuccess,
		ParticipationRate: rate(w.Ratings, w.Ended), AvgScore: rate(w.RatingSum, w.Ratings),
	}
}

func queueColumns(q sb.QueueSums) QueueColumns {
	return QueueColumns{
		Count: q.Counted, QueueMS: q.CountedMS, AvgQueueMS: avg(q.CountedMS, q.Counted),
		Successes: q.Successes, SuccessMS: q.SuccessMS, AvgSuccessMS: avg(q.SuccessMS, q.Successes),
		Abandons: q.Abandons, AbandonMS: q.AbandonMS, AvgAbandonMS: avg(q.AbandonMS, q.Abandons),
		Inbound: q.Inbound, AbandonRate: rate(q.InboundAbandoned+q.InboundDropped, q.Inbound),
		VisitorAbandons: q.VisitorAbandons, VisitorAbandonMS: q.VisitorAbandonMS,
		AvgVisitorAbandonMS: avg(q.VisitorAbandonMS, q.VisitorAbandons),
		VisitorAbandonRate:  rate(q.InboundAbandoned, q.Inbound),
	}
}

func channelColumns(c sb.ChannelRow) ChannelColumns {
	return ChannelColumns{
		Inquiries: c.Inbound,
		PickedUp:  c.InboundPickedUp, PickUpRate: rate(c.InboundPickedUp, c.Inbound),
		Abandoned: c.InboundAbandoned, AbandonRate: rate(c.InboundAbandoned, c.Inbound),
		Dropped: c.InboundDropped, DropRate: rate(c.InboundDropped, c.Inbound),
		Ended: c.Ended, DurationMS: c.DurationMS, AvgDurationMS: avg(c.DurationMS, c.Ended),
		Waits: c.Waits, QueueMS: c.WaitMS, AvgQueueMS: avg(c.WaitMS, c.Waits),
		Ratings: c.Ratings, Invited: c.Invited, InviteSuccess: c.InviteSuccess,
		ParticipationRate: rate(c.Ratings, c.Ended), AvgScore: rate(c.RatingSum, c.Ratings),
	}
}

// sumWorkload adds rows' sums up for a totals row.
func sumWorkload(rows []sb.WorkloadRow) sb.Workload {
	var t sb.Workload
	for _, r := range rows {
		w := r.Workload
		t.Sessions += w.Sessions
		t.PickUps += w.PickUps
		t.AccessedFirst += w.AccessedFirst
		t.TransfersIn += w.TransfersIn
		t.TransfersOut += w.TransfersOut
		t.Ended += w.Ended
		t.DurationMS += w.DurationMS
		t.Valid += w.Valid
		t.Invalid += w.Invalid
		t.FirstResponses += w.FirstResponses
		t.FirstResponseMS += w.FirstResponseMS
		t.ResponseAvgs += w.ResponseAvgs
		t.ResponseAvgMS += w.ResponseAvgMS
		t.Invited += w.Invited
		t.InviteSuccess += w.InviteSuccess
		t.Ratings += w.Ratings
		t.RatingSum += w.RatingSum
		t.HoldMS += w.HoldMS
		t.HandleMS += w.HandleMS
	}
	return t
}

func addQueue(t *sb.QueueSums, q sb.QueueSums) {
	t.Waits += q.Waits
	t.WaitMS += q.WaitMS
	t.Counted += q.Counted
	t.CountedMS += q.CountedMS
	t.Successes += q.Successes
	t.SuccessMS += q.SuccessMS
	t.Abandons += q.Abandons
	t.AbandonMS += q.AbandonMS
	t.VisitorAbandons += q.VisitorAbandons
	t.VisitorAbandonMS += q.VisitorAbandonMS
	t.Inbound += q.Inbound
	t.InboundPickedUp += q.InboundPickedUp
	t.InboundAbandoned += q.InboundAbandoned
	t.InboundDropped += q.InboundDropped
}

// named builds a report's rows, one per sum, sorted by name then ID.
func named[S, R any](sums []S, row func(S) R, key func(R) (string, int64)) []R {
	out := make([]R, 0, len(sums))
	for _, s := range sums {
		out = append(out, row(s))
	}
	slices.SortFunc(out, func(a, b R) int {
		an, ai := key(a)
		bn, bi := key(b)
		return cmp.Or(cmp.Compare(an, bn), cmp.Compare(ai, bi))
	})
	return out
}

// AgentWorkload turns the store's per-agent sums into the agent workload
// report's rows, ordered by name then ID, and its totals row (the sums of
// every row: a session several agents handled counts for each).
func AgentWorkload(rows []sb.WorkloadRow, n Names) ([]AgentWorkloadRow, WorkloadColumns) {
	return named(rows, func(r sb.WorkloadRow) AgentWorkloadRow {
		return AgentWorkloadRow{AgentID: r.ID, AgentName: n.agent(r.ID), WorkloadColumns: workloadColumns(r.Workload)}
	}, func(r AgentWorkloadRow) (string, int64) { return r.AgentName, r.AgentID }), workloadColumns(sumWorkload(rows))
}

// GroupWorkload turns per-group sums into the group workload report.
func GroupWorkload(rows []sb.WorkloadRow, n Names) ([]GroupWorkloadRow, WorkloadColumns) {
	return named(rows, func(r sb.WorkloadRow) GroupWorkloadRow {
		return GroupWorkloadRow{GroupID: r.ID, GroupName: n.group(r.ID), WorkloadColumns: workloadColumns(r.Workload)}
	}, func(r GroupWorkloadRow) (string, int64) { return r.GroupName, r.GroupID }), workloadColumns(sumWorkload(rows))
}

// AgentSatisfaction turns per-agent sums into the agent satisfaction report.
func AgentSatisfaction(rows []sb.WorkloadRow, n Names) ([]AgentSatisfactionRow, SatisfactionColumns) {
	return named(rows, func(r sb.WorkloadRow) AgentSatisfactionRow {
		return AgentSatisfactionRow{AgentID: r.ID, AgentName: n.agent(r.ID), SatisfactionColumns: satisfactionColumns(r.Workload)}
	}, func(r AgentSatisfactionRow) (string, int64) { return r.AgentName, r.AgentID }), satisfactionColumns(sumWorkload(rows))
}

// GroupSatisfaction turns per-group sums into the group satisfaction report.
func GroupSatisfaction(rows []sb.WorkloadRow, n Names) ([]GroupSatisfactionRow, SatisfactionColumns) {
	return named(rows, func(r sb.WorkloadRow) GroupSatisfactionRow {
		return GroupSatisfactionRow{GroupID: r.ID, GroupName: n.group(r.ID), SatisfactionColumns: satisfactionColumns(r.Workload)}
	}, func(r GroupSatisfactionRow) (string, int64) { return r.GroupName, r.GroupID }), satisfactionColumns(sumWorkload(rows))
}

// Queues turns per-group queue sums into the queue report.
func Queues(rows []sb.QueueRow, n Names) ([]QueueReportRow, QueueColumns) {
	var t sb.QueueSums
	for _, r := range rows {
		addQueue(&t, r.QueueSums)
	}
	return named(rows, func(r sb.QueueRow) QueueReportRow {
		return QueueReportRow{GroupID: r.GroupID, GroupName: n.group(r.GroupID), QueueColumns: queueColumns(r.QueueSums)}
	}, func(r QueueReportRow) (string, int64) { return r.GroupName, r.GroupID }), queueColumns(t)
}

// Channels turns per-channel sums into the channel report, in the
// channels' order.
func Channels(rows []sb.ChannelRow) ([]ChannelReportRow, ChannelColumns) {
	out := make([]ChannelReportRow, 0, len(rows))
	var t sb.ChannelRow
	for _, r := range rows {
		addQueue(&t.QueueSums, r.QueueSums)
		t.Ended += r.Ended
		t.DurationMS += r.DurationMS
		t.Invited += r.Invited
		t.InviteSuccess += r.InviteSuccess
		t.Ratings += r.Ratings
		t.RatingSum += r.RatingSum
		out = append(out, ChannelReportRow{Channel: r.Channel, ChannelColumns: channelColumns(r)})
	}
	slices.SortFunc(out, func(a, b ChannelReportRow) int { return cmp.Compare(a.Channel, b.Channel) })
	return out, channelColumns(t)
}

// Transfers turns transfer facts into the transfer report's rows, with
// the names the directory knows now and the visitors' nicknames.
func Transfers(facts []sb.TransferFact, n Names) []TransferRow {
	out := make([]TransferRow, 0, len(facts))
	for _, f := range facts {
		if name := n.agent(f.FromAgentID); name != "" {
			f.FromAgentName = name
		}
		if name := n.agent(f.ToAgentID); name != "" {
			f.ToAgentName = name
		}
		if name := n.group(f.ToGroupID); name != "" {
			f.ToGroupName = name
		}
		if name := n.visitor(f.SessionID, f.Visitor); name != "" {
			f.Visitor = name
		}
		out = append(out, TransferRow{Date: f.At.UTC().Format(time.DateOnly), TransferFact: f})
	}
	return out
}

// ServiceLevel turns interval sums into the service-level report and its
// totals row over the whole range (Start is the first interval's; the
// longest wait is the longest of all).
func ServiceLevel(rows []sb.IntervalRow) ([]ServiceLevelRow, ServiceLevelRow) {
	out := make([]ServiceLevelRow, 0, len(rows))
	var t sb.IntervalRow
	for i, r := range rows {
		if i == 0 {
			t.Start = r.Start
		}
		t.Offered += r.Offered
		t.Answered += r.Answered
		t.AnsweredWithin += r.AnsweredWithin
		t.AnswerMS += r.AnswerMS
		t.Abandoned += r.Abandoned
		t.ShortAbandons += r.ShortAbandons
		t.LongestMS = max(t.LongestMS, r.LongestMS)
		out = append(out, serviceLevelRow(r))
	}
	return out, serviceLevelRow(t)
}

func serviceLevelRow(r sb.IntervalRow) ServiceLevelRow {
	counted := r.Offered - r.ShortAbandons
	return ServiceLevelRow{
		Start: r.Start, Offered: r.Offered, Answered: r.Answered, AnsweredWithin: r.AnsweredWithin,
		Abandoned: r.Abandoned, ShortAbandons: r.ShortAbandons,
		ServiceLevel: rate(r.AnsweredWithin, counted), AvgAnswerMS: avg(r.AnswerMS, r.Answered),
		AbandonRate: rate(r.Abandoned-r.ShortAbandons, counted), LongestMS: r.LongestMS,
	}
}

// QueueSessionRow is one wait behind a queue count, with the names of its
// group and of the agent who picked it up.
type QueueSessionRow struct {
	sb.WaitFact
	GroupName string `json:"group_name"`
	AgentName string `json:"agent_name,omitempty"`
}

// QueueSessions joins names to the waits behind a queue count.
func QueueSessions(waits []sb.WaitFact, n Names) []QueueSessionRow {
	out := make([]QueueSessionRow, 0, len(waits))
	for _, w := range waits {
		out = append(out, QueueSessionRow{WaitFact: w, GroupName: n.group(w.GroupID), AgentName: n.agent(w.AgentID)})
	}
	return out
}
