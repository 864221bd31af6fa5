package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// Table is a report as CSV cells: a header row of stable English column
// names and one row per agent, group, channel, transfer or interval.
// Durations are seconds with one decimal, rates percentages with one
// decimal ("33.3%"); a null average or rate is an empty cell.
type Table struct {
	Header []string
	Rows   [][]string
}

// WriteCSV writes t as UTF-8 CSV (no byte-order mark) with its header row.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return fmt.Errorf("write csv header: %w", err)
	}
	if err := cw.WriteAll(t.Rows); err != nil {
		return fmt.Errorf("write csv rows: %w", err)
	}
	return nil
}

// Seconds formats milliseconds as seconds with one decimal, rounded half
// away from zero: 12345 → "12.3", 12350 → "12.4".
func Seconds(ms int64) string {
	tenths, _ := DivRound(ms, 100)
	sign := ""
	if tenths < 0 {
		sign, tenths = "-", -tenths
	}
	return sign + strconv.FormatInt(tenths/10, 10) + "." + strconv.FormatInt(tenths%10, 10)
}

// Percent formats a fraction as a percentage with one decimal, rounded
// half away from zero: 1/3 → "33.3%", 2/3 → "66.7%"; nil → "".
func Percent(f *float64) string {
	if f == nil {
		return ""
	}
	// Per mille, rounded on the decimal value rather than the binary one
	// (0.0005 is stored as a little less), as a person would round it.
	v, _ := strconv.ParseFloat(strconv.FormatFloat(*f*1000, 'f', 6, 64), 64)
	pm := int64(math.Round(v))
	sign := ""
	if pm < 0 {
		sign, pm = "-", -pm
	}
	return sign + strconv.FormatInt(pm/10, 10) + "." + strconv.FormatInt(pm%10, 10) + "%"
}

func optSeconds(ms *int64) string {
	if ms == nil {
		return ""
	}
	return Seconds(*ms)
}

func optScore(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 2, 64)
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }

var workloadHeader = []string{"Sessions picked up", "Pick-ups", "Sessions accessed first", "Transferred in",
	"Transferred out", "Sessions ended", "Total session duration (s)", "Average session duration (s)",
	"Hold time (s)", "Handle time (s)"}

func (c WorkloadColumns) cells() []string {
	return []string{itoa(c.Sessions), itoa(c.PickUps), itoa(c.AccessedFirst), itoa(c.TransfersIn),
		itoa(c.TransfersOut), itoa(c.Ended), Seconds(c.DurationMS), optSeconds(c.AvgDurationMS),
		Seconds(c.HoldMS), Seconds(c.HandleMS)}
}

var satisfactionHeader = []string{"Valid human sessions", "Invalid sessions", "Sessions ended",
	"Total first response time (s)", "Average first response time (s)", "Average response time (s)",
	"Total ratings", "Invitations", "Invitation success", "Participation rate", "Average score"}

func (c SatisfactionColumns) cells() []string {
	return []string{itoa(c.Valid), itoa(c.Invalid), itoa(c.Ended), Seconds(c.FirstResponseMS),
		optSeconds(c.AvgFirstResponseMS), optSeconds(c.AvgResponseMS), itoa(c.Ratings), itoa(c.Invited),
		itoa(c.InviteSuccess), Percent(c.ParticipationRate), optScore(c.AvgScore)}
}

var queueHeader = []string{"Queue count", "Total queue time (s)", "Average queue time (s)", "Queue successes",
	"Total successful queue time (s)", "Average successful queue time (s)", "Queue abandons",
	"Total abandon time (s)", "Average abandon time (s)", "Inbound", "Abandon rate", "Visitor abandons",
	"Total visitor abandon time (s)", "Average visitor abandon time (s)", "Visitor abandon rate"}

func (c QueueColumns) cells() []string {
	return []string{itoa(c.Count), Seconds(c.QueueMS), optSeconds(c.AvgQueueMS), itoa(c.Successes),
		Seconds(c.SuccessMS), optSeconds(c.AvgSuccessMS), itoa(c.Abandons), Seconds(c.AbandonMS),
		optSeconds(c.AvgAbandonMS), itoa(c.Inbound), Percent(c.AbandonRate), itoa(c.VisitorAbandons),
		Seconds(c.VisitorAbandonMS), optSeconds(c.AvgVisitorAbandonMS), Percent(c.VisitorAbandonRate)}
}

var channelHeader = []string{"Channel", "Inquiries", "Picked up", "Pick-up rate", "Abandoned", "Abandon rate",
	"Dropped", "Drop rate", "Sessions ended", "Total session duration (s)", "Average session duration (s)",
	"Queue waits", "Total queue time (s)", "Average queue time (s)", "Total ratings", "Invitations",
	"Invitation success", "Participation rate", "Average score"}

func (r ChannelReportRow) cells() []string {
	c := r.ChannelColumns
	return []string{string(r.Channel), itoa(c.Inquiries), itoa(c.PickedUp), Percent(c.PickUpRate), itoa(c.Abandoned),
		Percent(c.AbandonRate), itoa(c.Dropped), Percent(c.DropRate), itoa(c.Ended), Seconds(c.DurationMS),
		optSeconds(c.AvgDurationMS), itoa(c.Waits), Seconds(c.QueueMS), optSeconds(c.AvgQueueMS),
		itoa(c.Ratings), itoa(c.Invited), itoa(c.InviteSuccess), Percent(c.ParticipationRate), optScore(c.AvgScore)}
}

func withIDName(head []string, idName, name string) []string {
	return append([]string{idName, name}, head...)
}

// AgentWorkloadTable is the agent workload report as CSV cells.
func AgentWorkloadTable(rows []AgentWorkloadRow) Table {
	t := Table{Header: withIDName(workloadHeader, "Agent ID", "Agent")}
	for _, r := range rows {
		t.Rows = append(t.Rows, append([]string{i64toa(r.AgentID), r.AgentName}, r.cells()...))
	}
	return t
}

// GroupWorkloadTable is the group workload report as CSV cells.
func GroupWorkloadTable(rows []GroupWorkloadRow) Table {
	t := Table{Header: withIDName(workloadHeader, "Group ID", "Group")}
	for _, r := range rows {
		t.Rows = append(t.Rows, append([]string{i64toa(r.GroupID), r.GroupName}, r.cells()...))
	}
	return t
}

// AgentSatisfactionTable is the agent satisfaction report as CSV cells.
func AgentSatisfactionTable(rows []AgentSatisfactionRow) Table {
	t := Table{Header: withIDName(satisfactionHeader, "Agent ID", "Agent")}
	for _, r := range rows {
		t.Rows = append(t.Rows, append([]string{i64toa(r.AgentID), r.AgentName}, r.cells()...))
	}
	return t
}

// GroupSatisfactionTable is the group satisfaction report as CSV cells.
func GroupSatisfactionTable(rows []GroupSatisfactionRow) Table {
	t := Table{Header: withIDName(satisfactionHeader, "Group ID", "Group")}
	for _, r := range rows {
		t.Rows = append(t.Rows, append([]string{i64toa(r.GroupID), r.GroupName}, r.cells()...))
	}
	return t
}

// QueueTable is the queue report as CSV cells.
func QueueTable(rows []QueueReportRow) Table {
	t := Table{Header: withIDName(queueHeader, "Group ID", "Group")}
	for _, r := range rows {
		t.Rows = append(t.Rows, append([]string{i64toa(r.GroupID), r.GroupName}, r.cells()...))
	}
	return t
}

// ChannelTable is the channel report as CSV cells.
func ChannelTable(rows []ChannelReportRow) Table {
	t := Table{Header: channelHeader}
	for _, r := range rows {
		t.Rows = append(t.Rows, r.cells())
	}
	return t
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func optMS(ms *int64) string { return optSeconds(ms) }

// TransferTable is the transfer report as CSV cells (SPEC §3.7's columns).
func TransferTable(rows []TransferRow) Table {
	t := Table{Header: []string{"Date", "Session ID", "Transfer ID", "Visitor", "Transferring agent ID",
		"Transferring agent", "Transfer-out time", "Type", "Overflow", "Target group ID", "Target group",
		"Target agent ID", "Target agent", "Success", "Pick-up time", "Queue time after transfer (s)",
		"Transfer duration (s)", "Failure time", "Give-up or drop duration (s)", "Failure reason"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Date, i64toa(r.SessionID), i64toa(r.TransferID), r.Visitor,
			i64toa(r.FromAgentID), r.FromAgentName, r.At.UTC().Format(time.RFC3339), r.Kind,
			strconv.FormatBool(r.Overflow), idCell(r.ToGroupID), r.ToGroupName, idCell(r.ToAgentID), r.ToAgentName,
			strconv.FormatBool(r.Success), optTime(r.PickedUpAt), optMS(r.QueueMS), optMS(r.DurationMS),
			optTime(r.FailedAt), optMS(r.FailureMS), r.FailReason})
	}
	return t
}

func idCell(id int64) string {
	if id == 0 {
		return ""
	}
	return i64toa(id)
}

// ServiceLevelTable is the service-level report as CSV cells.
func ServiceLevelTable(rows []ServiceLevelRow) Table {
	t := Table{Header: []string{"Interval start", "Offered", "Answered", "Answered within target",
		"Abandoned", "Short abandons", "Service level", "Average speed of answer (s)", "Abandon rate",
		"Longest wait (s)"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{r.Start.UTC().Format(time.RFC3339), itoa(r.Offered), itoa(r.Answered),
			itoa(r.AnsweredWithin), itoa(r.Abandoned), itoa(r.ShortAbandons), Percent(r.ServiceLevel),
			optSeconds(r.AvgAnswerMS), Percent(r.AbandonRate), Seconds(r.LongestMS)})
	}
	return t
}

// QueueSessionsTable lists the waits behind a queue count as CSV cells.
func QueueSessionsTable(rows []QueueSessionRow) Table {
	t := Table{Header: []string{"Session ID", "Group ID", "Group", "Channel", "Entry", "Queued at", "Queue time (s)",
		"Outcome", "Transfer", "Overflow", "Agent ID", "Agent"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, []string{i64toa(r.SessionID), i64toa(r.GroupID), r.GroupName, string(r.Channel), r.Entry,
			r.At.UTC().Format(time.RFC3339), Seconds(r.WaitMS), r.Outcome, strconv.FormatBool(r.Transfer),
			strconv.FormatBool(r.Overflow), idCell(r.AgentID), r.AgentName})
	}
	return t
}
