package worktime_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/worktime"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekdays returns the same hours for each of the named weekdays.
func weekdays(names []string, hours ...worktime.Range) []worktime.Day {
	var days []worktime.Day
	for _, n := range names {
		days = append(days, worktime.Day{Weekday: n, Hours: append([]worktime.Range(nil), hours...)})
	}
	return days
}

var (
	monFri  = []string{"monday", "tuesday", "wednesday", "thursday", "friday"}
	allWeek = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)

// office is open Monday to Friday 09:00–12:30 and 13:30–17:30 in Paris,
// opens on Saturday 2026-12-19 10:00–16:00, and is closed over Christmas
// (Thursday 2026-12-24 to Saturday 2026-12-26), which beats the custom
// opening on Saturday 2026-12-26.
func office(tz string) *worktime.Plan {
	return &worktime.Plan{
		Name:     "Paris office",
		TimeZone: tz,
		Weekly:   weekdays(monFri, worktime.Range{From: "09:00", To: "12:30"}, worktime.Range{From: "13:30", To: "17:30"}),
		Custom: []worktime.Date{
			{Date: "2026-12-19", Hours: []worktime.Range{{From: "10:00", To: "16:00"}}},
			{Date: "2026-12-26", Hours: []worktime.Range{{From: "10:00", To: "14:00"}}},
		},
		Holidays: []worktime.Holiday{{Name: "Christmas", From: "2026-12-24", To: "2026-12-26"}},
	}
}

func valid(t testing.TB, p *worktime.Plan) *worktime.Plan {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return p
}

func TestOpen(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	utc := time.UTC
	at := func(loc *time.Location, y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, loc)
	}
	late := &worktime.Plan{ // Friday evening running past midnight into Saturday
		Name:     "late shift",
		TimeZone: "UTC",
		Weekly: []worktime.Day{
			{Weekday: "friday", Hours: []worktime.Range{{From: "18:00", To: "24:00"}}},
			{Weekday: "saturday", Hours: []worktime.Range{{From: "00:00", To: "02:00"}}},
		},
	}
	for _, c := range []struct {
		name string
		plan *worktime.Plan
		t    time.Time
		want bool
	}{
		{"monday morning", office("Europe/Paris"), at(paris, 2026, 3, 2, 10, 0, 0), true},
		{"monday 09:00 exactly", office("Europe/Paris"), at(paris, 2026, 3, 2, 9, 0, 0), true},
		{"monday 08:59:59", office("Europe/Paris"), at(paris, 2026, 3, 2, 8, 59, 59), false},
		{"monday 12:29:59", office("Europe/Paris"), at(paris, 2026, 3, 2, 12, 29, 59), true},
		{"lunch 12:30 exactly", office("Europe/Paris"), at(paris, 2026, 3, 2, 12, 30, 0), false},
		{"lunch 13:00", office("Europe/Paris"), at(paris, 2026, 3, 2, 13, 0, 0), false},
		{"after lunch 13:30", office("Europe/Paris"), at(paris, 2026, 3, 2, 13, 30, 0), true},
		{"friday 17:29:59", office("Europe/Paris"), at(paris, 2026, 3, 6, 17, 29, 59), true},
		{"friday 17:30 exactly", office("Europe/Paris"), at(paris, 2026, 3, 6, 17, 30, 0), false},
		{"midnight monday", office("Europe/Paris"), at(paris, 2026, 3, 2, 0, 0, 0), false},
		{"saturday", office("Europe/Paris"), at(paris, 2026, 3, 7, 11, 0, 0), false},
		{"sunday", office("Europe/Paris"), at(paris, 2026, 3, 8, 11, 0, 0), false},
		{"same instant in UTC", office("Europe/Paris"), at(utc, 2026, 3, 2, 9, 0, 0), true}, // 10:00 in Paris
		{"utc instant before opening", office("Europe/Paris"), at(utc, 2026, 3, 2, 7, 59, 0), false},
		{"custom saturday", office("Europe/Paris"), at(paris, 2026, 12, 19, 11, 0, 0), true},
		{"custom saturday 16:00", office("Europe/Paris"), at(paris, 2026, 12, 19, 16, 0, 0), false},
		{"custom saturday 09:59", office("Europe/Paris"), at(paris, 2026, 12, 19, 9, 59, 0), false},
		{"custom hours replace weekly", office("Europe/Paris"), at(paris, 2026, 12, 19, 14, 0, 0), true},
		{"christmas eve (thursday)", office("Europe/Paris"), at(paris, 2026, 12, 24, 10, 0, 0), false},
		{"christmas (friday)", office("Europe/Paris"), at(paris, 2026, 12, 25, 10, 0, 0), false},
		{"holiday beats custom saturday", office("Europe/Paris"), at(paris, 2026, 12, 26, 11, 0, 0), false},
		{"wednesday before christmas", office("Europe/Paris"), at(paris, 2026, 12, 23, 10, 0, 0), true},
		{"monday after christmas", office("Europe/Paris"), at(paris, 2026, 12, 28, 10, 0, 0), true},
		{"friday 17:59", late, at(utc, 2026, 3, 6, 17, 59, 0), false},
		{"friday 23:59:59", late, at(utc, 2026, 3, 6, 23, 59, 59), true},
		{"saturday 00:00", late, at(utc, 2026, 3, 7, 0, 0, 0), true},
		{"saturday 01:59:59", late, at(utc, 2026, 3, 7, 1, 59, 59), true},
		{"saturday 02:00", late, at(utc, 2026, 3, 7, 2, 0, 0), false},
		{"sub-second before opening", office("UTC"), time.Date(2026, 3, 2, 8, 59, 59, 999999999, utc), false},
		{"sub-second before closing", office("UTC"), time.Date(2026, 3, 2, 17, 29, 59, 999999999, utc), true},
	} {
		for _, validated := range []bool{true, false} {
			p := c.plan
			if validated {
				p = valid(t, c.plan)
			}
			got, err := p.Open(c.t)
			if err != nil || got != c.want {
				t.Errorf("%s (validated %v): Open(%v) = %v, %v; want %v", c.name, validated, c.t, got, err, c.want)
			}
		}
	}
}

func TestOpenTwoTimeZones(t *testing.T) {
	// 2026-03-04 02:00 UTC is Wednesday 10:00 in Shanghai and Tuesday 21:00
	// in New York.
	instant := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		tz   string
		want bool
	}{
		{"Asia/Shanghai", true},
		{"America/New_York", false},
		{"Europe/Paris", false}, // 03:00
		{"Asia/Kolkata", false}, // 07:30
		{"Asia/Tokyo", true},    // 11:00
	} {
		p := valid(t, office(c.tz))
		if got, err := p.Open(instant); err != nil || got != c.want {
			t.Errorf("%s: Open = %v, %v; want %v", c.tz, got, err, c.want)
		}
	}
}

func TestOpenDST(t *testing.T) {
	// Every day 01:00–02:30 in Paris. On 2026-03-29 clocks go from 02:00 CET
	// to 03:00 CEST at 01:00 UTC: the plan opens at 01:00 CET and closes at
	// the jump. On 2026-10-25 they go back from 03:00 CEST to 02:00 CET at
	// 01:00 UTC: 02:00–02:30 occurs twice and is open both times.
	night := valid(t, &worktime.Plan{Name: "night", TimeZone: "Europe/Paris",
		Weekly: weekdays(allWeek, worktime.Range{From: "01:00", To: "02:30"})})
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		t    time.Time
		want bool
	}{
		{utc(3, 28, 23, 59), false},                                    // 00:59 CET
		{utc(3, 29, 0, 0), true},                                       // 01:00 CET
		{utc(3, 29, 0, 59), true},                                      // 01:59 CET
		{time.Date(2026, 3, 29, 0, 59, 59, 999999999, time.UTC), true}, // just before the jump
		{utc(3, 29, 1, 0), false},                                      // 03:00 CEST: 02:00–02:30 never happens
		{utc(3, 29, 1, 20), false},                                     // 03:20 CEST
		{utc(3, 29, 23, 0), true},                                      // 01:00 CEST on 03-30
		{utc(10, 24, 22, 59), false},                                   // 00:59 CEST
		{utc(10, 24, 23, 0), true},                                     // 01:00 CEST
		{utc(10, 25, 0, 15), true},                                     // 02:15 CEST, first time
		{utc(10, 25, 0, 30), false},                                    // 02:30 CEST
		{utc(10, 25, 0, 45), false},                                    // 02:45 CEST
		{utc(10, 25, 1, 0), true},                                      // 02:00 CET, second time
		{utc(10, 25, 1, 15), true},                                     // 02:15 CET
		{utc(10, 25, 1, 30), false},                                    // 02:30 CET
		{utc(10, 26, 0, 0), true},                                      // 01:00 CET
	} {
		if got, err := night.Open(c.t); err != nil || got != c.want {
			t.Errorf("Open(%v) = %v, %v; want %v (local %v)", c.t, got, err, c.want, c.t.In(mustLoad(t, "Europe/Paris")))
		}
	}
}

func TestNextChange(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	local := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, paris) }
	night := &worktime.Plan{Name: "night", TimeZone: "Europe/Paris",
		Weekly: weekdays(allWeek, worktime.Range{From: "01:00", To: "02:30"})}
	gap := &worktime.Plan{Name: "in the gap", TimeZone: "Europe/Paris",
		Weekly: weekdays([]string{"sunday"}, worktime.Range{From: "02:00", To: "02:30"})}
	late := &worktime.Plan{Name: "late shift", TimeZone: "UTC",
		Weekly: []worktime.Day{
			{Weekday: "friday", Hours: []worktime.Range{{From: "18:00", To: "24:00"}}},
			{Weekday: "saturday", Hours: []worktime.Range{{From: "00:00", To: "02:00"}}},
		}}
	touching := &worktime.Plan{Name: "touching", TimeZone: "UTC",
		Weekly: weekdays([]string{"monday"}, worktime.Range{From: "13:00", To: "17:00"}, worktime.Range{From: "09:00", To: "13:00"})}
	for _, c := range []struct {
		name     string
		plan     *worktime.Plan
		t        time.Time
		wantAt   time.Time
		wantOpen bool
	}{
		{"to lunch", office("Europe/Paris"), local(3, 2, 10, 0), local(3, 2, 12, 30), false},
		{"from lunch", office("Europe/Paris"), local(3, 2, 12, 30), local(3, 2, 13, 30), true},
		{"at opening goes to lunch", office("Europe/Paris"), local(3, 2, 9, 0), local(3, 2, 12, 30), false},
		{"before opening", office("Europe/Paris"), local(3, 2, 8, 59), local(3, 2, 9, 0), true},
		{"to friday close", office("Europe/Paris"), local(3, 6, 17, 0), local(3, 6, 17, 30), false},
		{"across the weekend", office("Europe/Paris"), local(3, 6, 17, 30), local(3, 9, 9, 0), true},
		{"from saturday", office("Europe/Paris"), local(3, 7, 12, 0), local(3, 9, 9, 0), true},
		{"across weekend and spring DST", office("Europe/Paris"), local(3, 27, 18, 0), utc(3, 30, 7, 0), true},
		{"across weekend and autumn DST", office("Europe/Paris"), local(10, 23, 18, 0), utc(10, 26, 8, 0), true},
		{"to custom saturday", office("Europe/Paris"), local(12, 18, 18, 0), local(12, 19, 10, 0), true},
		{"custom saturday close", office("Europe/Paris"), local(12, 19, 10, 0), local(12, 19, 16, 0), false},
		{"across christmas", office("Europe/Paris"), local(12, 23, 17, 30), local(12, 28, 9, 0), true},
		{"spring: opens at 01:00 CET", night, utc(3, 28, 23, 30), utc(3, 29, 0, 0), true},
		{"spring: closes at the jump", night, utc(3, 29, 0, 30), utc(3, 29, 1, 0), false},
		{"spring: next night", night, utc(3, 29, 1, 0), utc(3, 29, 23, 0), true},
		{"autumn: first 02:30", night, utc(10, 24, 23, 30), utc(10, 25, 0, 30), false},
		{"autumn: 02:00 again", night, utc(10, 25, 0, 30), utc(10, 25, 1, 0), true},
		{"autumn: second 02:30", night, utc(10, 25, 1, 0), utc(10, 25, 1, 30), false},
		{"autumn: next night", night, utc(10, 25, 1, 30), utc(10, 26, 0, 0), true},
		{"skips a range in the DST gap", gap, utc(3, 28, 12, 0), local(4, 5, 2, 0), true},
		{"no change at midnight", late, time.Date(2026, 3, 6, 19, 0, 0, 0, time.UTC), time.Date(2026, 3, 7, 2, 0, 0, 0, time.UTC), false},
		{"touching ranges merge", touching, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC), false},
		{"sub-second t", office("UTC"), time.Date(2026, 3, 2, 8, 59, 59, 1, time.UTC), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), true},
	} {
		for _, validated := range []bool{true, false} {
			p := c.plan
			if validated {
				p = valid(t, c.plan)
			}
			at, open, ok := p.NextChange(c.t)
			if !ok || !at.Equal(c.wantAt) || open != c.wantOpen {
				t.Errorf("%s (validated %v): NextChange(%v) = %v, %v, %v; want %v, %v, true",
					c.name, validated, c.t, at.In(paris), open, ok, c.wantAt.In(paris), c.wantOpen)
			}
		}
	}
}

func TestNextChangeNever(t *testing.T) {
	start := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		plan   *worktime.Plan
		wantOK bool
	}{
		{"always closed", &worktime.Plan{Name: "closed", TimeZone: "Europe/Paris"}, false},
		{"always open", &worktime.Plan{Name: "24/7", TimeZone: "Europe/Paris",
			Weekly: weekdays(allWeek, worktime.Range{From: "00:00", To: "24:00"})}, false},
		{"always open across DST", &worktime.Plan{Name: "24/7", TimeZone: "America/New_York",
			Weekly: weekdays(allWeek, worktime.Range{From: "00:00", To: "12:00"}, worktime.Range{From: "12:00", To: "24:00"})}, false},
		{"only a holiday-covered weekly", &worktime.Plan{Name: "closed", TimeZone: "UTC",
			Weekly:   weekdays(monFri, worktime.Range{From: "09:00", To: "17:00"}),
			Holidays: []worktime.Holiday{{From: "2026-01-01", To: "2028-12-31"}}}, false},
		{"custom day in 500 days", &worktime.Plan{Name: "far", TimeZone: "UTC",
			Custom: []worktime.Date{{Date: "2027-07-15", Hours: []worktime.Range{{From: "09:00", To: "10:00"}}}}}, false},
		{"custom day in 300 days", &worktime.Plan{Name: "near", TimeZone: "UTC",
			Custom: []worktime.Date{{Date: "2026-12-27", Hours: []worktime.Range{{From: "09:00", To: "10:00"}}}}}, true},
		{"invalid plan", &worktime.Plan{Name: "bad", TimeZone: "Nowhere/Atlantis"}, false},
	} {
		_, _, ok := c.plan.NextChange(start)
		if ok != c.wantOK {
			t.Errorf("%s: ok = %v, want %v", c.name, ok, c.wantOK)
		}
	}
}

// TestNextChangeMatchesScan compares NextChange with a minute-by-minute scan
// of Open around daylight-saving transitions, including Lord Howe Island's
// 30-minute shift and Kathmandu's +05:45.
func TestNextChangeMatchesScan(t *testing.T) {
	plans := []*worktime.Plan{
		office(""),
		{Name: "night", Weekly: weekdays(allWeek, worktime.Range{From: "01:00", To: "02:30"}, worktime.Range{From: "02:45", To: "03:15"})},
		{Name: "late", Weekly: []worktime.Day{
			{Weekday: "saturday", Hours: []worktime.Range{{From: "23:00", To: "24:00"}}},
			{Weekday: "sunday", Hours: []worktime.Range{{From: "00:00", To: "02:10"}, {From: "02:20", To: "03:00"}}},
		}},
	}
	starts := []time.Time{
		time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 23, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 4, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC),
	}
	zones := []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago", "UTC"}
	for _, tz := range zones {
		for _, base := range plans {
			p := *base
			p.TimeZone = tz
			valid(t, &p)
			for _, start := range starts {
				end := start.Add(10 * 24 * time.Hour)
				t0 := start
				for t0.Before(end) {
					cur, _ := p.Open(t0)
					var want time.Time
					for m := t0.Truncate(time.Minute).Add(time.Minute); m.Before(end.Add(time.Hour)); m = m.Add(time.Minute) {
						if o, _ := p.Open(m); o != cur {
							want = m
							break
						}
					}
					at, open, ok := p.NextChange(t0)
					if want.IsZero() || want.After(end) {
						break
					}
					if !ok || !at.Equal(want) || open == cur {
						t.Fatalf("%s %s: NextChange(%v) = %v, %v, %v; scan says %v, %v", tz, p.Name, t0, at, open, ok, want, !cur)
					}
					t0 = at
				}
			}
		}
	}
}

// TestNextChangeChain walks a year of changes and checks that they alternate
// and that Open agrees just before and at each one.
func TestNextChangeChain(t *testing.T) {
	for _, tz := range []string{"Europe/Paris", "America/New_York", "Asia/Shanghai"} {
		p := valid(t, office(tz))
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		cur, _ := p.Open(t0)
		n := 0
		for t0.Year() == 2026 {
			at, open, ok := p.NextChange(t0)
			if !ok {
				t.Fatalf("%s: no change after %v", tz, t0)
			}
			before, _ := p.Open(at.Add(-time.Nanosecond))
			now, _ := p.Open(at)
			if !at.After(t0) || open == cur || before != cur || now != open {
				t.Fatalf("%s: NextChange(%v) = %v, %v; Open before %v, at %v", tz, t0, at, open, before, now)
			}
			t0, cur = at, open
			n++
		}
		// 52 weeks × 5 days × 4 changes, less the Christmas holidays (two
		// work days), plus the custom Saturday, give or take a week.
		if n < 1020 || n > 1060 {
			t.Errorf("%s: %d changes in 2026", tz, n)
		}
	}
}

func TestValidateNormalizes(t *testing.T) {
	p := &worktime.Plan{
		Name:     "messy",
		TimeZone: "Europe/Paris",
		Weekly: []worktime.Day{
			{Weekday: "Friday", Hours: []worktime.Range{{From: "14:00", To: "18:00"}, {From: "09:00", To: "12:00"}}},
			{Weekday: "MONDAY", Hours: []worktime.Range{{From: "09:00", To: "17:00"}}},
		},
		Custom: []worktime.Date{
			{Date: "2026-12-19", Hours: []worktime.Range{{From: "10:00", To: "16:00"}}},
			{Date: "2026-06-06", Hours: []worktime.Range{{From: "13:00", To: "15:00"}, {From: "08:00", To: "12:00"}}},
		},
		Holidays: []worktime.Holiday{{From: "2026-12-25"}, {From: "2026-05-01"}},
	}
	valid(t, p)
	got, _ := json.Marshal(p)
	want := `"weekly":[{"weekday":"monday","hours":[{"from":"09:00","to":"17:00"}]},` +
		`{"weekday":"friday","hours":[{"from":"09:00","to":"12:00"},{"from":"14:00","to":"18:00"}]}],` +
		`"custom_work_days":[{"date":"2026-06-06","hours":[{"from":"08:00","to":"12:00"},{"from":"13:00","to":"15:00"}]},` +
		`{"date":"2026-12-19","hours":[{"from":"10:00","to":"16:00"}]}],` +
		`"holidays":[{"from":"2026-05-01"},{"from":"2026-12-25"}]`
	if !strings.Contains(string(got), want) {
		t.Errorf("normalized plan\n%s\nwant it to contain\n%s", got, want)
	}
	// A validated plan still round-trips through JSON and evaluates the same.
	var back worktime.Plan
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 6, 10, 0, 0, 0, mustLoad(t, "Europe/Paris"))
	a, errA := p.Open(at)
	b, errB := back.Open(at)
	if !a || errA != nil || a != b || errB != nil {
		t.Errorf("Open = %v, %v and after JSON %v, %v; want true", a, errA, b, errB)
	}
}

func TestTimeZoneChangeAfterValidate(t *testing.T) {
	p := valid(t, office("Asia/Shanghai"))
	instant := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	if open, _ := p.Open(instant); !open {
		t.Fatal("closed in Shanghai")
	}
	p.TimeZone = "America/New_York" // the cached location must not be used
	if open, err := p.Open(instant); open || err != nil {
		t.Errorf("Open in New York = %v, %v; want false", open, err)
	}
	p.TimeZone = "Nowhere/Atlantis"
	if _, err := p.Open(instant); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("Open with a bad zone: %v, want an invalid error", err)
	}
}

func TestValidate(t *testing.T) {
	r := func(from, to string) worktime.Range { return worktime.Range{From: from, To: to} }
	day := func(wd string, hours ...worktime.Range) worktime.Day { return worktime.Day{Weekday: wd, Hours: hours} }
	base := func() *worktime.Plan {
		return &worktime.Plan{Name: "Support", TimeZone: "Europe/Paris"}
	}
	many := func(n int) []worktime.Range {
		var hs []worktime.Range
		for i := 0; i < n; i++ {
			hs = append(hs, r(fmt.Sprintf("%02d:00", i), fmt.Sprintf("%02d:30", i)))
		}
		return hs
	}
	for _, c := range []struct {
		name   string
		edit   func(p *worktime.Plan)
		field  string // "" for a valid plan
		substr string
	}{
		{"minimal plan", func(p *worktime.Plan) {}, "", ""},
		{"office plan", func(p *worktime.Plan) { *p = *office("Europe/Paris") }, "", ""},
		{"UTC", func(p *worktime.Plan) { p.TimeZone = "UTC" }, "", ""},
		{"24:00 end", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("sunday", r("20:00", "24:00"))} }, "", ""},
		{"00:00 start", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("sunday", r("00:00", "00:01"))} }, "", ""},
		{"touching ranges", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("12:00", "17:00"), r("09:00", "12:00"))}
		}, "", ""},
		{"ten ranges", func(p *worktime.Plan) { p.Weekly = []worktime.Day{{Weekday: "monday", Hours: many(10)}} }, "", ""},
		{"leap day", func(p *worktime.Plan) { p.Holidays = []worktime.Holiday{{From: "2028-02-29"}} }, "", ""},
		{"custom day on a holiday", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-12-25", Hours: []worktime.Range{r("10:00", "12:00")}}}
			p.Holidays = []worktime.Holiday{{From: "2026-12-25"}}
		}, "", ""},
		{"overlapping holidays", func(p *worktime.Plan) {
			p.Holidays = []worktime.Holiday{{From: "2026-12-24", To: "2026-12-31"}, {From: "2026-12-25"}}
		}, "", ""},
		{"366 holidays", func(p *worktime.Plan) {
			for i := 0; i < 366; i++ {
				p.Holidays = append(p.Holidays, worktime.Holiday{From: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)})
			}
		}, "", ""},

		{"no name", func(p *worktime.Plan) { p.Name = "" }, "name", "is required"},
		{"long name", func(p *worktime.Plan) { p.Name = strings.Repeat("x", 101) }, "name", "101 characters"},
		{"name with control", func(p *worktime.Plan) { p.Name = "a\x00b" }, "name", "control character"},
		{"no time zone", func(p *worktime.Plan) { p.TimeZone = "" }, "time_zone", "is required"},
		{"unknown time zone", func(p *worktime.Plan) { p.TimeZone = "Mars/Olympus_Mons" }, "time_zone", "IANA time zone"},
		{"Local time zone", func(p *worktime.Plan) { p.TimeZone = "Local" }, "time_zone", "IANA time zone"},
		{"path time zone", func(p *worktime.Plan) { p.TimeZone = "../../etc/passwd" }, "time_zone", "IANA time zone"},
		{"bad weekday", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("funday", r("09:00", "17:00"))} }, "weekly[0].weekday", "must be one of monday"},
		{"empty weekday", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("", r("09:00", "17:00"))} }, "weekly[0].weekday", "must be one of"},
		{"weekday twice", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("09:00", "12:00")), day("tuesday", r("09:00", "12:00")), day("Monday", r("14:00", "17:00"))}
		}, "weekly[2].weekday", "repeats weekly[0]: monday is listed twice"},
		{"no hours", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday")} }, "weekly[0].hours", "at least one range"},
		{"eleven ranges", func(p *worktime.Plan) { p.Weekly = []worktime.Day{{Weekday: "monday", Hours: many(11)}} }, "weekly[0].hours", "11 ranges; the limit is 10"},
		{"one-digit hour", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("9:00", "17:00"))} }, "weekly[0].hours[0].from", "HH:MM"},
		{"hour 25", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("09:00", "25:00"))} }, "weekly[0].hours[0].to", "HH:MM"},
		{"minute 60", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("09:60", "17:00"))} }, "weekly[0].hours[0].from", "HH:MM"},
		{"from 24:00", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("24:00", "24:00"))} }, "weekly[0].hours[0].from", "00:00 to 23:59"},
		{"to 24:01", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("23:00", "24:01"))} }, "weekly[0].hours[0].to", "00:00 to 24:00"},
		{"seconds", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("09:00:00", "17:00"))} }, "weekly[0].hours[0].from", "HH:MM"},
		{"12-hour clock", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("09:00", "5:00pm"))} }, "weekly[0].hours[0].to", "HH:MM"},
		{"to before from", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("09:00", "17:00")), day("tuesday", r("09:00", "17:00")), day("wednesday", r("17:00", "09:00"))}
		}, "weekly[2].hours[0].to", "must be after from"},
		{"empty range", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("monday", r("09:00", "09:00"))} }, "weekly[0].hours[0].to", "must be after from"},
		{"overnight range", func(p *worktime.Plan) { p.Weekly = []worktime.Day{day("friday", r("22:00", "02:00"))} }, "weekly[0].hours[0].to", "must be after from"},
		{"overlap", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("09:00", "13:00"), r("12:00", "17:00"))}
		}, "weekly[0].hours[1]", "overlaps weekly[0].hours[0]"},
		{"overlap unsorted", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("12:00", "17:00"), r("09:00", "12:30"))}
		}, "weekly[0].hours[0]", "overlaps weekly[0].hours[1]"},
		{"contained range", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("14:00", "15:00"), r("09:00", "17:00"), r("18:00", "19:00"))}
		}, "weekly[0].hours[0]", "overlaps weekly[0].hours[1]"},
		{"same range twice", func(p *worktime.Plan) {
			p.Weekly = []worktime.Day{day("monday", r("09:00", "17:00"), r("09:00", "17:00"))}
		}, "weekly[0].hours[1]", "overlaps weekly[0].hours[0]"},
		{"custom date invalid", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-02-30", Hours: []worktime.Range{r("09:00", "12:00")}}}
		}, "custom_work_days[0].date", "calendar date"},
		{"custom not a leap year", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2027-02-29", Hours: []worktime.Range{r("09:00", "12:00")}}}
		}, "custom_work_days[0].date", "calendar date"},
		{"custom date format", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-12-19", Hours: []worktime.Range{r("09:00", "12:00")}}, {Date: "19/12/2026", Hours: []worktime.Range{r("09:00", "12:00")}}}
		}, "custom_work_days[1].date", "YYYY-MM-DD"},
		{"custom month 13", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-13-01", Hours: []worktime.Range{r("09:00", "12:00")}}}
		}, "custom_work_days[0].date", "calendar date"},
		{"custom date twice", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-12-19", Hours: []worktime.Range{r("09:00", "12:00")}}, {Date: "2026-12-19", Hours: []worktime.Range{r("14:00", "16:00")}}}
		}, "custom_work_days[1].date", "repeats custom_work_days[0]"},
		{"custom no hours", func(p *worktime.Plan) { p.Custom = []worktime.Date{{Date: "2026-12-19"}} }, "custom_work_days[0].hours", "at least one range"},
		{"custom bad range", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-12-19", Hours: []worktime.Range{r("09:00", "12:00"), r("16:00", "14:00")}}}
		}, "custom_work_days[0].hours[1].to", "must be after from"},
		{"custom overlap", func(p *worktime.Plan) {
			p.Custom = []worktime.Date{{Date: "2026-12-19", Hours: []worktime.Range{r("09:00", "12:00"), r("11:00", "14:00")}}}
		}, "custom_work_days[0].hours[1]", "overlaps custom_work_days[0].hours[0]"},
		{"367 custom days", func(p *worktime.Plan) {
			for i := 0; i < 367; i++ {
				p.Custom = append(p.Custom, worktime.Date{Date: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Hours: []worktime.Range{r("09:00", "10:00")}})
			}
		}, "custom_work_days", "367 entries; the limit is 366"},
		{"holiday from invalid", func(p *worktime.Plan) { p.Holidays = []worktime.Holiday{{From: "2026-12-32"}} }, "holidays[0].from", "calendar date"},
		{"holiday from empty", func(p *worktime.Plan) { p.Holidays = []worktime.Holiday{{Name: "Christmas"}} }, "holidays[0].from", "calendar date"},
		{"holiday to invalid", func(p *worktime.Plan) { p.Holidays = []worktime.Holiday{{From: "2026-12-24", To: "2026-12-2"}} }, "holidays[0].to", "calendar date"},
		{"holiday to before from", func(p *worktime.Plan) {
			p.Holidays = []worktime.Holiday{{From: "2026-05-01"}, {From: "2026-12-26", To: "2026-12-24"}}
		}, "holidays[1].to", "must not be before from"},
		{"holiday year zero", func(p *worktime.Plan) { p.Holidays = []worktime.Holiday{{From: "0000-01-01"}} }, "holidays[0].from", "calendar date"},
		{"holiday long name", func(p *worktime.Plan) {
			p.Holidays = []worktime.Holiday{{Name: strings.Repeat("é", 101), From: "2026-12-25"}}
		}, "holidays[0].name", "101 characters"},
		{"367 holidays", func(p *worktime.Plan) {
			for i := 0; i < 367; i++ {
				p.Holidays = append(p.Holidays, worktime.Holiday{From: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)})
			}
		}, "holidays", "367 entries; the limit is 366"},
	} {
		p := base()
		c.edit(p)
		err := p.Validate()
		_, openErr := p.Open(time.Now())
		if c.field == "" {
			if err != nil || openErr != nil {
				t.Errorf("%s: Validate = %v, Open error %v; want nil", c.name, err, openErr)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted, want an error naming %s", c.name, c.field)
			continue
		}
		if code := sb.ErrorCode(err); code != sb.EINVALID {
			t.Errorf("%s: code %q, want %q", c.name, code, sb.EINVALID)
		}
		msg := sb.ErrorMessage(err)
		if !strings.HasPrefix(msg, c.field+" ") || !strings.Contains(msg, c.substr) {
			t.Errorf("%s: message %q, want it to start with %q and contain %q", c.name, msg, c.field+" ", c.substr)
		}
		if openErr == nil || sb.ErrorMessage(openErr) != msg {
			t.Errorf("%s: Open error %v, want the Validate error", c.name, openErr)
		}
	}
}

// TestConcurrentUse checks, under -race, that Open and NextChange may be
// called from many goroutines, on a validated plan and on one that was not.
func TestConcurrentUse(t *testing.T) {
	validated := valid(t, office("Europe/Paris"))
	raw := office("America/New_York")
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				at := start.Add(time.Duration(i) * 37 * time.Minute)
				for _, p := range []*worktime.Plan{validated, raw} {
					if _, err := p.Open(at); err != nil {
						t.Error(err)
						return
					}
					p.NextChange(at)
				}
			}
		}()
	}
	wg.Wait()
}
