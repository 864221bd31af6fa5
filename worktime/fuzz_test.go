package worktime_test

import (
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/worktime"
)

var fuzzZones = []string{
	"Europe/Paris", "America/New_York", "Asia/Shanghai", "UTC", "Australia/Lord_Howe",
	"Asia/Kathmandu", "America/Santiago", "Pacific/Apia", "Africa/Casablanca", "America/St_Johns",
}

var fuzzWeekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// clock turns a number into "HH:MM" from 00:00 to 24:00 in quarter hours,
// with an occasional odd minute, so that random plans are often valid.
func clock(n uint16) string {
	m := int(n) % (24*4 + 1) * 15
	if n&0x8000 != 0 {
		m = int(n>>4) % (24*60 + 1)
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

func day(n int16) string {
	return time.Date(2026, 1, 1+int(n)%800, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// FuzzOpen builds plans from random strings and numbers and checks that
// Validate never panics and only returns invalid errors, that Open never
// fails on a valid plan, and that NextChange returns an instant after t at
// which Open takes the new value, with the old value everywhere before it.
func FuzzOpen(f *testing.F) {
	f.Add(uint8(0), "", uint8(0x3e), uint16(36), uint16(50), uint16(54), uint16(70), "", "", int16(352), int16(357), int16(2), "", int64(0))
	f.Add(uint8(0), "", uint8(0xff), uint16(4), uint16(10), uint16(11), uint16(12), "09:00", "24:00", int16(87), int16(296), int16(0), "2026-03-29", int64(7_500_000))
	f.Add(uint8(1), "", uint8(0x01), uint16(8), uint16(10), uint16(0), uint16(96), "23:00", "24:00", int16(0), int16(0), int16(-1), "2026-02-30", int64(-12345))
	f.Add(uint8(250), "Europe/Paris", uint8(0x80), uint16(0), uint16(96), uint16(0), uint16(0), "9:00", "17:00", int16(-5), int16(3), int16(400), "bad", int64(1))
	f.Add(uint8(250), "Mars/Base", uint8(0), uint16(0), uint16(0), uint16(0), uint16(0), "", "", int16(0), int16(0), int16(0), "", int64(0))
	f.Fuzz(func(t *testing.T, tzIdx uint8, rawTZ string, mask uint8, r1, r2, r3, r4 uint16,
		rawFrom, rawTo string, customDay, holDay, holLen int16, rawDate string, sec int64) {
		p := &worktime.Plan{Name: "fuzz", TimeZone: rawTZ}
		if int(tzIdx) < 200 {
			p.TimeZone = fuzzZones[int(tzIdx)%len(fuzzZones)]
		}
		for wd := 0; wd < 7; wd++ {
			if mask&(1<<wd) != 0 {
				p.Weekly = append(p.Weekly, worktime.Day{Weekday: fuzzWeekdays[wd],
					Hours: []worktime.Range{{From: clock(r1), To: clock(r2)}, {From: clock(r3), To: clock(r4)}}})
			}
		}
		if mask&0x80 != 0 {
			p.Weekly = append(p.Weekly, worktime.Day{Weekday: rawDate, Hours: []worktime.Range{{From: rawFrom, To: rawTo}}})
		}
		if customDay != 0 {
			p.Custom = append(p.Custom, worktime.Date{Date: day(customDay), Hours: []worktime.Range{{From: clock(r2), To: clock(r4)}}})
		}
		if rawDate != "" {
			p.Custom = append(p.Custom, worktime.Date{Date: rawDate, Hours: []worktime.Range{{From: rawFrom, To: rawTo}}})
			p.Holidays = append(p.Holidays, worktime.Holiday{Name: rawTZ, From: rawDate, To: rawTo})
		}
		if holDay != 0 {
			to := ""
			if holLen != 0 {
				to = day(holDay + holLen%40)
			}
			p.Holidays = append(p.Holidays, worktime.Holiday{From: day(holDay), To: to})
		}
		// Instants from 2025 to 2028, with nanoseconds.
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		span := int64(4 * 365 * 24 * time.Hour)
		off := sec % span
		if off < 0 {
			off += span
		}
		t0 := base.Add(time.Duration(off))

		if err := p.Validate(); err != nil {
			if code := sb.ErrorCode(err); code != sb.EINVALID {
				t.Fatalf("Validate: code %q, want invalid: %v", code, err)
			}
			if _, oerr := p.Open(t0); oerr == nil {
				t.Fatalf("Open accepted a plan Validate refused: %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil { // normalizing keeps the plan valid
			t.Fatalf("second Validate: %v", err)
		}
		cur, err := p.Open(t0)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		// The same plan without Validate's cache must answer the same.
		fresh := &worktime.Plan{Name: p.Name, TimeZone: p.TimeZone, Weekly: p.Weekly, Custom: p.Custom, Holidays: p.Holidays}
		at, open, ok := p.NextChange(t0)
		at2, open2, ok2 := fresh.NextChange(t0)
		if !at.Equal(at2) || open != open2 || ok != ok2 {
			t.Fatalf("NextChange differs without Validate: %v %v %v vs %v %v %v", at, open, ok, at2, open2, ok2)
		}
		if !ok {
			return
		}
		if !at.After(t0) {
			t.Fatalf("NextChange(%v) = %v, not after t", t0, at)
		}
		if open == cur {
			t.Fatalf("NextChange(%v) = %v, %v: the value does not change", t0, at, open)
		}
		if at.Sub(t0) > 400*24*time.Hour+time.Hour {
			t.Fatalf("NextChange(%v) = %v, beyond 400 days", t0, at)
		}
		now, _ := p.Open(at)
		before, _ := p.Open(at.Add(-time.Nanosecond))
		if now != open || before == now {
			t.Fatalf("NextChange(%v) = %v, %v; Open just before = %v, at = %v", t0, at, open, before, now)
		}
		// Open keeps its old value between t and at.
		d := at.Sub(t0)
		for k := int64(1); k < 16; k++ {
			m := t0.Add(time.Duration(int64(d) / 16 * k))
			if o, _ := p.Open(m); o != cur {
				t.Fatalf("NextChange(%v) = %v, but Open(%v) already = %v", t0, at, m, o)
			}
		}
	})
}
