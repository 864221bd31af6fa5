package chart

import "math"

// Line is a chart of values by interval: each series a line with a mark
// at every interval, or, with Columns, grouped columns.
type Line struct {
	Title string
	// Labels name the intervals ("09:00"); the axis shows as many as fit.
	Labels []string
	// Series hold a value per interval; NaN is a gap (no value), which a
	// line skips.
	Series  []Series
	Columns bool
	// Format writes values on the axis and in tooltips; nil uses Number.
	Format func(float64) string
	// Max, when positive, is the least top of the value axis (1 for rates).
	Max float64
	// Integer keeps the axis ticks whole numbers, for counts.
	Integer bool
	Width   float64 // default 720
}

// maxTick is the most characters an interval's label shows
// ("11-18 09:00").
const maxTick = 11

// maxMarks is the most points a line marks (with a tooltip each).
const maxMarks = 200

// SVG renders the chart as a standalone SVG document.
func (c Line) SVG() []byte {
	w := c.Width
	if w <= 0 {
		w = 720
	}
	f := c.Format
	if f == nil {
		f = Number
	}
	const left, right, bottom, plotH = 64.0, 16.0, 40.0, 240.0
	d := newDoc(w, c.Title)
	top := header(d, c.Series) + 8
	d.h = top + plotH + bottom
	plotW := w - left - right
	sc := newScale(c.Series, c.Max, c.Integer)
	for _, t := range sc.ticks() {
		y := top + plotH - sc.pos(t, plotH)
		d.line(left, y, w-right, y, gridline)
		d.text(left-6, y+4, f(t), `text-anchor="end" fill="`+muted+`"`)
	}
	zero := top + plotH - sc.pos(0, plotH)
	n := len(c.Labels)
	if n == 0 {
		empty(d, top)
		d.line(left, zero, w-right, zero, muted)
		return d.bytes()
	}
	band := plotW / float64(n)
	// Label every k-th interval so that labels do not overlap (about 6.5
	// pixels a character, and a gap).
	longest := 0
	for _, l := range c.Labels {
		longest = max(longest, len([]rune(clean(l))))
	}
	every := 1
	for band*float64(every) < float64(min(longest, maxTick))*6.5+12 {
		every++
	}
	for i, l := range c.Labels {
		x := left + band*(float64(i)+0.5)
		if i%every == 0 {
			d.line(x, zero, x, zero+4, muted)
			d.label(x, top+plotH+16, l, maxTick, `text-anchor="middle" fill="`+muted+`"`)
		}
	}
	k := max(len(c.Series), 1)
	for s, ser := range c.Series {
		val := func(i int) float64 {
			if i < len(ser.Values) {
				return finite(ser.Values[i])
			}
			return 0
		}
		if c.Columns {
			colW := min(band*0.8/float64(k), maxBar)
			for i, l := range c.Labels {
				y := top + plotH - sc.pos(val(i), plotH)
				d.rect(left+band*float64(i)+(band-colW*float64(k))/2+colW*float64(s), min(y, zero), colW*0.92, abs(zero-y), color(s),
					clean(l)+" · "+clean(ser.Name)+": "+f(val(i)))
			}
			continue
		}
		gap := func(i int) bool { return i >= len(ser.Values) || math.IsNaN(ser.Values[i]) }
		// One polyline for each run of values between gaps.
		for i := 0; i < n; {
			if gap(i) {
				i++
				continue
			}
			d.b.WriteString(`<polyline fill="none" stroke="` + color(s) + `" stroke-width="2" points="`)
			start := i
			for ; i < n && !gap(i); i++ {
				if i > start {
					d.b.WriteByte(' ')
				}
				d.b.WriteString(num(left+band*(float64(i)+0.5)) + "," + num(top+plotH-sc.pos(val(i), plotH)))
			}
			d.b.WriteString(`"/>` + "\n")
		}
		if len(c.Labels) > maxMarks {
			continue // a mark per point would only blot the line
		}
		for i, l := range c.Labels {
			if gap(i) {
				continue
			}
			d.b.WriteString(`<circle cx="` + num(left+band*(float64(i)+0.5)) + `" cy="` + num(top+plotH-sc.pos(val(i), plotH)) +
				`" r="3" fill="` + color(s) + `"><title>` + esc(clean(l)+" · "+clean(ser.Name)+": "+f(val(i))) + "</title></circle>\n")
		}
	}
	d.line(left, zero, w-right, zero, muted)
	return d.bytes()
}
