// Package worktime evaluates named work-time plans (SPEC §4.1): weekly work
// hours, custom work days and holidays, all in the plan's own time zone.
// Skill groups use a plan to tell whether a session arrives in work hours
// (SPEC §4.5), and NextChange tells a durable timer when that answer flips.
//
// A plan is evaluated on local wall-clock time in its time zone. Holidays
// beat custom work days, which beat the weekly hours. Each range is
// half-open: a plan open 09:00–17:30 is open at 09:00 and closed at 17:30.
// Across daylight-saving transitions, a wall-clock time that does not exist
// (spring forward) simply does not occur, and one that occurs twice (fall
// back) is open both times if it is in range.
package worktime

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Limits of a plan.
const (
	maxNameLen      = 100 // characters in a plan's or a holiday's name
	maxHolidays     = 366 // entries in Holidays
	maxCustomDays   = 366 // entries in Custom
	maxRangesPerDay = 10  // ranges in one day's Hours
)

// horizon is how far NextChange looks ahead.
const horizon = 400 * 24 * time.Hour

const secondsPerDay = 24 * 60 * 60

// weekdays are the accepted weekday names, indexed by time.Weekday.
var weekdays = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Plan is a named work-time plan (SPEC §4.1).
type Plan struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`        // IANA, e.g. "Europe/Paris"; required
	Weekly   []Day     `json:"weekly"`           // at most one entry per weekday
	Custom   []Date    `json:"custom_work_days"` // dates that are work days with their own hours (override weekly), e.g. a Saturday opening
	Holidays []Holiday `json:"holidays"`         // dates (or date ranges) that are entirely off (override weekly and custom)

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// c is the compiled form Validate caches: the loaded location and the
	// parsed hours. It is used only while TimeZone is unchanged; after any
	// other change to the plan call Validate again.
	c *compiled
}

// Day is the work hours of one weekday.
type Day struct {
	Weekday string  `json:"weekday"` // "monday" … "sunday"
	Hours   []Range `json:"hours"`   // one or more ranges in local time
}

// Range is a span of local wall-clock time within one day, from inclusive
// to exclusive.
type Range struct {
	From string `json:"from"` // "09:00" (HH:MM, 24 h)
	To   string `json:"to"`   // "17:30"; "24:00" allowed as end of day; To must be after From (no overnight ranges; split them across days)
}

// Date is a custom work day: a local date with its own hours.
type Date struct {
	Date  string  `json:"date"` // "2026-12-24" (local date)
	Hours []Range `json:"hours"`
}

// Holiday is a date, or an inclusive range of dates, that is entirely off.
type Holiday struct {
	Name string `json:"name,omitempty"`
	From string `json:"from"`         // "2026-12-25"
	To   string `json:"to,omitempty"` // inclusive; empty = same day
}

// compiled is a plan parsed for evaluation. Days are numbered from
// 1970-01-01 (day 0) and times of day are seconds after local midnight.
type compiled struct {
	tz       string
	loc      *time.Location
	weekly   [7][]span        // by time.Weekday
	custom   map[int64][]span // by day number
	holidays []dayRange       // sorted and merged
}

// span is [from, to) in seconds after local midnight, to at most 24:00.
type span struct{ from, to int64 }

// dayRange is an inclusive range of day numbers.
type dayRange struct{ from, to int64 }

func invalid(format string, args ...any) error {
	return switchboard.Errorf(switchboard.EINVALID, format, args...)
}

// Validate checks a plan and normalizes it: weekday names are lower-cased,
// the weekly days are put in order from Monday to Sunday, custom work days
// and holidays by date, and each day's ranges by start time. Every error is
// an *switchboard.Error with code invalid that names the field, for example
// "weekly[2].hours[0].to must be after from"; indexes are those of the plan
// as given. On success Validate caches the plan's location and parsed hours
// for Open and NextChange.
func (p *Plan) Validate() error {
	c, err := compile(p)
	if err != nil {
		p.c = nil
		return err
	}
	for i := range p.Weekly {
		p.Weekly[i].Weekday = strings.ToLower(p.Weekly[i].Weekday)
		sortRanges(p.Weekly[i].Hours)
	}
	sort.SliceStable(p.Weekly, func(i, j int) bool {
		return weekdayIndex(p.Weekly[i].Weekday) < weekdayIndex(p.Weekly[j].Weekday)
	})
	for i := range p.Custom {
		sortRanges(p.Custom[i].Hours)
	}
	// Valid dates are YYYY-MM-DD, so they sort as strings.
	sort.SliceStable(p.Custom, func(i, j int) bool { return p.Custom[i].Date < p.Custom[j].Date })
	sort.SliceStable(p.Holidays, func(i, j int) bool {
		a, b := p.Holidays[i], p.Holidays[j]
		if a.From != b.From {
			return a.From < b.From
		}
		return holidayTo(a) < holidayTo(b)
	})
	p.c = c
	return nil
}

// Open reports whether t falls in the plan's work hours, evaluated in the
// plan's time zone. It returns the Validate error for an invalid plan.
func (p *Plan) Open(t time.Time) (bool, error) {
	c, err := p.compiled()
	if err != nil {
		return false, err
	}
	return c.openAt(t), nil
}

// NextChange returns the first instant after t at which Open changes value,
// in the plan's time zone, and the new value. ok is false if the value does
// not change within 400 days after t, for example for a plan that
// is always closed, and for an invalid plan.
func (p *Plan) NextChange(t time.Time) (at time.Time, open bool, ok bool) {
	c, err := p.compiled()
	if err != nil {
		return time.Time{}, false, false
	}
	cur := c.openAt(t)
	limit := t.Add(horizon)
	// Walk the zone periods (between daylight-saving transitions) from t to
	// the limit. Within one period the offset is fixed, so wall-clock time
	// runs with the instant and Open can only change at a range's edge; at
	// the start of a period the wall clock jumps, so check it there too.
	for pos, first := t, true; pos.Before(limit); first = false {
		local := pos.In(c.loc)
		_, off := local.Zone()
		_, end := local.ZoneBounds()
		periodEnd := limit
		if !end.IsZero() && end.Before(limit) {
			periodEnd = end
		}
		if !first && c.openAt(pos) != cur {
			return pos.In(c.loc), !cur, true
		}
		o := int64(off)
		after := pos.Unix() + o
		before := periodEnd.Unix() + o // edges w < before are in this period
		if periodEnd.Nanosecond() > 0 {
			before++
		}
		for {
			w, found := c.nextEdge(after, before)
			if !found {
				break
			}
			if c.openWall(w) != cur {
				return time.Unix(w-o, 0).In(c.loc), !cur, true
			}
			after = w
		}
		pos = periodEnd
	}
	return time.Time{}, false, false
}

// compiled returns the cached compiled plan, or compiles it afresh (without
// caching, so concurrent readers do not race) when Validate was not called
// or the time zone changed since.
func (p *Plan) compiled() (*compiled, error) {
	if c := p.c; c != nil && c.tz == p.TimeZone {
		return c, nil
	}
	return compile(p)
}

// openAt reports whether the instant t is in work hours.
func (c *compiled) openAt(t time.Time) bool {
	_, off := t.In(c.loc).Zone()
	return c.openWall(t.Unix() + int64(off))
}

// openWall reports whether the local wall-clock time w, in seconds since
// 1970-01-01 00:00 local, is in work hours.
func (c *compiled) openWall(w int64) bool {
	day := floorDiv(w, secondsPerDay)
	sec := w - day*secondsPerDay
	for _, s := range c.spans(day) {
		if sec >= s.from && sec < s.to {
			return true
		}
	}
	return false
}

// spans returns the work hours of a day: none on a holiday, else the custom
// day's, else the weekday's.
func (c *compiled) spans(day int64) []span {
	h := c.holidays
	if i := sort.Search(len(h), func(i int) bool { return h[i].to >= day }); i < len(h) && h[i].from <= day {
		return nil
	}
	if s, ok := c.custom[day]; ok {
		return s
	}
	return c.weekly[floorMod(day+4, 7)] // 1970-01-01 was a Thursday
}

// nextEdge returns the first start or end of a range, as local wall-clock
// seconds w with after < w < before.
func (c *compiled) nextEdge(after, before int64) (int64, bool) {
	if before <= after {
		return 0, false
	}
	last := floorDiv(before-1, secondsPerDay)
	for day := floorDiv(after, secondsPerDay); day <= last; day++ {
		base := day * secondsPerDay
		for _, s := range c.spans(day) {
			for _, e := range [2]int64{base + s.from, base + s.to} {
				if e > after {
					if e < before {
						return e, true
					}
					return 0, false
				}
			}
		}
	}
	return 0, false
}

// compile checks p and parses it, without changing p.
func compile(p *Plan) (*compiled, error) {
	if err := validate.Text("name", p.Name, maxNameLen, true); err != nil {
		return nil, err
	}
	loc, err := loadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	c := &compiled{tz: p.TimeZone, loc: loc}

	var seen [7]int
	for i := range seen {
		seen[i] = -1
	}
	for i, d := range p.Weekly {
		field := fmt.Sprintf("weekly[%d]", i)
		wd := weekdayIndex(strings.ToLower(d.Weekday))
		if wd < 0 {
			return nil, invalid("%s.weekday must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday", field)
		}
		if seen[wd] >= 0 {
			return nil, invalid("%s.weekday repeats weekly[%d]: %s is listed twice", field, seen[wd], weekdays[wd])
		}
		seen[wd] = i
		if c.weekly[wd], err = compileHours(field+".hours", d.Hours); err != nil {
			return nil, err
		}
	}

	if n := len(p.Custom); n > maxCustomDays {
		return nil, invalid("custom_work_days has %d entries; the limit is %d", n, maxCustomDays)
	}
	c.custom = make(map[int64][]span, len(p.Custom))
	dates := make(map[int64]int, len(p.Custom))
	for i, d := range p.Custom {
		field := fmt.Sprintf("custom_work_days[%d]", i)
		day, ok := parseDate(d.Date)
		if !ok {
			return nil, invalid("%s.date must be a calendar date YYYY-MM-DD such as 2026-12-24", field)
		}
		if j, dup := dates[day]; dup {
			return nil, invalid("%s.date repeats custom_work_days[%d]: %s is listed twice", field, j, d.Date)
		}
		dates[day] = i
		if c.custom[day], err = compileHours(field+".hours", d.Hours); err != nil {
			return nil, err
		}
	}

	if n := len(p.Holidays); n > maxHolidays {
		return nil, invalid("holidays has %d entries; the limit is %d", n, maxHolidays)
	}
	c.holidays = make([]dayRange, 0, len(p.Holidays))
	for i, h := range p.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		if err := validate.Text(field+".name", h.Name, maxNameLen, false); err != nil {
			return nil, err
		}
		from, ok := parseDate(h.From)
		if !ok {
			return nil, invalid("%s.from must be a calendar date YYYY-MM-DD such as 2026-12-25", field)
		}
		to := from
		if h.To != "" {
			if to, ok = parseDate(h.To); !ok {
				return nil, invalid("%s.to must be a calendar date YYYY-MM-DD such as 2026-12-26, or empty for a single day", field)
			}
			if to < from {
				return nil, invalid("%s.to must not be before from", field)
			}
		}
		c.holidays = append(c.holidays, dayRange{from, to})
	}
	c.holidays = mergeDays(c.holidays)
	return c, nil
}

// loadLocation loads an IANA time zone. The empty name and "Local" are
// refused: time.LoadLocation maps them to UTC and to the server's zone.
func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		return nil, invalid("time_zone is required")
	}
	if name != "Local" && len(name) <= 100 {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, invalid("time_zone must be an IANA time zone name such as Europe/Paris")
}

// compileHours checks a day's ranges and returns them sorted, with ranges
// that touch (one ends where the next starts) merged.
func compileHours(field string, hours []Range) ([]span, error) {
	if len(hours) == 0 {
		return nil, invalid("%s must have at least one range", field)
	}
	if len(hours) > maxRangesPerDay {
		return nil, invalid("%s has %d ranges; the limit is %d", field, len(hours), maxRangesPerDay)
	}
	spans := make([]span, len(hours))
	for i, r := range hours {
		from, ok := parseClock(r.From, false)
		if !ok {
			return nil, invalid("%s[%d].from must be a time HH:MM from 00:00 to 23:59", field, i)
		}
		to, ok := parseClock(r.To, true)
		if !ok {
			return nil, invalid("%s[%d].to must be a time HH:MM from 00:00 to 24:00", field, i)
		}
		if to <= from {
			return nil, invalid("%s[%d].to must be after from", field, i)
		}
		spans[i] = span{from, to}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return spans[order[a]].from < spans[order[b]].from })
	merged := make([]span, 0, len(spans))
	for k, i := range order {
		s := spans[i]
		if k > 0 {
			prev := order[k-1]
			if s.from < spans[prev].to {
				return nil, invalid("%s[%d] overlaps %s[%d]", field, i, field, prev)
			}
			if last := &merged[len(merged)-1]; s.from == last.to {
				last.to = s.to
				continue
			}
		}
		merged = append(merged, s)
	}
	return merged, nil
}

// sortRanges sorts valid ranges by start time.
func sortRanges(hours []Range) {
	sort.SliceStable(hours, func(i, j int) bool {
		a, _ := parseClock(hours[i].From, false)
		b, _ := parseClock(hours[j].From, false)
		return a < b
	})
}

// mergeDays sorts day ranges and merges those that overlap or touch.
func mergeDays(r []dayRange) []dayRange {
	sort.Slice(r, func(i, j int) bool { return r[i].from < r[j].from })
	out := r[:0]
	for _, d := range r {
		if n := len(out); n > 0 && d.from <= out[n-1].to+1 {
			if d.to > out[n-1].to {
				out[n-1].to = d.to
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

func holidayTo(h Holiday) string {
	if h.To == "" {
		return h.From
	}
	return h.To
}

// weekdayIndex returns the time.Weekday of a lower-case weekday name, or -1.
func weekdayIndex(name string) int {
	for i, n := range weekdays {
		if n == name {
			return i
		}
	}
	return -1
}

// parseClock parses "HH:MM" into seconds after midnight. "24:00" is allowed
// only when end is set.
func parseClock(s string, end bool) (int64, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, ok1 := digits2(s[0:2])
	m, ok2 := digits2(s[3:5])
	if !ok1 || !ok2 || m > 59 || h > 24 || (h == 24 && (m != 0 || !end)) {
		return 0, false
	}
	return int64(h*3600 + m*60), true
}

// parseDate parses a calendar date "YYYY-MM-DD" (years 0001 to 9999) into
// its day number since 1970-01-01.
func parseDate(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y1, ok1 := digits2(s[0:2])
	y2, ok2 := digits2(s[2:4])
	m, ok3 := digits2(s[5:7])
	d, ok4 := digits2(s[8:10])
	y := y1*100 + y2
	if !ok1 || !ok2 || !ok3 || !ok4 || y < 1 || m < 1 || m > 12 || d < 1 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // February 30 and the like roll over
		return 0, false
	}
	return floorDiv(t.Unix(), secondsPerDay), true
}

// digits2 parses exactly two ASCII digits.
func digits2(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	return a - floorDiv(a, b)*b
}
