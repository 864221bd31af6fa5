package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/report"
)

// reportDays is a report range from the UTC day before the stack's clock
// to the end of the day after it, so that a test run near midnight keeps
// its sessions inside.
func (s *stack) reportDays() (from, to time.Time) {
	d := s.Clock.Now().UTC().Truncate(24 * time.Hour)
	return d.Add(-24 * time.Hour), d.Add(48 * time.Hour)
}

func (s *stack) reportDay() string {
	from, to := s.reportDays()
	return "from=" + from.Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339)
}

// TestReportsPageInBrowser makes a session through the API — it waits in
// the queue, Ada picks it up and transfers it to Bo, who ends it, and the
// visitor rates it — then opens the reports page: the agent workload
// table and chart, the queue count and the waits behind it, the transfer
// row and its session, and the CSV download.
func TestReportsPageInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	if code, body := s.send(s.Admin, "GET", "/api/v1/reports/channels?"+s.reportDay(), nil, nil); code == http.StatusServiceUnavailable || s.App.API.ReportSync == nil {
		t.Skipf("this build does not keep reports up to date: %d %s", code, body)
	}
	f := s.agentFixture()
	var bo sb.Agent
	s.must(s.Admin, "POST", "/api/v1/agents", map[string]any{"name": "Bo Chen", "email": "bo@example.com",
		"groups": []int64{f.Queue.ID}, "max_concurrent": 5}, &bo)
	_, boToken, err := httpapi.CreateToken(context.Background(), s.App.DB, s.Clock, "bo", sb.RoleAgent, bo.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace <b>Hopper</b>"}}, &created)
	id := created.Session.ID
	cmd := func(token, name string, body any) {
		t.Helper()
		s.must(token, "POST", fmt.Sprintf("/api/v1/sessions/%d/%s", id, name), body, nil)
	}
	s.Clock.Advance(90 * time.Second) // longer than the queue threshold
	// Ada is offline: the chat is given to her.
	cmd(s.Admin, "assign", map[string]any{"agent_id": f.Agent.ID})
	cmd(f.Token, "connect", map[string]any{})
	cmd(s.Admin, "message", map[string]any{"from": "end_user", "text": "My invoice is wrong."})
	s.Clock.Advance(5 * time.Second)
	cmd(f.Token, "message", map[string]any{"from": "agent", "text": "Let me find billing."})
	s.Clock.Advance(25 * time.Second)
	cmd(f.Token, "transfer", map[string]any{"kind": "agent", "agent_id": bo.ID, "confirm": true})
	cmd(boToken, "transfer-complete", map[string]any{})
	s.Clock.Advance(10 * time.Second)
	cmd(boToken, "message", map[string]any{"from": "agent", "text": "Billing here: fixed."})
	s.Clock.Advance(2 * time.Minute)
	cmd(boToken, "end", map[string]any{"disconnected_by": "agent"})
	cmd(boToken, "invite-rating", nil)
	cmd(s.Admin, "rate", map[string]any{"rating": 4})

	// What the API answers is what the page must show.
	var workload struct {
		Rows []map[string]any `json:"rows"`
	}
	s.must(s.Admin, "GET", "/api/v1/reports/agent-workload?"+s.reportDay(), nil, &workload)
	if len(workload.Rows) != 2 {
		t.Fatalf("agent workload rows = %v, want Ada and Bo", workload.Rows)
	}
	ada, boRow := workload.Rows[0], workload.Rows[1]
	if ada["agent_name"] != "Ada Lovelace" || ada["sessions"] != 1.0 || ada["transfers_out"] != 1.0 || ada["ended"] != 0.0 ||
		boRow["agent_name"] != "Bo Chen" || boRow["sessions"] != 1.0 || boRow["transfers_in"] != 1.0 || boRow["ended"] != 1.0 {
		t.Errorf("agent workload = %v", workload.Rows)
	}

	cellOf := func(report, row, col string) string {
		return fmt.Sprintf(`(() => { const t = document.querySelector('table[data-report=%q]'); if (!t) return "";
			const cols = [...t.tHead.rows[0].cells].map((c) => c.textContent);
			const r = [...t.tBodies[0].rows].find((r) => r.cells[0].textContent === %q);
			return r ? r.cells[cols.indexOf(%q)].textContent : ""; })()`, report, row, col)
	}
	text := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	from, to := s.reportDays()
	err = chromedp.Do(ctx,
		s.signInAdmin("/reports"),
		waitText(".report-head h2", "Agent workload"),
		queryDays(from, to.Add(-24*time.Hour)),
		clickButton(".report-run button.primary", "Show report"),
		waitText(`table[data-report="agent-workload"] tbody th`, "Bo Chen"),
		waitJS(`document.querySelector(".report-chart img").complete && document.querySelector(".report-chart img").naturalWidth > 0`),
		screenshot("reports-agent-workload"),
		whenFound(`document.querySelector(".report-table")`, `el.scrollIntoView()`),
		screenshot("reports-agent-workload-table"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ row, col, want string }{
		{"Ada Lovelace", "Sessions picked up", "1"}, {"Ada Lovelace", "Transferred out", "1"}, {"Ada Lovelace", "Sessions ended", "0"},
		{"Ada Lovelace", "Average session duration", "—"},
		{"Bo Chen", "Sessions picked up", "1"}, {"Bo Chen", "Transferred in", "1"}, {"Bo Chen", "Sessions ended", "1"},
		{"Bo Chen", "Total session duration", fmtMS(boRow["duration"])},
	} {
		if got := text(cellOf("agent-workload", c.row, c.col)); got != c.want {
			t.Errorf("%s / %s = %q, want %q", c.row, c.col, got, c.want)
		}
	}
	if shown := text(`String(!document.querySelector(".report-facts").hidden)`); shown != "false" {
		t.Error("a current report shows the notice of incomplete figures")
	}
	if got := text(`document.querySelector('table[data-report="agent-workload"] tfoot').textContent`); !strings.HasPrefix(got, "Total2") {
		t.Errorf("totals row = %q, want Total then 2 sessions", got)
	}

	// The chart the page shows is the server's SVG of the same query.
	src := text(`document.querySelector(".report-chart img").getAttribute("src")`)
	code, svg := s.send(s.Admin, "GET", src, nil, nil)
	if code != 200 || !strings.Contains(svg, "Bo Chen · Sessions picked up: 1") {
		t.Errorf("chart %s: %d %.300s", src, code, svg)
	}

	// The CSV link downloads the same rows.
	href := text(`document.querySelector(".csv-link").getAttribute("href")`)
	req, _ := http.NewRequest("GET", s.URL+href, nil)
	req.Header.Set("Authorization", "Bearer "+s.Admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || res.StatusCode != 200 || len(recs) != 3 || recs[1][1] != "Ada Lovelace" || recs[2][1] != "Bo Chen" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="agent-workload-`) {
		t.Errorf("CSV %s: %d %v %q", href, res.StatusCode, err, body)
	}

	// The queue count opens the waits behind it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.report-tab[data-name="queues"]`)),
		waitText(`table[data-report="queues"] tbody th`, "Support"),
		waitJS(`document.querySelector(".report-chart img").complete`),
		screenshot("reports-queues"),
		chromedp.Click(chromedp.CSS(`table[data-report="queues"] .queue-count`)),
		waitText(".report-detail table.waits .session-link", fmt.Sprintf("#%d", id)),
		screenshot("reports-queue-sessions"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(`document.querySelector(".report-detail table.waits tbody tr").cells[3].textContent`); got != "Picked up" {
		t.Errorf("the wait's outcome = %q, want Picked up", got)
	}

	// The transfer row links to its session.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.report-tab[data-name="transfers"]`)),
		waitText(`table[data-report="transfers"] tbody`, "Ada Lovelace"),
		screenshot("reports-transfers"),
		chromedp.Click(chromedp.CSS(`table[data-report="transfers"] .session-link`)),
		waitText(".session-dialog .transcript", "Billing here: fixed."),
		screenshot("reports-session"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(`document.querySelector('table[data-report="transfers"] tbody tr').cells[6].textContent`); got != "Bo Chen" {
		t.Errorf("transfer target = %q, want Bo Chen", got)
	}
	if got := text(`document.querySelector(".session-dialog .session-facts").textContent`); !strings.Contains(got, "Grace <b>Hopper</b>") {
		t.Errorf("session facts = %q, want the visitor's name as text", got)
	}
	if got := text(`[...document.querySelectorAll(".session-dialog .transcript .who")].map((e) => e.textContent).join("|")`); !strings.HasPrefix(got, "Grace <b>Hopper</b>|Ada Lovelace|Bo Chen") {
		t.Errorf("transcript speakers = %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".session-dialog button.primary")), chromedp.WaitNotPresent(chromedp.CSS(".session-dialog"))); err != nil {
		t.Fatal(err)
	}

	// Every other report opens with its table or its empty state.
	for _, name := range []string{"agent-satisfaction", "group-workload", "group-satisfaction", "channels", "service-level"} {
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.report-tab[data-name="`+name+`"]`)),
			waitJS(`!!document.querySelector('table[data-report="`+name+`"]') || !!document.querySelector(".report-table .empty")`),
			waitJS(`document.querySelector(".report-chart img").complete`),
			screenshot("reports-"+name),
		)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if problem := text(`document.querySelector(".report-table .form-error")?.textContent || ""`); problem != "" {
			t.Errorf("%s: %s", name, problem)
		}
	}
}

// fmtMS is the page's duration format (reports-defs.js).
func fmtMS(v any) string {
	ms, _ := v.(float64)
	if ms < 60000 {
		return fmt.Sprintf("%.1f s", float64(int64(ms/100+0.5))/10)
	}
	s := int64(ms/1000 + 0.5)
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
}

// TestReportsNarrowByAssociation picks one web plugin in the query area:
// the channel report then counts only the chats that came through it.
func TestReportsNarrowByAssociation(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	for _, p := range []map[string]any{
		{"name": "Shop", "entry": "shop", "theme_color": "#2563eb", "title": "Shop help"},
		{"name": "Docs", "entry": "docs", "theme_color": "#059669", "title": "Docs help"},
	} {
		s.must(s.Admin, "POST", "/api/v1/web-plugins", p, nil)
	}
	// Two chats through the shop, one through the docs; every one waits
	// and is given up.
	for i, entry := range []string{"shop", "shop", "docs"} {
		var created struct {
			Session struct {
				ID int64 `json:"id"`
			} `json:"session"`
		}
		s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID, "entry": entry,
			"end_user": map[string]any{"identifier": fmt.Sprintf("v-%d", i)}}, &created)
		s.Clock.Advance(30 * time.Second)
		s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/end", created.Session.ID), map[string]any{"disconnected_by": "end_user"}, nil)
	}
	inquiries := `(() => { const t = document.querySelector('table[data-report="channels"]'); if (!t) return "";
		const cols = [...t.tHead.rows[0].cells].map((c) => c.textContent);
		return t.tBodies[0].rows[0].cells[cols.indexOf("Inquiries")].textContent; })()`
	from, to := s.reportDays()
	err := chromedp.Do(ctx,
		s.signInAdmin("/reports"),
		chromedp.Click(chromedp.CSS(`.report-tab[data-name="channels"]`)),
		queryDays(from, to.Add(-24*time.Hour)),
		clickButton(".report-run button.primary", "Show report"),
		waitJS(inquiries+` === "3"`),
		// The associations are the plugins, by name.
		chromedp.Click(chromedp.CSS(`details.pick[data-name="entry"] summary`)),
		waitText(`details.pick[data-name="entry"] .pick-list`, "Shop (shop)"),
		chromedp.Click(chromedp.CSS(`details.pick[data-name="entry"] input[value="shop"]`)),
		waitText(`details.pick[data-name="entry"] summary`, "Shop (shop)"),
		clickButton(".report-run button.primary", "Show report"),
		waitJS(inquiries+` === "2"`),
		screenshot("reports-by-association"),
	)
	if err != nil {
		t.Fatal(err)
	}
}

// queryDays sets the first and last day of the report query, once the
// query form is there.
func queryDays(first, last time.Time) chromedp.Action[chromedp.Void] {
	return whenFound(`document.querySelector("form.report-query input[name=to]")`,
		fmt.Sprintf(`document.querySelector("form.report-query input[name=from]").value = %q; el.value = %q`, first.Format(time.DateOnly), last.Format(time.DateOnly)))
}

// While the server rebuilds the report facts, a report counts only the
// sessions built so far; the page says so above the figures, as the
// API's answer does. The rebuild's state comes from the server's report
// freshness (report.Projector.Sync), here held at 400 of 1,000 sessions.
func TestReportsPageSaysTheFiguresAreIncomplete(t *testing.T) {
	ctx := newBrowser(t)
	s := startStackWith(t, func(a *app.App) {
		a.API.ReportSync = func(context.Context) (report.Freshness, error) {
			return report.Freshness{Rebuilding: true, SessionsBuilt: 400, SessionsTotal: 1000}, nil
		}
	})
	err := chromedp.Do(ctx,
		s.signInAdmin("/reports"),
		waitText(".report-head h2", "Agent workload"),
		waitJS(`!document.querySelector(".report-facts").hidden`),
		screenshot("reports-rebuilding"),
	)
	if err != nil {
		t.Fatal(err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".report-facts").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	want := "The report data is being rebuilt: 400 of about 1,000 sessions counted so far (40%)."
	if !strings.HasPrefix(notice, want) {
		t.Errorf("notice %q, want it to start %q", notice, want)
	}
	code, body := s.send(s.Admin, "GET", "/api/v1/reports/agent-workload?"+s.reportDay(), nil, nil)
	if code != 200 || !strings.Contains(body, `"facts":{"current":false,"rebuilding":true,"sessions_built":400,"sessions_total":1000`) {
		t.Errorf("the API answered %d %.300s", code, body)
	}
}
