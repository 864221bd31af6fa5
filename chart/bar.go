package chart

import "unicode/utf8"

// Bar is a grouped bar chart: one group of bars per category (agent,
// group or channel), one bar per series.
type Bar struct {
	Title      string
	Categories []string
	Series     []Series
	// Horizontal lays the categories out in rows, which suits many
	// categories with long names.
	Horizontal bool
	// Format writes values on the axis and in tooltips; nil uses Number.
	Format func(float64) string
	// Max, when positive, is the least top of the value axis.
	Max float64
	// Integer keeps the axis ticks whole numbers, for counts.
	Integer bool
	Width   float64 // default 720
}

func (c Bar) format() func(float64) string {
	if c.Format != nil {
		return c.Format
	}
	return Number
}

func (c Bar) value(s, i int) float64 {
	if i < len(c.Series[s].Values) {
		return finite(c.Series[s].Values[i])
	}
	return 0
}

// SVG renders the chart as a standalone SVG document.
func (c Bar) SVG() []byte {
	if c.Horizontal {
		return c.horizontal()
	}
	return c.vertical()
}

// header draws the title and the legend; it answers the y where the plot
// may start.
func header(d *doc, series []Series) float64 {
	return d.legend(16, 44, series) + 4
}

// empty notes a chart without data.
func empty(d *doc, y float64) {
	d.text(d.w/2, y+40, "No data in this period", `text-anchor="middle" fill="`+muted+`"`)
}

func (c Bar) vertical() []byte {
	w := c.Width
	if w <= 0 {
		w = 720
	}
	n, k := len(c.Categories), max(len(c.Series), 1)
	const left, right, bottom, plotH = 64.0, 16.0, 40.0, 240.0
	d := newDoc(w, c.Title)
	top := header(d, c.Series) + 8
	h := top + plotH + bottom
	d.h = h
	plotW := w - left - right
	sc := newScale(c.Series, c.Max, c.Integer)
	f := c.format()
	for _, t := range sc.ticks() {
		y := top + plotH - sc.pos(t, plotH)
		d.line(left, y, w-right, y, gridline)
		d.text(left-6, y+4, f(t), `text-anchor="end" fill="`+muted+`"`)
	}
	zero := top + plotH - sc.pos(0, plotH)
	if n == 0 {
		empty(d, top)
	} else {
		band := plotW / float64(n)
		barW := min(band*0.8/float64(k), maxBar)
		chars := max(int(band/7), 3)
		for i, cat := range c.Categories {
			x0 := left + band*float64(i) + (band-barW*float64(k))/2
			for s := range c.Series {
				v := c.value(s, i)
				y := top + plotH - sc.pos(v, plotH)
				d.rect(x0+barW*float64(s), min(y, zero), barW*0.92, abs(zero-y), color(s),
					clean(cat)+" · "+clean(c.Series[s].Name)+": "+f(v))
			}
			d.label(left+band*(float64(i)+0.5), top+plotH+16, cat, chars, `text-anchor="middle"`)
		}
	}
	d.line(left, zero, w-right, zero, muted)
	return d.bytes()
}

func (c Bar) horizontal() []byte {
	w := c.Width
	if w <= 0 {
		w = 720
	}
	n, k := len(c.Categories), max(len(c.Series), 1)
	labelW := 16.0
	for _, cat := range c.Categories {
		labelW = max(labelW, 7*float64(min(utf8.RuneCountInString(clean(cat)), maxLabel)))
	}
	left := labelW + 24
	const right, bottom = 24.0, 28.0
	rowH := max(24, 12*float64(k)+10)
	d := newDoc(w, c.Title)
	top := header(d, c.Series) + 8
	plotH := rowH * float64(max(n, 1))
	if n == 0 {
		plotH = 80
	}
	h := top + plotH + bottom
	d.h = h
	plotW := w - left - right
	sc := newScale(c.Series, c.Max, c.Integer)
	f := c.format()
	for _, t := range sc.ticks() {
		x := left + sc.pos(t, plotW)
		d.line(x, top, x, top+plotH, gridline)
		d.text(x, top+plotH+16, f(t), `text-anchor="middle" fill="`+muted+`"`)
	}
	zero := left + sc.pos(0, plotW)
	if n == 0 {
		empty(d, top)
	}
	barH := (rowH - 8) / float64(k)
	for i, cat := range c.Categories {
		y0 := top + rowH*float64(i) + 4
		for s := range c.Series {
			v := c.value(s, i)
			x := left + sc.pos(v, plotW)
			d.rect(min(x, zero), y0+barH*float64(s), abs(x-zero), barH*0.9, color(s),
				clean(cat)+" · "+clean(c.Series[s].Name)+": "+f(v))
		}
		d.label(left-8, y0+(rowH-8)/2+4, cat, maxLabel, `text-anchor="end"`)
	}
	d.line(zero, top, zero, top+plotH, muted)
	return d.bytes()
}

// maxBar is the widest a vertical bar gets.
const maxBar = 56.0

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
