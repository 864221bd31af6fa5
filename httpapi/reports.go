package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/sessionview"
)

// reportReaders may read reports: supervisors, agents (their own rows of
// the agent reports only) and integrations.
var reportReaders = []string{sb.RoleSupervisor, sb.RoleAgent, sb.RoleIntegration}

// errAgentReports refuses an agent any other report than its own rows.
var errAgentReports = sb.Errorf(sb.EFORBIDDEN, "agents may read only their own rows of the agent reports")

// agentReports are the reports an agent may read, for itself.
var agentReports = []string{"agent-workload", "agent-satisfaction"}

func (s *Server) reportRoutes() {
	const base = "/api/v1/reports"
	s.handle("GET "+base+"/{name}", s.authed(s.getReport, reportReaders...))
	s.handle("GET "+base+"/{name}/chart.svg", s.authed(s.reportChart, reportReaders...))
	s.handle("GET "+base+"/queues/{group_id}/sessions", s.authed(s.queueSessions, reportReaders...))
}

// Report is the JSON answer of GET /api/v1/reports/{name}: the rows of
// one report over [from, to) and its totals row.
type Report[Row, Total any] struct {
	Report string    `json:"report"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Rows   []Row     `json:"rows"`
	Total  Total     `json:"total"`
	// Facts is present only when the report counts not yet every event
	// committed: the facts are being rebuilt or caught up.
	Facts *report.Freshness `json:"facts,omitempty"`
}

// ReportList is the JSON answer of a report that lists rather than adds
// up: the transfers and the waits behind a queue count. NextCursor
// continues a list that has more rows.
type ReportList[Row any] struct {
	Report     string    `json:"report"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Rows       []Row     `json:"rows"`
	NextCursor string    `json:"next_cursor,omitempty"`
	// Facts is present only when the list is not yet current (see Report).
	Facts *report.Freshness `json:"facts,omitempty"`
}

func (r *Report[Row, Total]) setFacts(f *report.Freshness) { r.Facts = f }
func (r *ReportList[Row]) setFacts(f *report.Freshness)    { r.Facts = f }

// factsSetter is a report answer that can say its facts are not current.
type factsSetter interface{ setFacts(*report.Freshness) }

// reportResult is one report computed: its JSON answer, its CSV table and
// its chart.
type reportResult struct {
	json  any
	table report.Table
	chart func() []byte
}

// reportStore answers the report store once its facts reflect every
// committed event, or at once, with how far they are behind (nil when
// current), while they are rebuilt or far behind. It then also says so to
// the client in the Report-Facts header, for CSV and SVG answers too:
// "rebuilding; built=N; total=M" or "behind; through=N; last=M".
func (s *Server) reportStore(w http.ResponseWriter, r *http.Request) (sb.ReportStore, *report.Freshness, error) {
	if s.Reports == nil {
		return nil, nil, sb.Errorf(sb.EUNAVAILABLE, "reports are not kept by this server")
	}
	if s.ReportSync == nil {
		return s.Reports, nil, nil
	}
	f, err := s.ReportSync(r.Context())
	if err != nil {
		return nil, nil, fmt.Errorf("bring the report facts up to date: %w", err)
	}
	if f.Current {
		return s.Reports, nil, nil
	}
	if f.Rebuilding {
		w.Header().Set("Report-Facts", fmt.Sprintf("rebuilding; built=%d; total=%d", f.SessionsBuilt, f.SessionsTotal))
	} else {
		w.Header().Set("Report-Facts", fmt.Sprintf("behind; through=%d; last=%d", f.FactsThrough, f.LastEvent))
	}
	return s.Reports, &f, nil
}

// sessionFacts answers GET /api/v1/sessions/{id}/report-facts: what one
// session adds to the reports (its per-session handle, hold and wait times
// among them), so that a report can be explained session by session.
func (s *Server) sessionFacts(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	store, _, err := s.reportStore(w, r)
	if err != nil {
		return err
	}
	f, err := store.Facts(r.Context(), sess.ID)
	if err != nil {
		return err
	}
	if !s.policy().SeesRatings(viewer(principalFrom(r.Context()))) {
		f.Ratings = nil // the scores visitors gave
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// runReport validates a report request, brings the report facts up to
// date and computes the report.
func (s *Server) runReport(w http.ResponseWriter, r *http.Request, name string, chart bool) (reportQuery, reportResult, error) {
	p := principalFrom(r.Context())
	if !slices.Contains(reportNameList, name) {
		return reportQuery{}, reportResult{}, sb.Errorf(sb.ENOTFOUND, "no report %q; the reports are %s", name, strings.Join(reportNameList, ", "))
	}
	if p.Role == sb.RoleAgent && !slices.Contains(agentReports, name) {
		return reportQuery{}, reportResult{}, errAgentReports
	}
	rq, err := parseReportQuery(r, name, chart)
	if err != nil {
		return rq, reportResult{}, err
	}
	if err := restrictToAgent(p, name, &rq.ReportQuery); err != nil {
		return rq, reportResult{}, err
	}
	store, fresh, err := s.reportStore(w, r)
	if err != nil {
		return rq, reportResult{}, err
	}
	res, err := s.computeReport(r.Context(), store, name, rq, s.policy().SeesRatings(viewer(p)))
	if f, ok := res.json.(factsSetter); ok && err == nil && fresh != nil {
		f.setFacts(fresh)
	}
	return rq, res, err
}

// restrictToAgent keeps an agent to its own rows of the agent reports.
func restrictToAgent(p Principal, name string, q *sb.ReportQuery) error {
	if p.Role != sb.RoleAgent {
		return nil
	}
	if !slices.Contains(agentReports, name) || p.AgentID == 0 {
		return errAgentReports
	}
	for _, id := range q.AgentIDs {
		if id != p.AgentID {
			return errAgentReports
		}
	}
	q.AgentIDs = []int64{p.AgentID}
	return nil
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	rq, res, err := s.runReport(w, r, name, false)
	if err != nil {
		return err
	}
	if rq.csv {
		return writeCSV(w, csvName(name, rq.From, rq.To), res.table)
	}
	writeJSON(w, http.StatusOK, res.json)
	return nil
}

func (s *Server) reportChart(w http.ResponseWriter, r *http.Request) error {
	_, res, err := s.runReport(w, r, r.PathValue("name"), true)
	if err != nil {
		return err
	}
	writeSVG(w, res.chart())
	return nil
}

func (s *Server) queueSessions(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if p.Role == sb.RoleAgent {
		return errAgentReports
	}
	gid, err := pathID(r, "group_id")
	if err != nil {
		return err
	}
	rq, err := parseReportQuery(r, "queue-sessions", false)
	if err != nil {
		return err
	}
	rq.GroupIDs = []int64{gid}
	store, fresh, err := s.reportStore(w, r)
	if err != nil {
		return err
	}
	q := rq.ReportQuery
	if q.Limit > 0 {
		q.Limit++ // one more tells whether another page follows
	}
	waits, err := store.QueueSessions(r.Context(), q)
	if err != nil {
		return err
	}
	next := ""
	if rq.Limit > 0 && len(waits) > rq.Limit {
		waits = waits[:rq.Limit]
		last := waits[len(waits)-1]
		next = encodeCursor(last.At, last.SessionID, 0)
	}
	rows := report.QueueSessions(waits, s.reportNames())
	if rq.csv {
		return writeCSV(w, csvName("queue-sessions-"+r.PathValue("group_id"), rq.From, rq.To), report.QueueSessionsTable(rows))
	}
	writeJSON(w, http.StatusOK, ReportList[report.QueueSessionRow]{Report: "queue-sessions", From: rq.From, To: rq.To, Rows: rows, NextCursor: next, Facts: fresh})
	return nil
}

// visitorNicknames resolves the nickname of a session's visitor in the
// format of the chat settings, from the name the session was created with
// and what its projection holds of the visitor (its identifier, region
// and network, and the session's creation), read once per session.
func (s *Server) visitorNicknames(ctx context.Context) func(sessionID int64, name string) string {
	type visitor struct {
		user    sb.EndUser
		created time.Time
		ok      bool
	}
	format := s.Directory.ChatSettings().VisitorNickname
	read := map[int64]visitor{}
	return func(id int64, name string) string {
		v, seen := read[id]
		if !seen {
			if sess, err := s.Events.Session(ctx, id); err == nil {
				u := sess.EndUser
				v = visitor{user: sb.EndUser{Identifier: u.Identifier, Region: u.Region, Network: u.Network}, created: sess.CreatedAt, ok: true}
			} // else the fact's name stands
			if len(read) >= 10000 {
				clear(read)
			}
			read[id] = v
		}
		if !v.ok {
			return ""
		}
		return sessionview.Nickname(format, v.user, name, id, v.created)
	}
}

// reportNames resolves agent and group names through the directory.
func (s *Server) reportNames() report.Names {
	if s.Directory == nil {
		return report.Names{}
	}
	return report.Names{
		Agent: func(id int64) string {
			a, err := s.Directory.GetAgent(id)
			if err != nil {
				return ""
			}
			return a.Name
		},
		Group: func(id int64) string {
			q, err := s.Directory.GetQueue(id)
			if err != nil {
				return ""
			}
			return q.Name
		},
	}
}

// computeReport computes report name; without scores, the satisfaction
// reports leave the average score out (the caller may not see ratings).
func (s *Server) computeReport(ctx context.Context, store sb.ReportStore, name string, rq reportQuery, scores bool) (reportResult, error) {
	q, n := rq.ReportQuery, s.reportNames()
	switch name {
	case "agent-workload", "agent-satisfaction", "group-workload", "group-satisfaction":
		load := store.AgentWorkload
		if strings.HasPrefix(name, "group-") {
			load = store.GroupWorkload
		}
		sums, err := load(ctx, q)
		if err != nil {
			return reportResult{}, err
		}
		return workloadResult(name, q, sums, n, scores), nil
	case "queues":
		sums, err := store.QueueReport(ctx, q)
		if err != nil {
			return reportResult{}, err
		}
		rows, total := report.Queues(sums, n)
		return reportResult{
			json:  &Report[report.QueueReportRow, report.QueueColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.QueueTable(rows),
			chart: func() []byte { return queueChart(rows) },
		}, nil
	case "channels":
		sums, err := store.ChannelReport(ctx, q)
		if err != nil {
			return reportResult{}, err
		}
		rows, total := report.Channels(sums)
		return reportResult{
			json:  &Report[report.ChannelReportRow, report.ChannelColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.ChannelTable(rows),
			chart: func() []byte { return channelChart(rows) },
		}, nil
	case "transfers":
		if rq.chart {
			// A chart counts at most maxChartTransfers transfers, the
			// first ones, and says so.
			rq.Limit = maxChartTransfers
		}
		return s.transferReport(ctx, store, rq)
	case "service-level":
		sums, err := store.ServiceLevel(ctx, q, rq.level)
		if err != nil {
			return reportResult{}, err
		}
		rows, total := report.ServiceLevel(sums)
		return reportResult{
			json:  &Report[report.ServiceLevelRow, report.ServiceLevelRow]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.ServiceLevelTable(rows),
			chart: func() []byte { return serviceLevelChart(rows, rq.level.Interval) },
		}, nil
	}
	return reportResult{}, sb.Errorf(sb.ENOTFOUND, "no report %q", name)
}

func workloadResult(name string, q sb.ReportQuery, sums []sb.WorkloadRow, n report.Names, scores bool) reportResult {
	switch name {
	case "agent-workload":
		rows, total := report.AgentWorkload(sums, n)
		return reportResult{
			json:  &Report[report.AgentWorkloadRow, report.WorkloadColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.AgentWorkloadTable(rows),
			chart: func() []byte {
				labels, cols := chartRows(rows, func(r report.AgentWorkloadRow) (string, report.WorkloadColumns) {
					return label(r.AgentName, "agent", r.AgentID), r.WorkloadColumns
				})
				return workloadChart("Agent workload", labels, cols)
			},
		}
	case "group-workload":
		rows, total := report.GroupWorkload(sums, n)
		return reportResult{
			json:  &Report[report.GroupWorkloadRow, report.WorkloadColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.GroupWorkloadTable(rows),
			chart: func() []byte {
				labels, cols := chartRows(rows, func(r report.GroupWorkloadRow) (string, report.WorkloadColumns) {
					return label(r.GroupName, "group", r.GroupID), r.WorkloadColumns
				})
				return workloadChart("Skill-group workload", labels, cols)
			},
		}
	case "agent-satisfaction":
		rows, total := report.AgentSatisfaction(sums, n)
		if !scores {
			for i := range rows {
				rows[i].AvgScore = nil
			}
			total.AvgScore = nil
		}
		return reportResult{
			json:  &Report[report.AgentSatisfactionRow, report.SatisfactionColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.AgentSatisfactionTable(rows),
			chart: func() []byte {
				labels, cols := chartRows(rows, func(r report.AgentSatisfactionRow) (string, report.SatisfactionColumns) {
					return label(r.AgentName, "agent", r.AgentID), r.SatisfactionColumns
				})
				return satisfactionChart("Agent satisfaction", labels, cols)
			},
		}
	default:
		rows, total := report.GroupSatisfaction(sums, n)
		return reportResult{
			json:  &Report[report.GroupSatisfactionRow, report.SatisfactionColumns]{Report: name, From: q.From, To: q.To, Rows: rows, Total: total},
			table: report.GroupSatisfactionTable(rows),
			chart: func() []byte {
				labels, cols := chartRows(rows, func(r report.GroupSatisfactionRow) (string, report.SatisfactionColumns) {
					return label(r.GroupName, "group", r.GroupID), r.SatisfactionColumns
				})
				return satisfactionChart("Skill-group satisfaction", labels, cols)
			},
		}
	}
}

// chartRows gives each report row's chart label and columns.
func chartRows[R, C any](rows []R, f func(R) (string, C)) ([]string, []C) {
	labels, cols := make([]string, len(rows)), make([]C, len(rows))
	for i, r := range rows {
		labels[i], cols[i] = f(r)
	}
	return labels, cols
}

// transferReport lists one page of transfers: Limit rows after the
// cursor, and a cursor for the next page when there is more.
func (s *Server) transferReport(ctx context.Context, store sb.ReportStore, rq reportQuery) (reportResult, error) {
	q := rq.ReportQuery
	if q.Limit > 0 {
		q.Limit++ // one more tells whether another page follows
	}
	facts, err := store.Transfers(ctx, q)
	if err != nil {
		return reportResult{}, err
	}
	next := ""
	if rq.Limit > 0 && len(facts) > rq.Limit {
		facts = facts[:rq.Limit]
		last := facts[len(facts)-1]
		next = encodeCursor(last.At, last.SessionID, last.TransferID)
	}
	names := s.reportNames()
	names.Visitor = s.visitorNicknames(ctx)
	rows := report.Transfers(facts, names)
	return reportResult{
		json:  &ReportList[report.TransferRow]{Report: "transfers", From: q.From, To: q.To, Rows: rows, NextCursor: next},
		table: report.TransferTable(rows),
		chart: func() []byte { return transferChart(rows, next != "") },
	}, nil
}

// csvName is a report's download name: its name and the days it covers,
// the last one being the day before the exclusive end.
func csvName(name string, from, to time.Time) string {
	last := to.Add(-time.Nanosecond)
	return name + "-" + from.UTC().Format(time.DateOnly) + "-" + last.UTC().Format(time.DateOnly) + ".csv"
}

func writeCSV(w http.ResponseWriter, filename string, t report.Table) error {
	var buf bytes.Buffer
	if err := t.WriteCSV(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// writeSVG answers a chart. The document carries no script; the policy
// keeps it inert even when opened on its own.
func writeSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(svg)
}
