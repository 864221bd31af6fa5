package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/sqlite"
)

// slStore is a report store that answers the service-level report from
// fixed rows by group and records the queries it gets.
type slStore struct {
	sb.ReportStore // the other reports are not used
	rows           map[int64][]sb.IntervalRow
	mu             sync.Mutex
	queries        []sb.ReportQuery
	opts           []sb.ServiceLevelOptions
}

func (f *slStore) ServiceLevel(_ context.Context, q sb.ReportQuery, o sb.ServiceLevelOptions) ([]sb.IntervalRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	f.opts = append(f.opts, o)
	if len(q.GroupIDs) != 1 {
		return nil, fmt.Errorf("want one group, got %v", q.GroupIDs)
	}
	return f.rows[q.GroupIDs[0]], nil
}

// wallStack is the whole application (routing included) on a virtual
// clock at t0, with two groups — Support (1) and Sales (2) — and two agents:
// Noam (1) in Support, online, who takes one session at a time, and Alex
// (2) in both, away. Session 1 waits in Support since t0 until Noam takes
// it at once; session 2 waits in Support since t0+10s and session 3 in
// Sales since t0+20s. The clock then stands at t0+70s.
func wallStack(t *testing.T, reports sb.ReportStore) (*stack, *app.App) {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	dir := t.TempDir()
	a, err := app.Open(ctx, app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		Clock: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.API.Reports = reports
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	s := &stack{t: t, db: a.DB.(*sqlite.DB), eng: a.Engine, clock: c, srv: srv, tokens: map[string]string{}}
	for _, role := range []string{sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegration} {
		_, secret, err := httpapi.CreateToken(ctx, a.DB, c, role, role, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		s.tokens[role] = secret
	}
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Support"}`, 201)
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Sales"}`, 201)
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Noam B","email":"noam@example.com","groups":[1],"max_concurrent":1}`, 201)
	s.mustDo("admin", "POST", "/api/v1/agents", `{"name":"Alex B","email":"alex@example.com","groups":[1,2],"max_concurrent":3}`, 201)
	_, secret, err := httpapi.CreateToken(ctx, a.DB, c, "Noam", sb.RoleAgent, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["agent"] = secret
	s.mustDo("admin", "POST", "/api/v1/agents/1/status", `{"status":"online"}`, 200)
	s.mustDo("admin", "POST", "/api/v1/agents/2/status", `{"status":"away"}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	c.Advance(10 * time.Second)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	c.Advance(10 * time.Second)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":2}`, 201)
	c.Advance(50 * time.Second)
	return s, a
}

func getWallboard(t *testing.T, s *stack, query string) httpapi.Wallboard {
	t.Helper()
	var wb httpapi.Wallboard
	if err := json.Unmarshal(s.mustDo("supervisor", "GET", "/api/v1/wallboard"+query, "", 200).Body, &wb); err != nil {
		t.Fatal(err)
	}
	return wb
}

// figures is the part of a tile the tests compare.
type figures struct {
	Waiting            int
	Longest            int64
	Agents             httpapi.AgentCounts
	Load, Capacity, Fr int
}

func figuresOf(f httpapi.WallboardFigures) figures {
	return figures{f.Waiting, f.LongestWaitSeconds, f.Agents, f.Load, f.Capacity, f.Free}
}

func TestWallboardShowsEachGroupsQueueAndAgentsNow(t *testing.T) {
	s, _ := wallStack(t, nil)
	wb := getWallboard(t, s, "")
	if !wb.At.Equal(t0.Add(70*time.Second)) || wb.TimeZone != "UTC" || !wb.TodayFrom.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) ||
		wb.WithinSeconds != 20 || wb.ShortAbandonSeconds != 5 {
		t.Errorf("header: at %v tz %q from %v within %d short %d", wb.At, wb.TimeZone, wb.TodayFrom, wb.WithinSeconds, wb.ShortAbandonSeconds)
	}
	if len(wb.Groups) != 2 || wb.Groups[0].Name != "Support" || wb.Groups[1].Name != "Sales" {
		t.Fatalf("groups: %+v", wb.Groups)
	}
	want := []figures{
		// Support: session 2 waits (70 s − 10 s); Noam holds session 1, full.
		{Waiting: 1, Longest: 60, Agents: httpapi.AgentCounts{Online: 1, Away: 1}, Load: 1, Capacity: 1, Fr: 0},
		// Sales: session 3 waits; only Alex, away.
		{Waiting: 1, Longest: 50, Agents: httpapi.AgentCounts{Away: 1}},
	}
	for i, g := range wb.Groups {
		if got := figuresOf(g.WallboardFigures); got != want[i] {
			t.Errorf("%s: %+v, want %+v", g.Name, got, want[i])
		}
		if g.Today != nil {
			t.Errorf("%s: today's figures without a report store: %+v", g.Name, g.Today)
		}
	}
	totals := figures{Waiting: 2, Longest: 60, Agents: httpapi.AgentCounts{Online: 1, Away: 1}, Load: 1, Capacity: 1}
	if got := figuresOf(wb.Totals); got != totals || wb.Totals.Today != nil {
		t.Errorf("totals %+v (today %v), want %+v", got, wb.Totals.Today, totals)
	}
	if len(wb.Agents) != 2 || wb.Agents[0].Name != "Noam B" || wb.Agents[0].Load != 1 || wb.Agents[0].Capacity != 1 ||
		wb.Agents[1].Status != sb.AgentAway || !slices.Equal(wb.Agents[1].Groups, []int64{1, 2}) {
		t.Errorf("agents: %+v", wb.Agents)
	}

	// Alex comes online and picks up both waiting sessions; the clocks
	// stop, the loads move.
	s.mustDo("admin", "POST", "/api/v1/agents/2/status", `{"status":"online"}`, 200)
	s.clock.Advance(3 * time.Second)
	wb = getWallboard(t, s, "")
	want = []figures{
		{Waiting: 0, Agents: httpapi.AgentCounts{Online: 2}, Load: 3, Capacity: 4, Fr: 1},
		{Waiting: 0, Agents: httpapi.AgentCounts{Online: 1}, Load: 2, Capacity: 3, Fr: 1},
	}
	for i, g := range wb.Groups {
		if got := figuresOf(g.WallboardFigures); got != want[i] {
			t.Errorf("after the pick-ups, %s: %+v, want %+v", g.Name, got, want[i])
		}
	}
	if got := figuresOf(wb.Totals); got != (figures{Agents: httpapi.AgentCounts{Online: 2}, Load: 3, Capacity: 4, Fr: 1}) {
		t.Errorf("after the pick-ups, totals %+v", got)
	}
}

func TestWallboardTodayComesFromTheServiceLevelSums(t *testing.T) {
	reports := &slStore{rows: map[int64][]sb.IntervalRow{
		1: {
			{Offered: 3, Answered: 2, AnsweredWithin: 1, AnswerMS: 30000, Abandoned: 1, ShortAbandons: 1, LongestMS: 40000},
			{Offered: 1, Answered: 1, AnsweredWithin: 1, AnswerMS: 5001, LongestMS: 5001},
		},
	}}
	s, _ := wallStack(t, reports)
	// 09:01 UTC is 18:01 in Tokyo: its day began at 15:00 UTC the day before.
	wb := getWallboard(t, s, "?tz=Asia/Tokyo&within=30&short_abandon=10")
	tokyo := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	if wb.TimeZone != "Asia/Tokyo" || !wb.TodayFrom.Equal(tokyo) || wb.WithinSeconds != 30 || wb.ShortAbandonSeconds != 10 {
		t.Errorf("header: tz %q from %v within %d short %d", wb.TimeZone, wb.TodayFrom, wb.WithinSeconds, wb.ShortAbandonSeconds)
	}
	if _, off := wb.TodayFrom.Zone(); off != 9*3600 {
		t.Errorf("today_from is not given in the zone: %v", wb.TodayFrom)
	}
	now := t0.Add(70 * time.Second)
	if len(reports.queries) != 2 {
		t.Fatalf("%d service-level queries, want one a group", len(reports.queries))
	}
	for i, q := range reports.queries {
		if !q.From.Equal(tokyo) || !q.To.Equal(now) || !slices.Equal(q.GroupIDs, []int64{int64(i + 1)}) {
			t.Errorf("query %d: from %v to %v groups %v", i, q.From, q.To, q.GroupIDs)
		}
		if o := reports.opts[i]; o.Within != 30*time.Second || o.ShortAbandon != 10*time.Second || o.Interval != time.Hour {
			t.Errorf("options %d: %+v", i, o)
		}
	}
	support := wb.Groups[0].Today
	if support == nil || support.Offered != 4 || support.Answered != 3 || support.AnsweredWithin != 2 || support.Abandoned != 1 ||
		support.ShortAbandons != 1 || support.AnswerWaitMS != 35001 || support.LongestWaitMS != 40000 {
		t.Fatalf("Support today: %+v", support)
	}
	// 2 answered within / (4 offered − 1 short abandon); 35001 ms / 3 rounds to 11667.
	if support.ServiceLevel == nil || *support.ServiceLevel != 2.0/3 || support.AverageAnswerMS == nil || *support.AverageAnswerMS != 11667 {
		t.Errorf("Support service level %v, average answer %v", support.ServiceLevel, support.AverageAnswerMS)
	}
	sales := wb.Groups[1].Today
	if sales == nil || sales.Offered != 0 || sales.ServiceLevel != nil || sales.AverageAnswerMS != nil {
		t.Errorf("Sales today: %+v", sales)
	}
	total := wb.Totals.Today
	if total == nil || total.Offered != 4 || total.ServiceLevel == nil || *total.ServiceLevel != 2.0/3 || *total.AverageAnswerMS != 11667 {
		t.Errorf("totals today: %+v", total)
	}

	// New York's day began at 05:00 UTC; the defaults apply.
	reports.queries = nil
	wb = getWallboard(t, s, "?tz=America/New_York")
	if ny := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC); !wb.TodayFrom.Equal(ny) || !reports.queries[0].From.Equal(ny) {
		t.Errorf("New York: today from %v, queried from %v", wb.TodayFrom, reports.queries[0].From)
	}
	if o := reports.opts[len(reports.opts)-1]; o.Within != 20*time.Second || o.ShortAbandon != 5*time.Second {
		t.Errorf("default options: %+v", o)
	}
}

func TestWallboardRefusesBadParametersAndRoles(t *testing.T) {
	s, _ := wallStack(t, nil)
	for _, q := range []string{"?tz=Mars/Olympus", "?tz=", "?tz=Local", "?tz=../../etc/passwd", "?within=0", "?within=3601",
		"?within=twenty", "?within=2.5", "?short_abandon=-1", "?short_abandon=3601"} {
		r := s.do("supervisor", "GET", "/api/v1/wallboard"+q, "")
		if r.Status != 400 || r.errCode(t) != sb.EINVALID {
			t.Errorf("%s: status %d %s", q, r.Status, r.Body)
		}
	}
	for as, want := range map[string]int{"agent": 403, "integration": 403, "nobody": 401, "admin": 200, "supervisor": 200} {
		if r := s.do(as, "GET", "/api/v1/wallboard?tz=Europe/Paris&within=1&short_abandon=0", ""); r.Status != want {
			t.Errorf("as %s: status %d, want %d: %s", as, r.Status, want, r.Body)
		}
	}
}

// wallboardOf decodes a wallboard frame.
func wallboardOf(t *testing.T, m map[string]any) httpapi.Wallboard {
	t.Helper()
	if m["op"] != "wallboard" {
		t.Fatalf("not a wallboard frame: %v", m)
	}
	b, _ := json.Marshal(m["wallboard"])
	var wb httpapi.Wallboard
	if err := json.Unmarshal(b, &wb); err != nil {
		t.Fatal(err)
	}
	return wb
}

// quiet checks that no frame is queued for w: a ping's pong comes next.
func (w *wsClient) quiet() {
	w.t.Helper()
	w.send(`{"op":"ping","ref":"q"}`)
	if m := w.next(); m["op"] != "pong" {
		w.t.Fatalf("a frame was queued: %v", m)
	}
}

func TestWallboardOverWebSocket(t *testing.T) {
	s, a := wallStack(t, nil)
	ticks := httpapi.WallboardTicks(a.API)
	tick := func(d time.Duration) {
		t.Helper()
		s.clock.Advance(d)
		<-ticks
	}

	// Agents may not subscribe; parameters are checked like the query's.
	agent := s.dialWS("agent")
	agent.send(`{"op":"subscribe_wallboard","ref":"w"}`)
	if m := agent.next(); agent.errCode(m) != sb.EFORBIDDEN || m["ref"] != "w" {
		t.Errorf("agent: %v", m)
	}
	sup := s.dialWS("supervisor")
	for frame, code := range map[string]string{
		`{"op":"subscribe_wallboard","tz":"Nowhere/City"}`: sb.EINVALID,
		`{"op":"subscribe_wallboard","tz":""}`:             sb.EINVALID,
		`{"op":"subscribe_wallboard","within":0}`:          sb.EINVALID,
		`{"op":"subscribe_wallboard","short_abandon":-1}`:  sb.EINVALID,
		`{"op":"subscribe_wallboard","session_id":1}`:      sb.EINVALID,
		`{"op":"unsubscribe_wallboard"}`:                   sb.ENOTFOUND,
	} {
		sup.send(frame)
		if got := sup.errCode(sup.next()); got != code {
			t.Errorf("%s: %s, want %s", frame, got, code)
		}
	}

	// A subscriber gets the wallboard at once.
	sup.send(`{"op":"subscribe_wallboard","ref":"wb","tz":"Europe/Paris","within":30}`)
	if m := sup.expect("subscribed"); m["ref"] != "wb" {
		t.Errorf("subscribed: %v", m)
	}
	wb := wallboardOf(t, sup.next())
	if wb.TimeZone != "Europe/Paris" || wb.WithinSeconds != 30 || wb.Groups[0].Waiting != 1 || wb.Groups[0].LongestWaitSeconds != 60 {
		t.Fatalf("first frame: %+v", wb)
	}

	// A change goes out on the next tick; no change, no frame.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	tick(time.Second)
	if wb = wallboardOf(t, sup.next()); wb.Groups[0].Waiting != 2 || wb.Groups[0].LongestWaitSeconds != 61 {
		t.Fatalf("after a session joined: %+v", wb.Groups[0])
	}
	tick(time.Second)
	sup.quiet()

	// A second supervisor joins half a tick later. Both see the next
	// change, each no sooner than a second after its last frame.
	s.clock.Advance(500 * time.Millisecond)
	sup2 := s.dialWS("supervisor")
	sup2.send(`{"op":"subscribe_wallboard"}`)
	sup2.expect("subscribed")
	if wb = wallboardOf(t, sup2.next()); wb.TimeZone != "UTC" || wb.Groups[0].Waiting != 2 {
		t.Fatalf("second supervisor's first frame: %+v", wb)
	}
	s.mustDo("admin", "POST", "/api/v1/agents/2/status", `{"status":"busy"}`, 200)
	tick(500 * time.Millisecond)
	if wb = wallboardOf(t, sup.next()); wb.Groups[0].Agents.Busy != 1 || wb.Groups[0].Agents.Away != 0 {
		t.Fatalf("after Alex turned busy: %+v", wb.Groups[0])
	}
	sup2.quiet() // its last frame is half a second old
	tick(time.Second)
	if wb = wallboardOf(t, sup2.next()); wb.Groups[0].Agents.Busy != 1 {
		t.Fatalf("second supervisor after Alex turned busy: %+v", wb.Groups[0])
	}
	sup.quiet()

	// Without changes the wallboard still comes every 5 s, clocks moved on.
	for range 3 {
		tick(time.Second)
		sup.quiet()
	}
	tick(time.Second)
	if wb = wallboardOf(t, sup.next()); wb.Groups[0].LongestWaitSeconds != 60+1+1+1+1+1+1+1+1 || wb.Groups[0].Waiting != 2 {
		t.Fatalf("refresh: %+v", wb.Groups[0])
	}

	// After unsubscribing, nothing more comes.
	sup.send(`{"op":"unsubscribe_wallboard","ref":"u"}`)
	if m := sup.expect("unsubscribed"); m["ref"] != "u" {
		t.Errorf("unsubscribed: %v", m)
	}
	s.mustDo("admin", "POST", "/api/v1/agents/2/status", `{"status":"away"}`, 200)
	for range 6 {
		tick(time.Second)
	}
	sup.quiet()

	// When the last subscriber leaves, the ticks stop.
	sup2.send(`{"op":"unsubscribe_wallboard"}`)
	for m := sup2.next(); m["op"] != "unsubscribed"; m = sup2.next() {
		wallboardOf(t, m) // the frames of the last ticks
	}
	if n := s.clock.Timers(); n != 0 {
		t.Errorf("%d ticks still scheduled with nobody subscribed", n)
	}
}

func (f *slStore) asked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.queries)
}

// Live frames carry today's figures, and however often routing changes
// the report store is asked at most every WallboardRefresh.
func TestWallboardFramesAskTheReportsAtMostEveryRefresh(t *testing.T) {
	reports := &slStore{rows: map[int64][]sb.IntervalRow{2: {{Offered: 5, Answered: 4, AnsweredWithin: 4, AnswerMS: 4000}}}}
	s, a := wallStack(t, reports)
	ticks := httpapi.WallboardTicks(a.API)
	sup := s.dialWS("supervisor")
	sup.send(`{"op":"subscribe_wallboard"}`)
	sup.expect("subscribed")
	wb := wallboardOf(t, sup.next())
	if sales := wb.Groups[1].Today; sales == nil || sales.Offered != 5 || *sales.ServiceLevel != 0.8 || *sales.AverageAnswerMS != 1000 {
		t.Fatalf("Sales today: %+v", sales)
	}
	if n := reports.asked(); n != 2 {
		t.Fatalf("asked %d times for the first frame, want once a group", n)
	}
	for i := range 5 {
		if i == 4 {
			if n := reports.asked(); n != 2 {
				t.Fatalf("asked %d times within 5 s, want 2", n)
			}
		}
		status := []string{"busy", "away"}[i%2]
		s.mustDo("admin", "POST", "/api/v1/agents/2/status", `{"status":"`+status+`"}`, 200)
		s.clock.Advance(time.Second)
		<-ticks
		if wb = wallboardOf(t, sup.next()); wb.Groups[1].Today == nil || wb.Groups[1].Today.Offered != 5 {
			t.Fatalf("frame %d: %+v", i, wb.Groups[1])
		}
	}
	if n := reports.asked(); n != 4 {
		t.Fatalf("asked %d times after 5 s, want 4", n)
	}
}
