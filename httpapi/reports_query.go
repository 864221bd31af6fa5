package httpapi

import (
	"encoding/base64"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Report query limits.
const (
	// MaxReportDays is the longest range a report covers.
	MaxReportDays = 400
	// MaxReportIntervals is the most intervals a service-level report has.
	MaxReportIntervals = 10000
	// DefaultPageLimit is the length of a page of transfers or waits when
	// none is asked.
	DefaultPageLimit = 100
	// DefaultAnswerTarget is the service level's answer target X.
	DefaultAnswerTarget = 20 * time.Second
)

// reportNames lists the reports GET /api/v1/reports/{name} serves.
var reportNameList = []string{"agent-workload", "agent-satisfaction", "group-workload", "group-satisfaction",
	"queues", "channels", "transfers", "service-level"}

// Parameters every report takes, and those of particular reports.
var (
	commonReportParams = []string{"from", "to", "channel", "entry", "format"}
	reportParams       = map[string][]string{
		"agent-workload":     {"agent_id", "group_id"},
		"agent-satisfaction": {"agent_id", "group_id"},
		"group-workload":     {"group_id"},
		"group-satisfaction": {"group_id"},
		"queues":             {"group_id", "threshold"},
		"queue-sessions":     {"threshold", "limit", "cursor"},
		"channels":           {"group_id"},
		"transfers":          {"kind", "from_agent_id", "success", "limit", "cursor"},
		"service-level":      {"group_id", "interval", "within", "short_abandon"},
	}
)

// reportQuery is a validated report request.
type reportQuery struct {
	sb.ReportQuery
	level sb.ServiceLevelOptions
	csv   bool
	chart bool
}

// parseReportQuery validates the query parameters of report name (see
// reportParams); chart is set for a chart, which has no format.
func parseReportQuery(r *http.Request, name string, chart bool) (reportQuery, error) {
	rq := reportQuery{chart: chart}
	q := r.URL.Query()
	allowed := append(slices.Clone(commonReportParams), reportParams[name]...)
	if chart {
		allowed = slices.DeleteFunc(allowed, func(s string) bool { return s == "format" || s == "limit" || s == "cursor" })
	}
	for key := range q {
		if !slices.Contains(allowed, key) {
			return rq, sb.Errorf(sb.EINVALID, "unknown parameter %q; this report takes %s", key, strings.Join(allowed, ", "))
		}
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &rq.From}, {"to", &rq.To}} {
		v, err := single(q, t.name)
		if err != nil {
			return rq, err
		}
		if v == "" {
			return rq, sb.Errorf(sb.EINVALID, "%s is required: an RFC 3339 time such as 2026-03-01T00:00:00Z", t.name)
		}
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return rq, sb.Errorf(sb.EINVALID, "%s must be an RFC 3339 time such as 2026-03-01T00:00:00Z", t.name)
		}
		*t.dst = at.UTC()
	}
	if !rq.From.Before(rq.To) {
		return rq, sb.Errorf(sb.EINVALID, "to must be after from")
	}
	if rq.To.Sub(rq.From) > MaxReportDays*24*time.Hour {
		return rq, sb.Errorf(sb.EINVALID, "a report covers at most %d days", MaxReportDays)
	}
	channels := channelNames()
	for _, v := range q["channel"] {
		if err := validate.OneOf("channel", v, true, channels...); err != nil {
			return rq, err
		}
		if !slices.Contains(rq.Channels, sb.Channel(v)) {
			rq.Channels = append(rq.Channels, sb.Channel(v))
		}
	}
	for _, v := range q["entry"] {
		if err := validate.Text("entry", v, 200, true); err != nil {
			return rq, err
		}
		rq.Entries = append(rq.Entries, v)
	}
	var err error
	for _, ids := range []struct {
		name string
		dst  *[]int64
	}{{"agent_id", &rq.AgentIDs}, {"group_id", &rq.GroupIDs}, {"from_agent_id", &rq.FromAgentIDs}} {
		if *ids.dst, err = queryIDs(q[ids.name], ids.name); err != nil {
			return rq, err
		}
	}
	if err := parseReportOptions(r, &rq); err != nil {
		return rq, err
	}
	if (name == "transfers" || name == "queue-sessions") && !chart {
		if err := parsePage(r, &rq); err != nil {
			return rq, err
		}
	}
	if name == "service-level" {
		if n := rq.To.Sub(rq.From) / rq.level.Interval; n > MaxReportIntervals {
			return rq, sb.Errorf(sb.EINVALID, "a service-level report has at most %d intervals: shorten the range or lengthen the interval", MaxReportIntervals)
		}
	}
	if !chart {
		rq.csv, err = wantsCSV(r)
	}
	return rq, err
}

// parseReportOptions reads the parameters of particular reports.
func parseReportOptions(r *http.Request, rq *reportQuery) error {
	q := r.URL.Query()
	threshold, err := queryRange(r, "threshold", 0, 1, 3600)
	if err != nil {
		return err
	}
	rq.QueueThreshold = time.Duration(threshold) * time.Second
	switch v := q.Get("kind"); v {
	case "", "agent", "group":
		rq.Kind = v
	default:
		return sb.Errorf(sb.EINVALID, "kind must be agent or group")
	}
	switch q.Get("success") {
	case "":
	case "true", "false":
		ok := q.Get("success") == "true"
		rq.Success = &ok
	default:
		return sb.Errorf(sb.EINVALID, "success must be true or false")
	}
	interval, err := queryRange(r, "interval", 60, 15, 60)
	if err != nil || (interval != 15 && interval != 30 && interval != 60) {
		return sb.Errorf(sb.EINVALID, "interval must be 15, 30 or 60 (minutes)")
	}
	within, err := queryRange(r, "within", int64(DefaultAnswerTarget/time.Second), 1, 3600)
	if err != nil {
		return err
	}
	short, err := queryRange(r, "short_abandon", 0, 0, 3600)
	if err != nil {
		return err
	}
	rq.level = sb.ServiceLevelOptions{Interval: time.Duration(interval) * time.Minute,
		Within: time.Duration(within) * time.Second, ShortAbandon: time.Duration(short) * time.Second}
	for _, name := range []string{"threshold", "kind", "success", "interval", "within", "short_abandon", "limit", "cursor", "format"} {
		if _, err := single(q, name); err != nil {
			return err
		}
	}
	return nil
}

// parsePage reads the limit and cursor of a page of transfers or waits. A
// CSV export without a limit has every row.
func parsePage(r *http.Request, rq *reportQuery) error {
	csv, err := wantsCSV(r)
	if err != nil {
		return err
	}
	def := int64(DefaultPageLimit)
	if csv {
		def = 0
	}
	limit, err := queryLimit(r, def)
	if err != nil {
		return err
	}
	rq.Limit = int(limit)
	if c := r.URL.Query().Get("cursor"); c != "" {
		at, sid, tid, err := decodeCursor(c)
		if err != nil {
			return err
		}
		rq.AfterAt, rq.AfterID, rq.AfterTrans = at, sid, tid
	}
	return nil
}

// single answers a parameter that may be given at most once.
func single(q map[string][]string, name string) (string, error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", sb.Errorf(sb.EINVALID, "%s may be given only once", name)
}

// queryIDs parses a repeatable parameter of positive integer IDs.
func queryIDs(vs []string, name string) ([]int64, error) {
	var out []int64
	for _, v := range vs {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, sb.Errorf(sb.EINVALID, "%s must be a positive integer, not %q", name, v)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > 1000 {
		return nil, sb.Errorf(sb.EINVALID, "at most 1000 %s values", name)
	}
	return out, nil
}

// wantsCSV reports whether the answer should be CSV: format=csv, or no
// format and an Accept header that asks for text/csv.
func wantsCSV(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, sb.Errorf(sb.EINVALID, "format must be json or csv")
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mt == "text/csv" && params["q"] != "0" {
			return true, nil
		}
	}
	return false, nil
}

// A list's cursor is opaque to clients: the position of the last row of a
// page (a wait's has no transfer).
const cursorVersion = "t1"

func encodeCursor(at time.Time, sessionID, transferID int64) string {
	s := cursorVersion + "." + strconv.FormatInt(at.UnixNano(), 10) + "." + strconv.FormatInt(sessionID, 10) + "." + strconv.FormatInt(transferID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCursor(c string) (time.Time, int64, int64, error) {
	bad := sb.Errorf(sb.EINVALID, "cursor is not one this server gave")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(c) > 200 {
		return time.Time{}, 0, 0, bad
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 4 || parts[0] != cursorVersion {
		return time.Time{}, 0, 0, bad
	}
	var n [3]int64
	for i, p := range parts[1:] {
		if n[i], err = strconv.ParseInt(p, 10, 64); err != nil || n[i] < 0 {
			return time.Time{}, 0, 0, bad
		}
	}
	return time.Unix(0, n[0]).UTC(), n[1], n[2], nil
}
