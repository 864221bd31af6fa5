package httpapi

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/service"
)

// Wallboard is the live supervisor view: every group's queue and agents
// as routing sees them now, and the service figures of the day so far.
type Wallboard struct {
	// At is when routing was read (the server clock).
	At time.Time `json:"at"`
	// TimeZone is the IANA zone whose midnight starts "today".
	TimeZone string `json:"tz"`
	// TodayFrom is that midnight.
	TodayFrom           time.Time `json:"today_from"`
	WithinSeconds       int64     `json:"within_seconds"`
	ShortAbandonSeconds int64     `json:"short_abandon_seconds"`
	// Groups are the skill groups (queues) by ID.
	Groups []WallboardGroup `json:"groups"`
	// Totals add up every group; agents count once however many groups
	// they are in.
	Totals WallboardFigures `json:"totals"`
	// Agents are every agent, by ID.
	Agents []WallboardAgent `json:"agents"`
}

// WallboardGroup is one group's tile.
type WallboardGroup struct {
	GroupID int64  `json:"group_id"`
	Name    string `json:"name"`
	WallboardFigures
}

// WallboardFigures are a group's (or all groups') figures.
type WallboardFigures struct {
	// Waiting is how many sessions wait in the queue now.
	Waiting int `json:"waiting"`
	// LongestWaitSeconds is how long the session waiting longest has
	// waited so far (0 when none waits).
	LongestWaitSeconds int64 `json:"longest_wait_seconds"`
	// Agents counts the members by status.
	Agents AgentCounts `json:"agents"`
	// Load is how many sessions the members hold; Capacity how many the
	// members who can take sessions (online or invisible) may hold at
	// once, and Free how many more those can take now.
	Load     int `json:"load"`
	Capacity int `json:"capacity"`
	Free     int `json:"free"`
	// Today is the day's service figures; null without a report store.
	Today *TodayFigures `json:"today"`
}

// AgentCounts counts agents by status.
type AgentCounts struct {
	Online    int `json:"online"`
	Invisible int `json:"invisible"`
	Busy      int `json:"busy"`
	Away      int `json:"away"`
	Offline   int `json:"offline"`
}

func (c *AgentCounts) add(s sb.AgentStatus) {
	switch s {
	case sb.AgentOnline:
		c.Online++
	case sb.AgentInvisible:
		c.Invisible++
	case sb.AgentBusy:
		c.Busy++
	case sb.AgentAway:
		c.Away++
	default:
		c.Offline++
	}
}

// WallboardAgent is one agent as routing sees it.
type WallboardAgent struct {
	AgentID  int64          `json:"agent_id"`
	Name     string         `json:"name"`
	Status   sb.AgentStatus `json:"status"`
	Load     int            `json:"load"`
	Capacity int            `json:"capacity"`
	Groups   []int64        `json:"groups"`
}

// TodayFigures are the service figures of the queue waits that began
// since midnight and have ended, from the report store's service-level
// sums.
type TodayFigures struct {
	// Offered waits ended in any way; Answered were picked up,
	// AnsweredWithin within the target; Abandoned were given up or
	// dropped, ShortAbandons of them sooner than short_abandon.
	Offered        int `json:"offered"`
	Answered       int `json:"answered"`
	AnsweredWithin int `json:"answered_within"`
	Abandoned      int `json:"abandoned"`
	ShortAbandons  int `json:"short_abandons"`
	// ServiceLevel is AnsweredWithin / (Offered − ShortAbandons), a
	// fraction; null when nothing counts.
	ServiceLevel *float64 `json:"service_level"`
	// AnswerWaitMS is the total wait of the answered waits and
	// AverageAnswerMS its average (the average speed of answer), null
	// when none was answered.
	AnswerWaitMS    int64  `json:"answer_wait_ms"`
	AverageAnswerMS *int64 `json:"average_answer_ms"`
	// LongestWaitMS is the longest of the day's ended waits.
	LongestWaitMS int64 `json:"longest_wait_ms"`
}

func (t *TodayFigures) add(o TodayFigures) {
	t.Offered += o.Offered
	t.Answered += o.Answered
	t.AnsweredWithin += o.AnsweredWithin
	t.Abandoned += o.Abandoned
	t.ShortAbandons += o.ShortAbandons
	t.AnswerWaitMS += o.AnswerWaitMS
	t.LongestWaitMS = max(t.LongestWaitMS, o.LongestWaitMS)
}

// derive computes the rates from the sums, as the service-level report
// does.
func (t *TodayFigures) derive() {
	_, r := report.ServiceLevel([]sb.IntervalRow{{Offered: t.Offered, Answered: t.Answered, AnsweredWithin: t.AnsweredWithin,
		AnswerMS: t.AnswerWaitMS, Abandoned: t.Abandoned, ShortAbandons: t.ShortAbandons, LongestMS: t.LongestWaitMS}})
	t.ServiceLevel, t.AverageAnswerMS = r.ServiceLevel, r.AvgAnswerMS
}

// Wallboard parameter limits and defaults.
const (
	defaultWithin       = 20 * time.Second
	defaultShortAbandon = 5 * time.Second
	maxWallboardSeconds = 3600
	maxTimeZoneLen      = 64
)

// wallboardParams are a wallboard's query. They are comparable, so that
// subscribers asking the same share one computation.
type wallboardParams struct {
	tz           string
	within       time.Duration
	shortAbandon time.Duration
}

// newWallboardParams checks a wallboard's query: tz an IANA zone name
// ("" for UTC), within 1 to 3600 seconds, short_abandon 0 to 3600.
func newWallboardParams(tz string, within, shortAbandon int64) (wallboardParams, error) {
	if tz == "" {
		tz = "UTC"
	}
	if _, err := loadZone(tz); err != nil {
		return wallboardParams{}, err
	}
	if within < 1 || within > maxWallboardSeconds {
		return wallboardParams{}, sb.Errorf(sb.EINVALID, "within must be an integer from 1 to %d (seconds)", maxWallboardSeconds)
	}
	if shortAbandon < 0 || shortAbandon > maxWallboardSeconds {
		return wallboardParams{}, sb.Errorf(sb.EINVALID, "short_abandon must be an integer from 0 to %d (seconds)", maxWallboardSeconds)
	}
	return wallboardParams{tz: tz, within: time.Duration(within) * time.Second, shortAbandon: time.Duration(shortAbandon) * time.Second}, nil
}

// zones caches the time zones loaded, by name: a few hundred at most, as
// only valid names are kept.
var zones sync.Map

// loadZone loads an IANA time zone. "Local" is refused: it would be the
// server's zone, which the caller cannot know.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name != "Local" && len(name) <= maxTimeZoneLen {
		if loc, err := time.LoadLocation(name); err == nil {
			zones.Store(name, loc)
			return loc, nil
		}
	}
	return nil, sb.Errorf(sb.EINVALID, "tz must be an IANA time zone name such as Europe/Paris")
}

// wallboardQuery reads the parameters of GET /api/v1/wallboard.
func wallboardQuery(r *http.Request) (wallboardParams, error) {
	within, err := queryRange(r, "within", int64(defaultWithin/time.Second), 1, maxWallboardSeconds)
	if err != nil {
		return wallboardParams{}, err
	}
	short, err := queryRange(r, "short_abandon", int64(defaultShortAbandon/time.Second), 0, maxWallboardSeconds)
	if err != nil {
		return wallboardParams{}, err
	}
	q := r.URL.Query()
	if q.Has("tz") && q.Get("tz") == "" {
		return wallboardParams{}, sb.Errorf(sb.EINVALID, "tz must be an IANA time zone name such as Europe/Paris")
	}
	return newWallboardParams(q.Get("tz"), within, short)
}

// getWallboard answers the wallboard now.
func (s *Server) getWallboard(w http.ResponseWriter, r *http.Request) error {
	p, err := wallboardQuery(r)
	if err != nil {
		return err
	}
	live, err := s.readWallboard(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.buildWallboard(r.Context(), live, p, s.todayFigures))
	return nil
}

// wallboardLive is routing's state as the wallboard shows it: what the
// directory names and what the router holds, read at one instant.
type wallboardLive struct {
	at     time.Time
	groups []sb.Queue
	queues map[int64]service.QueueStats
	agents []WallboardAgent
}

// readWallboard reads the groups and agents from the directory, and their
// queues and loads from the router in the goroutine that owns it.
func (s *Server) readWallboard(ctx context.Context) (wallboardLive, error) {
	if s.Routing == nil {
		return wallboardLive{}, errNoRouting
	}
	live := wallboardLive{groups: s.Directory.Queues(), queues: map[int64]service.QueueStats{}}
	agents := s.Directory.Agents()
	view, err := s.Routing.View(ctx)
	if err != nil {
		return wallboardLive{}, err
	}
	live.at = view.At
	for _, q := range view.Queues {
		live.queues[q.GroupID] = q
	}
	loads := make(map[int64]service.AgentLoad, len(view.Loads))
	for _, l := range view.Loads {
		loads[l.AgentID] = l
	}
	live.agents = make([]WallboardAgent, len(agents))
	for i, a := range agents {
		l := loads[a.ID]
		if l.Capacity == 0 { // not known to routing yet
			l.Capacity = a.MaxConcurrent
		}
		live.agents[i] = WallboardAgent{AgentID: a.ID, Name: a.Name, Status: a.Status, Load: l.Load, Capacity: l.Capacity,
			Groups: slices.Clone(a.Groups)}
		if live.agents[i].Groups == nil {
			live.agents[i].Groups = []int64{}
		}
	}
	return live, nil
}

// same reports whether two reads show the same state; the time of the
// read is left out, so that only a change of routing state counts.
func (l wallboardLive) same(o wallboardLive) bool {
	if len(l.queues) != len(o.queues) {
		return false
	}
	for id, q := range l.queues {
		p, ok := o.queues[id]
		if !ok || p.Waiting != q.Waiting || !p.Oldest.Equal(q.Oldest) {
			return false
		}
	}
	return slices.EqualFunc(l.groups, o.groups, func(a, b sb.Queue) bool { return a.ID == b.ID && a.Name == b.Name }) &&
		slices.EqualFunc(l.agents, o.agents, func(a, b WallboardAgent) bool {
			return a.AgentID == b.AgentID && a.Name == b.Name && a.Status == b.Status && a.Load == b.Load &&
				a.Capacity == b.Capacity && slices.Equal(a.Groups, b.Groups)
		})
}

// todayFunc answers each group's figures of the day from midnight (from)
// to now; nil figures leave them out.
type todayFunc func(ctx context.Context, from, now time.Time, groups []sb.Queue, p wallboardParams) (map[int64]TodayFigures, error)

// buildWallboard lays a read of routing out by group, with the day's
// figures from today. A report store that fails leaves the day's figures
// out rather than the live ones.
func (s *Server) buildWallboard(ctx context.Context, live wallboardLive, p wallboardParams, todayOf todayFunc) *Wallboard {
	loc, err := loadZone(p.tz)
	if err != nil { // checked when the parameters were read
		loc = time.UTC
	}
	local := live.at.In(loc)
	y, m, d := local.Date()
	wb := &Wallboard{At: live.at, TimeZone: p.tz, TodayFrom: time.Date(y, m, d, 0, 0, 0, 0, loc),
		WithinSeconds: int64(p.within / time.Second), ShortAbandonSeconds: int64(p.shortAbandon / time.Second),
		Groups: make([]WallboardGroup, 0, len(live.groups)), Agents: live.agents}
	today, err := todayOf(ctx, wb.TodayFrom, live.at, live.groups, p)
	if err != nil {
		s.log.Warn("wallboard: today's figures", "err", err)
		today = nil
	}
	if today != nil {
		wb.Totals.Today = &TodayFigures{}
	}
	for _, g := range live.groups {
		q := live.queues[g.ID]
		f := WallboardFigures{Waiting: q.Waiting, LongestWaitSeconds: waitedSeconds(q, live.at)}
		for _, a := range live.agents {
			if slices.Contains(a.Groups, g.ID) {
				f.count(a)
			}
		}
		if today != nil {
			t := today[g.ID]
			t.derive()
			f.Today = &t
			wb.Totals.Today.add(t)
		}
		wb.Totals.Waiting += f.Waiting
		wb.Totals.LongestWaitSeconds = max(wb.Totals.LongestWaitSeconds, f.LongestWaitSeconds)
		wb.Groups = append(wb.Groups, WallboardGroup{GroupID: g.ID, Name: g.Name, WallboardFigures: f})
	}
	for _, a := range live.agents {
		wb.Totals.count(a)
	}
	if wb.Totals.Today != nil {
		wb.Totals.Today.derive()
	}
	return wb
}

// count adds an agent to the figures.
func (f *WallboardFigures) count(a WallboardAgent) {
	f.Agents.add(a.Status)
	f.Load += a.Load
	if a.Status == sb.AgentOnline || a.Status == sb.AgentInvisible {
		f.Capacity += a.Capacity
		f.Free += max(a.Capacity-a.Load, 0)
	}
}

// waitedSeconds is how long a queue's longest wait has lasted at now.
func waitedSeconds(q service.QueueStats, now time.Time) int64 {
	if q.Waiting == 0 || q.Oldest.IsZero() {
		return 0
	}
	return max(int64(now.Sub(q.Oldest)/time.Second), 0)
}

// todayFigures adds up each group's service-level rows from midnight to
// now. It answers nil without a report store. It brings the store up to
// date first (ReportSync), so that the figures include every committed
// event; that costs one catch-up, and one query a group.
func (s *Server) todayFigures(ctx context.Context, from, now time.Time, groups []sb.Queue, p wallboardParams) (map[int64]TodayFigures, error) {
	if s.Reports == nil {
		return nil, nil
	}
	out := make(map[int64]TodayFigures, len(groups))
	if !now.After(from) {
		return out, nil
	}
	if s.ReportSync != nil {
		if _, err := s.ReportSync(ctx); err != nil {
			return nil, err
		}
	}
	opts := sb.ServiceLevelOptions{Interval: time.Hour, Within: p.within, ShortAbandon: p.shortAbandon}
	for _, g := range groups {
		rows, err := s.Reports.ServiceLevel(ctx, sb.ReportQuery{From: from, To: now, GroupIDs: []int64{g.ID}}, opts)
		if err != nil {
			return nil, err
		}
		var t TodayFigures
		for _, r := range rows {
			t.add(TodayFigures{Offered: r.Offered, Answered: r.Answered, AnsweredWithin: r.AnsweredWithin, Abandoned: r.Abandoned,
				ShortAbandons: r.ShortAbandons, AnswerWaitMS: r.AnswerMS, LongestWaitMS: r.LongestMS})
		}
		out[g.ID] = t
	}
	return out, nil
}
