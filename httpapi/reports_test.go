package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/report"
)

const march = "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z"

// Every parameter is checked before the store is read: these answer 400
// whether or not the server keeps reports.
func TestReportParametersAreValidated(t *testing.T) {
	s := newStack(t)
	for _, c := range []struct{ path, want string }{
		{"/api/v1/reports/agent-workload", "from is required"},
		{"/api/v1/reports/agent-workload?from=2026-03-01T00:00:00Z", "to is required"},
		{"/api/v1/reports/agent-workload?from=2026-03-01&to=2026-04-01T00:00:00Z", "from must be an RFC 3339 time"},
		{"/api/v1/reports/agent-workload?from=2026-03-01T00:00:00Z&to=2026-03-01T00:00:00Z", "to must be after from"},
		{"/api/v1/reports/agent-workload?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "to must be after from"},
		{"/api/v1/reports/agent-workload?from=2026-01-01T00:00:00Z&to=2027-02-05T00:00:01Z", "at most 400 days"},
		{"/api/v1/reports/agent-workload?" + march + "&from=2026-03-02T00:00:00Z", "from may be given only once"},
		{"/api/v1/reports/agent-workload?" + march + "&channel=fax", "channel"},
		{"/api/v1/reports/agent-workload?" + march + "&agent_id=0", "agent_id must be a positive integer"},
		{"/api/v1/reports/agent-workload?" + march + "&agent_id=x", "agent_id must be a positive integer"},
		{"/api/v1/reports/agent-workload?" + march + "&group_id=-3", "group_id must be a positive integer"},
		{"/api/v1/reports/agent-workload?" + march + "&entry=", "entry"},
		{"/api/v1/reports/agent-workload?" + march + "&kind=agent", `unknown parameter "kind"`},
		{"/api/v1/reports/group-workload?" + march + "&agent_id=1", `unknown parameter "agent_id"`},
		{"/api/v1/reports/agent-workload?" + march + "&format=xml", "format must be json or csv"},
		{"/api/v1/reports/queues?" + march + "&threshold=0", "threshold must be an integer from 1 to 3600"},
		{"/api/v1/reports/queues?" + march + "&threshold=3601", "threshold must be an integer from 1 to 3600"},
		{"/api/v1/reports/transfers?" + march + "&kind=robot", "kind must be agent or group"},
		{"/api/v1/reports/transfers?" + march + "&success=yes", "success must be true or false"},
		{"/api/v1/reports/transfers?" + march + "&limit=0", "limit must be an integer from 1 to 1000"},
		{"/api/v1/reports/transfers?" + march + "&limit=1001", "limit must be an integer from 1 to 1000"},
		{"/api/v1/reports/transfers?" + march + "&cursor=bm9wZQ", "cursor is not one this server gave"},
		{"/api/v1/reports/transfers?" + march + "&from_agent_id=1.5", "from_agent_id must be a positive integer"},
		{"/api/v1/reports/service-level?" + march + "&interval=20", "interval must be 15, 30 or 60"},
		{"/api/v1/reports/service-level?" + march + "&within=0", "within must be an integer from 1 to 3600"},
		{"/api/v1/reports/service-level?" + march + "&short_abandon=-1", "short_abandon must be an integer from 0 to 3600"},
		{"/api/v1/reports/service-level?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z&interval=15", "at most 10000 intervals"},
		{"/api/v1/reports/channels/chart.svg?" + march + "&format=csv", `unknown parameter "format"`},
		{"/api/v1/reports/queues/0/sessions?" + march, "group_id must be a positive integer"},
		{"/api/v1/reports/queues/1/sessions?" + march + "&group_id=2", `unknown parameter "group_id"`},
		{"/api/v1/reports/queues/1/sessions?to=2026-04-01T00:00:00Z", "from is required"},
	} {
		r := s.do("supervisor", "GET", c.path, "")
		msg, _ := r.json(t)["error"].(map[string]any)["message"].(string)
		if r.Status != 400 || r.errCode(t) != sb.EINVALID || !strings.Contains(msg, c.want) {
			t.Errorf("GET %s: %d %s, want 400 invalid mentioning %q", c.path, r.Status, bytes.TrimSpace(r.Body), c.want)
		}
	}
}

func TestReportRolesAndNames(t *testing.T) {
	s := newStack(t)
	for _, c := range []struct {
		as, path string
		status   int
	}{
		{"", "/api/v1/reports/channels?" + march, 401},
		{"supervisor", "/api/v1/reports/nope?" + march, 404},
		{"supervisor", "/api/v1/reports/nope/chart.svg?" + march, 404},
		{"agent", "/api/v1/reports/group-workload?" + march, 403},
		{"agent", "/api/v1/reports/transfers/chart.svg?" + march, 403},
		{"agent", "/api/v1/reports/queues/1/sessions?" + march, 403},
		{"agent", "/api/v1/reports/agent-workload?" + march + "&agent_id=2", 403},
		{"agent", "/api/v1/reports/agent-workload?" + march + "&agent_id=1&agent_id=2", 403},
	} {
		if r := s.do(c.as, "GET", c.path, ""); r.Status != c.status {
			t.Errorf("%s GET %s: %d %s, want %d", c.as, c.path, r.Status, bytes.TrimSpace(r.Body), c.status)
		}
	}
	// Visitors may not read reports.
	key := s.mustDo("admin", "POST", "/api/v1/web-plugins", `{"name":"Site"}`, 201).json(t)["key"].(string)
	tok, _ := s.visitor(key, `{}`)
	s.tokens["visitor"] = tok
	if r := s.do("visitor", "GET", "/api/v1/reports/channels?"+march, ""); r.Status != 403 {
		t.Errorf("visitor: %d, want 403", r.Status)
	}
}

// reportStack is a stack whose store keeps reports, with the facts of a
// few sessions in March 2026; it skips the test when the store does not
// keep reports.
func reportStack(t *testing.T) (*stack, sb.ReportStore) {
	t.Helper()
	s := newStack(t)
	rs, ok := any(s.db).(sb.ReportStore)
	if !ok {
		t.Skip("the SQLite store does not keep report facts")
	}
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Sales"}`, 201)
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, time.UTC) }
	ms := func(d time.Duration) *int64 { v := d.Milliseconds(); return &v }
	picked := at(2, 9, 2)
	facts := []sb.SessionFacts{
		{ // Noam picks up in Support, transfers to Alex, Alex ends; rated 4.
			SessionID: 1, Seq: 10,
			Session: sb.SessionFact{SessionID: 1, Channel: sb.ChannelWeb, Entry: "1", GroupID: 1, At: at(2, 9, 1), PickedUp: 1, Ended: 1, DurationMS: 600_000, Invited: 1, InviteSuccess: 1},
			Agents: []sb.AgentFact{
				{SessionID: 1, AgentID: 1, GroupID: 1, Channel: sb.ChannelWeb, Entry: "1", At: at(2, 9, 1), PickUps: 1, AccessedFirst: 1, TransfersOut: 1, DurationMS: 60_000},
				{SessionID: 1, AgentID: 2, GroupID: 1, Channel: sb.ChannelWeb, Entry: "1", At: at(2, 9, 2), PickUps: 1, TransfersIn: 1, Ended: 1, DurationMS: 540_000,
					Valid: 1, FirstResponses: 1, FirstResponseMS: 5_000, ResponseAvgs: 1, ResponseAvgMS: 12_000, Invited: 1, InviteSuccess: 1},
			},
			Groups: []sb.GroupFact{{SessionID: 1, GroupID: 1, Channel: sb.ChannelWeb, Entry: "1", At: at(2, 9, 1), PickUps: 2, AccessedFirst: 1, Ended: 1, DurationMS: 600_000, Valid: 1}},
			Waits:  []sb.WaitFact{{SessionID: 1, GroupID: 1, Channel: sb.ChannelWeb, Entry: "1", At: at(2, 8, 59), WaitMS: 90_000, Outcome: sb.WaitOutcomePickedUp, AgentID: 1}},
			Ratings: []sb.RatingFact{
				{SessionID: 1, Channel: sb.ChannelWeb, Entry: "1", GroupID: 1, At: at(2, 9, 20), Rating: 4},
				{SessionID: 1, AgentID: 2, Channel: sb.ChannelWeb, Entry: "1", GroupID: 1, At: at(2, 9, 20), Rating: 4},
			},
			Transfers: []sb.TransferFact{{SessionID: 1, TransferID: 1, Channel: sb.ChannelWeb, Entry: "1", At: at(2, 9, 2), Visitor: "Dana",
				Kind: "agent", FromAgentID: 1, FromAgentName: "Noam B", ToAgentID: 2, ToAgentName: "Alex B", Success: true,
				PickedUpAt: &picked, QueueMS: ms(0), DurationMS: ms(0)}},
		},
		{ // A visitor gives up after 70 s in Sales.
			SessionID: 2, Seq: 20,
			Session: sb.SessionFact{SessionID: 2, Channel: sb.ChannelWeb, Entry: "1", At: at(3, 10, 0)},
			Waits:   []sb.WaitFact{{SessionID: 2, GroupID: 2, Channel: sb.ChannelWeb, Entry: "1", At: at(3, 10, 0), WaitMS: 70_000, Outcome: sb.WaitOutcomeAbandoned}},
		},
		{ // Outside the range: April.
			SessionID: 3, Seq: 30,
			Session: sb.SessionFact{SessionID: 3, Channel: sb.ChannelAPI, At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), PickedUp: 1},
			Agents:  []sb.AgentFact{{SessionID: 3, AgentID: 1, Channel: sb.ChannelAPI, At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), PickUps: 1, AccessedFirst: 1}},
		},
	}
	if err := rs.PutFacts(context.Background(), facts, 30); err != nil {
		t.Fatal(err)
	}
	return s, rs
}

func decodeJSON(t *testing.T, r response, v any) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, bytes.TrimSpace(r.Body))
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
}

func TestAgentWorkloadReport(t *testing.T) {
	s, _ := reportStack(t)
	var rep struct {
		Report string
		Rows   []map[string]any
		Total  map[string]any
	}
	decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/agent-workload?"+march, ""), &rep)
	if rep.Report != "agent-workload" || len(rep.Rows) != 2 {
		t.Fatalf("report = %+v", rep)
	}
	alex, noam := rep.Rows[0], rep.Rows[1] // by name
	if alex["agent_name"] != "Alex B" || alex["sessions"] != 1.0 || alex["ended"] != 1.0 || alex["avg_duration"] != 540_000.0 || alex["transfers_in"] != 1.0 {
		t.Errorf("Alex = %v", alex)
	}
	if noam["agent_name"] != "Noam B" || noam["sessions"] != 1.0 || noam["ended"] != 0.0 || noam["avg_duration"] != nil || noam["accessed_first"] != 1.0 {
		t.Errorf("Noam = %v (April's session must not count)", noam)
	}
	if rep.Total["sessions"] != 2.0 || rep.Total["duration"] != 600_000.0 {
		t.Errorf("total = %v", rep.Total)
	}

	// An agent sees only its own row, whatever it asks.
	decodeJSON(t, s.do("agent", "GET", "/api/v1/reports/agent-workload?"+march, ""), &rep)
	if len(rep.Rows) != 1 || rep.Rows[0]["agent_id"] != 1.0 {
		t.Errorf("agent's own report = %v", rep.Rows)
	}
	// Filters narrow the facts: no API session in March.
	decodeJSON(t, s.do("integration", "GET", "/api/v1/reports/agent-workload?"+march+"&channel=api", ""), &rep)
	if len(rep.Rows) != 0 || rep.Total["sessions"] != 0.0 {
		t.Errorf("api channel = %v", rep.Rows)
	}
}

func TestReportCSVDownload(t *testing.T) {
	s, _ := reportStack(t)
	for _, r := range []response{
		s.do("supervisor", "GET", "/api/v1/reports/queues?"+march+"&format=csv", ""),
		s.do("supervisor", "GET", "/api/v1/reports/queues?"+march, "", "Accept", "text/csv"),
	} {
		if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%d %s: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="queues-2026-03-01-2026-03-31.csv"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 || recs[0][0] != "Group ID" || recs[0][2] != "Queue count" {
			t.Fatalf("csv = %q", recs)
		}
		// Sales: one counted wait, abandoned by the visitor: rates 100 %.
		sales := recs[1]
		if sales[1] != "Sales" || sales[2] != "1" || sales[3] != "70.0" || sales[12] != "100.0%" || sales[16] != "100.0%" {
			t.Errorf("Sales = %q", sales)
		}
	}
}

func TestReportListsPageWithACursor(t *testing.T) {
	s, rs := reportStack(t)
	var more []sb.SessionFacts
	for i := int64(10); i < 15; i++ {
		at := time.Date(2026, 3, 5, 9, int(i), 0, 0, time.UTC)
		more = append(more, sb.SessionFacts{SessionID: i, Seq: 30 + i, Session: sb.SessionFact{SessionID: i, Channel: sb.ChannelWeb, At: at},
			Transfers: []sb.TransferFact{{SessionID: i, TransferID: 1, Channel: sb.ChannelWeb, At: at, Kind: "group", FromAgentID: 2, ToGroupID: 2}},
			Waits:     []sb.WaitFact{{SessionID: i, GroupID: 2, Channel: sb.ChannelWeb, At: at, WaitMS: 61_000 + i, Outcome: sb.WaitOutcomeDropped, Transfer: true}}})
	}
	if err := rs.PutFacts(context.Background(), more, 50); err != nil {
		t.Fatal(err)
	}
	var ids []float64
	cursor := ""
	for page := 0; page < 5; page++ {
		var rep struct {
			Rows       []map[string]any
			NextCursor string `json:"next_cursor"`
		}
		decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/transfers?"+march+"&limit=4&cursor="+url.QueryEscape(cursor), ""), &rep)
		for _, r := range rep.Rows {
			ids = append(ids, r["session_id"].(float64))
			if r["kind"] == "group" && r["to_group_name"] != "Sales" {
				t.Errorf("group name not joined: %v", r)
			}
		}
		if cursor = rep.NextCursor; cursor == "" {
			break
		}
	}
	if len(ids) != 6 || ids[0] != 1 || ids[5] != 14 {
		t.Errorf("session IDs over the pages = %v, want 1 then 10..14", ids)
	}
	// The waits behind Sales' queue count page the same way: the visitor's
	// give-up, then the five transfers.
	ids, cursor = nil, ""
	for page := 0; page < 5; page++ {
		var rep struct {
			Rows       []map[string]any
			NextCursor string `json:"next_cursor"`
		}
		decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/queues/2/sessions?"+march+"&limit=2&cursor="+url.QueryEscape(cursor), ""), &rep)
		for _, r := range rep.Rows {
			ids = append(ids, r["session_id"].(float64))
		}
		if cursor = rep.NextCursor; cursor == "" {
			break
		}
	}
	if len(ids) != 6 || ids[0] != 2 || ids[5] != 14 {
		t.Errorf("waits over the pages = %v, want 2 then 10..14", ids)
	}
	r := s.do("supervisor", "GET", "/api/v1/reports/queues/2/sessions?"+march+"&format=csv", "")
	if recs, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll(); err != nil || len(recs) != 7 {
		t.Errorf("the CSV of the waits has %d records (%v), want a header and 6", len(recs), err)
	}

	var failed struct{ Rows []map[string]any }
	decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/transfers?"+march+"&success=true&kind=agent&from_agent_id=1", ""), &failed)
	if len(failed.Rows) != 1 || failed.Rows[0]["date"] != "2026-03-02" {
		t.Errorf("successful agent transfers = %v", failed.Rows)
	}
}

func TestQueueSessionsAndCharts(t *testing.T) {
	s, _ := reportStack(t)
	var rep struct{ Rows []map[string]any }
	decodeJSON(t, s.do("supervisor", "GET", "/api/v1/reports/queues/2/sessions?"+march, ""), &rep)
	if len(rep.Rows) != 1 || rep.Rows[0]["session_id"] != 2.0 || rep.Rows[0]["outcome"] != "abandoned" || rep.Rows[0]["group_name"] != "Sales" {
		t.Errorf("waits behind Sales' queue count = %v", rep.Rows)
	}
	for _, name := range []string{"agent-workload", "agent-satisfaction", "group-workload", "group-satisfaction", "queues", "channels", "transfers", "service-level"} {
		r := s.do("supervisor", "GET", "/api/v1/reports/"+name+"/chart.svg?"+march, "")
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s chart: %d %v", name, r.Status, r.Header)
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(r.Body))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s chart is not XML: %v", name, err)
				break
			}
		}
	}
	if r := s.do("supervisor", "GET", "/api/v1/reports/agent-workload/chart.svg?"+march, ""); !bytes.Contains(r.Body, []byte("Alex B · Sessions picked up: 1")) {
		t.Errorf("the agent chart has no bar for Alex:\n%s", r.Body)
	}
}

// syncedReports serves the report stack's API with sync as its
// ReportSync, and answers a GET as the supervisor: status, headers, body.
func syncedReports(t *testing.T, sync func(context.Context) (report.Freshness, error)) func(path string) (int, http.Header, string) {
	t.Helper()
	s, rs := reportStack(t)
	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: dir, Config: s.db, Reports: rs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ReportSync: sync})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return func(path string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+s.tokens["supervisor"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
}

// The reports bring the facts up to date before they read them; a failure
// to do so answers 500 without the store's details.
func TestReportsSyncFirst(t *testing.T) {
	calls, fail := 0, false
	get := syncedReports(t, func(ctx context.Context) (report.Freshness, error) {
		calls++
		if fail {
			return report.Freshness{}, errors.New("sqlite: disk I/O error")
		}
		return report.Freshness{Current: true}, nil
	})
	for _, p := range []string{"/api/v1/reports/channels?" + march, "/api/v1/reports/channels/chart.svg?" + march, "/api/v1/reports/queues/1/sessions?" + march} {
		if code, _, body := get(p); code != 200 {
			t.Errorf("%s: %d %s", p, code, body)
		}
	}
	if get("/api/v1/reports/channels?from=x"); calls != 3 {
		t.Errorf("ReportSync ran %d times, want 3 (not for a refused query)", calls)
	}
	fail = true
	if code, _, body := get("/api/v1/reports/channels?" + march); code != 500 || strings.Contains(body, "disk") {
		t.Errorf("failed sync: %d %s", code, body)
	}
}

// While the facts are rebuilt, a report answers at once from the facts
// built so far and says so: in the JSON answer and, for every format, in
// the Report-Facts header. A current report carries neither.
func TestReportsSayWhenTheFactsAreNotCurrent(t *testing.T) {
	fresh := report.Freshness{Rebuilding: true, SessionsBuilt: 3000, SessionsTotal: 10000}
	ask := syncedReports(t, func(ctx context.Context) (report.Freshness, error) { return fresh, nil })
	get := func(path string) (http.Header, string) {
		t.Helper()
		code, h, body := ask(path)
		if code != 200 {
			t.Fatalf("%s: %d %s", path, code, body)
		}
		return h, body
	}
	h, body := get("/api/v1/reports/agent-workload?" + march)
	var answer struct {
		Rows  []json.RawMessage `json:"rows"`
		Facts *report.Freshness `json:"facts"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil {
		t.Fatal(err)
	}
	if answer.Facts == nil || !answer.Facts.Rebuilding || answer.Facts.SessionsBuilt != 3000 || answer.Facts.SessionsTotal != 10000 || len(answer.Rows) == 0 {
		t.Errorf("rebuilding: %s", body)
	}
	if got := h.Get("Report-Facts"); got != "rebuilding; built=3000; total=10000" {
		t.Errorf("Report-Facts %q", got)
	}
	if h, _ := get("/api/v1/reports/agent-workload?format=csv&" + march); h.Get("Report-Facts") == "" {
		t.Error("a CSV answer does not say the facts are being rebuilt")
	}
	if _, body := get("/api/v1/reports/queues/1/sessions?" + march); !strings.Contains(body, `"rebuilding":true`) {
		t.Errorf("queue sessions: %s", body)
	}
	fresh = report.Freshness{FactsThrough: 120, LastEvent: 90_120}
	if h, body := get("/api/v1/reports/transfers?" + march); h.Get("Report-Facts") != "behind; through=120; last=90120" ||
		!strings.Contains(body, `"facts":{"current":false,"facts_through":120,"last_event":90120}`) {
		t.Errorf("behind: %q %s", h.Get("Report-Facts"), body)
	}
	fresh = report.Freshness{Current: true, FactsThrough: 90_120, LastEvent: 90_120}
	if h, body := get("/api/v1/reports/agent-workload?" + march); h.Get("Report-Facts") != "" || strings.Contains(body, `"facts"`) {
		t.Errorf("current: %q %s", h.Get("Report-Facts"), body)
	}
}
