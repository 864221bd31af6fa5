package httpapi

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/chart"
	"github.com/switchboardhq/switchboard/report"
)

// The charts of the report pages: the main counts of each report, per
// agent, group or channel, and the service level by interval.

// maxChartRows is the most agents or groups a chart shows; the table has
// them all.
const maxChartRows = 40

// label names a row by its name, or its ID when it has none.
func label(name, kind string, id int64) string {
	if name != "" {
		return name
	}
	if id == 0 {
		return "(no " + kind + ")"
	}
	return kind + " " + strconv.FormatInt(id, 10)
}

// rowsChart draws per-row counts as horizontal bars, the rows with the
// highest first value first, at most maxChartRows of them.
func rowsChart(title string, labels []string, names []string, values [][]float64) []byte {
	idx := make([]int, len(labels))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(values[b][0], values[a][0]) })
	if len(idx) > maxChartRows {
		idx = idx[:maxChartRows]
		title += " (top " + strconv.Itoa(maxChartRows) + ")"
	}
	c := chart.Bar{Title: title, Horizontal: true, Integer: true}
	for _, i := range idx {
		c.Categories = append(c.Categories, labels[i])
	}
	for s, name := range names {
		ser := chart.Series{Name: name}
		for _, i := range idx {
			ser.Values = append(ser.Values, values[i][s])
		}
		c.Series = append(c.Series, ser)
	}
	return c.SVG()
}

func workloadChart(title string, labels []string, cols []report.WorkloadColumns) []byte {
	values := make([][]float64, len(cols))
	for i, c := range cols {
		values[i] = []float64{float64(c.Sessions), float64(c.PickUps), float64(c.Ended)}
	}
	return rowsChart(title, labels, []string{"Sessions picked up", "Pick-ups", "Sessions ended"}, values)
}

func satisfactionChart(title string, labels []string, cols []report.SatisfactionColumns) []byte {
	values := make([][]float64, len(cols))
	for i, c := range cols {
		values[i] = []float64{float64(c.Ended), float64(c.Invited), float64(c.Ratings)}
	}
	return rowsChart(title, labels, []string{"Sessions ended", "Invitations", "Total ratings"}, values)
}

func queueChart(rows []report.QueueReportRow) []byte {
	labels := make([]string, len(rows))
	values := make([][]float64, len(rows))
	for i, r := range rows {
		labels[i] = label(r.GroupName, "group", r.GroupID)
		values[i] = []float64{float64(r.Count), float64(r.Successes), float64(r.Abandons)}
	}
	return rowsChart("Skill-group queues", labels, []string{"Queue count", "Queue successes", "Queue abandons"}, values)
}

func channelChart(rows []report.ChannelReportRow) []byte {
	c := chart.Bar{Title: "Channels", Integer: true}
	names := []string{"Inquiries", "Picked up", "Abandoned", "Dropped"}
	for _, n := range names {
		c.Series = append(c.Series, chart.Series{Name: n})
	}
	for _, r := range rows {
		c.Categories = append(c.Categories, string(r.Channel))
		for s, v := range []int{r.Inquiries, r.PickedUp, r.Abandoned, r.Dropped} {
			c.Series[s].Values = append(c.Series[s].Values, float64(v))
		}
	}
	return c.SVG()
}

// maxChartTransfers is the most transfers a transfer chart counts.
const maxChartTransfers = 50000

// transferChart counts the transfers of each transferring agent by
// outcome; cut says the rows are only the first maxChartTransfers.
func transferChart(rows []report.TransferRow, cut bool) []byte {
	var labels []string
	var values [][]float64
	at := map[int64]int{}
	for _, r := range rows {
		i, ok := at[r.FromAgentID]
		if !ok {
			i = len(labels)
			at[r.FromAgentID] = i
			labels = append(labels, label(r.FromAgentName, "agent", r.FromAgentID))
			values = append(values, []float64{0, 0, 0})
		}
		values[i][0]++
		if r.Success {
			values[i][1]++
		} else if r.FailedAt != nil {
			values[i][2]++
		}
	}
	title := "Transfers by transferring agent"
	if cut {
		title += " (the first " + strconv.Itoa(maxChartTransfers) + ")"
	}
	return rowsChart(title, labels, []string{"Transfers", "Successful", "Failed"}, values)
}

// serviceLevelChart draws the service level and the abandon rate of each
// interval, labelled with its start in UTC.
func serviceLevelChart(rows []report.ServiceLevelRow, interval time.Duration) []byte {
	c := chart.Line{Title: "Service level by " + strconv.Itoa(int(interval/time.Minute)) + " minutes (UTC)", Max: 1, Format: chart.Percent,
		Series: []chart.Series{{Name: "Service level"}, {Name: "Abandon rate"}}}
	multiDay := len(rows) > 0 && rows[len(rows)-1].Start.Sub(rows[0].Start) >= 24*time.Hour
	for _, r := range rows {
		l := r.Start.UTC().Format("15:04")
		if multiDay {
			l = r.Start.UTC().Format("01-02 15:04")
		}
		c.Labels = append(c.Labels, l)
		c.Series[0].Values = append(c.Series[0].Values, orNaN(r.ServiceLevel))
		c.Series[1].Values = append(c.Series[1].Values, orNaN(r.AbandonRate))
	}
	return c.SVG()
}

// orNaN is a rate's value, or NaN (a gap in the line) when nothing was
// counted in the interval.
func orNaN(f *float64) float64 {
	if f == nil {
		return math.NaN()
	}
	return *f
}
