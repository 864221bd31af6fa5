// Package chart draws the reports' charts as standalone SVG documents:
// grouped bar charts (vertical or horizontal) for values per agent, group
// or channel, and a line or column chart by interval. The documents use
// presentation attributes only (no style element, no script), so they
// render in an <img> under a strict content security policy; every label
// is escaped, and text that XML cannot hold is replaced.
package chart

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Series is one named set of values, one per category or interval.
type Series struct {
	Name   string
	Values []float64
}

// Palette are the series' colours, in order; they repeat past the end.
// They keep 3:1 contrast against white.
var Palette = []string{"#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f"}

const (
	font     = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
	ink      = "#1f2937"
	muted    = "#6b7280"
	gridline = "#e5e7eb"
	// maxLabel is the most characters a category label shows; the whole
	// label is in the element's tooltip.
	maxLabel = 22
)

// doc accumulates an SVG document's body; its size is set once the
// layout is known.
type doc struct {
	b     bytes.Buffer
	w, h  float64
	title string
}

func newDoc(w float64, title string) *doc {
	d := &doc{w: w, title: title}
	if title != "" {
		d.text(16, 22, clip(title, 80), `font-size="15" font-weight="600"`)
	}
	return d
}

func (d *doc) bytes() []byte {
	var out bytes.Buffer
	out.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + num(d.w) + `" height="` + num(d.h) +
		`" viewBox="0 0 ` + num(d.w) + " " + num(d.h) + `" role="img" font-family="` + font + `" font-size="12" fill="` + ink + `">` + "\n")
	out.WriteString("<title>" + esc(d.title) + "</title>\n")
	out.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	out.Write(d.b.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// text writes a text element; attrs are trusted attributes.
func (d *doc) text(x, y float64, s, attrs string) {
	d.b.WriteString(`<text x="` + num(x) + `" y="` + num(y) + `"`)
	if attrs != "" {
		d.b.WriteString(" " + attrs)
	}
	d.b.WriteString(">" + esc(s) + "</text>\n")
}

// label writes a category label clipped to n characters, with the whole
// label as its tooltip when clipped.
func (d *doc) label(x, y float64, s string, n int, attrs string) {
	c := clip(s, n)
	if c == clean(s) {
		d.text(x, y, c, attrs)
		return
	}
	d.b.WriteString(`<g><title>` + esc(s) + "</title>")
	d.text(x, y, c, attrs)
	d.b.WriteString("</g>\n")
}

func (d *doc) line(x1, y1, x2, y2 float64, stroke string) {
	d.b.WriteString(`<line x1="` + num(x1) + `" y1="` + num(y1) + `" x2="` + num(x2) + `" y2="` + num(y2) +
		`" stroke="` + stroke + `" stroke-width="1"/>` + "\n")
}

// rect writes a bar with its value and series as a tooltip.
func (d *doc) rect(x, y, w, h float64, fill, tip string) {
	d.b.WriteString(`<rect x="` + num(x) + `" y="` + num(y) + `" width="` + num(max(w, 0)) + `" height="` +
		num(max(h, 0)) + `" fill="` + fill + `"><title>` + esc(tip) + "</title></rect>\n")
}

// legend writes the series' names in a row from (x, y), wrapping at the
// document's width; it returns the y below the last row.
func (d *doc) legend(x, y float64, series []Series) float64 {
	if len(series) < 2 {
		return y
	}
	cx := x
	for i, s := range series {
		name := clip(s.Name, 30)
		w := 22 + 7*float64(utf8.RuneCountInString(name))
		if cx > x && cx+w > d.w-16 {
			cx, y = x, y+18
		}
		d.b.WriteString(`<rect x="` + num(cx) + `" y="` + num(y-9) + `" width="10" height="10" rx="2" fill="` + color(i) + `"/>` + "\n")
		d.text(cx+14, y, name, `fill="`+muted+`"`)
		cx += w + 12
	}
	return y + 18
}

func color(i int) string { return Palette[i%len(Palette)] }

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// esc escapes s as XML character data; characters XML cannot hold become
// U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// clean drops line breaks and tabs from a label.
func clean(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// clip shortens s to n characters with an ellipsis.
func clip(s string, n int) string {
	s = clean(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(n-1, 1)])) + "…"
}

// finite is v, or 0 for NaN and infinities.
func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// scale is a linear axis from lo to hi (lo ≤ 0 ≤ hi) with round ticks.
type scale struct {
	lo, hi, step float64
}

// newScale returns the axis over values, always including 0, extended to
// round ticks; fixedMax, when positive, is the least top (a percentage's
// 1); integer keeps the ticks whole numbers (counts).
func newScale(series []Series, fixedMax float64, integer bool) scale {
	lo, hi := 0.0, 0.0
	for _, s := range series {
		for _, v := range s.Values {
			v = finite(v)
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if fixedMax > 0 && hi <= fixedMax {
		hi = fixedMax
	}
	if hi-lo < 1e-9 || hi-lo > 1e300 {
		if hi-lo > 1e300 {
			lo, hi = -1e300, 1e300
		} else {
			hi = lo + 1
		}
	}
	step := niceStep(lo, hi)
	if integer && step < 1 {
		step = 1
	}
	return scale{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step, step: step}
}

// niceStep is the smallest step of 1, 2 or 5 times a power of ten that
// splits [lo, hi] into at most 8 ticks.
func niceStep(lo, hi float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10((hi-lo)/8)))
	for range 4 {
		for _, m := range []float64{1, 2, 5} {
			if step := m * p; math.Ceil(hi/step*(1-1e-12))-math.Floor(lo/step*(1-1e-12)) <= 8 {
				return step
			}
		}
		p *= 10
	}
	return p
}

// ticks lists the tick values from lo to hi.
func (s scale) ticks() []float64 {
	var out []float64
	n := int(math.Round((s.hi - s.lo) / s.step))
	if n > 20 {
		n = 20
	}
	for i := 0; i <= n; i++ {
		out = append(out, s.lo+float64(i)*(s.hi-s.lo)/float64(max(n, 1)))
	}
	return out
}

// pos maps v onto [0, length] of the axis.
func (s scale) pos(v, length float64) float64 {
	return (finite(v) - s.lo) / (s.hi - s.lo) * length
}

// Number formats a value for ticks and tooltips: integers as they are,
// others with up to two decimals.
func Number(v float64) string {
	v = finite(v)
	if math.Abs(v) >= 1e15 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	r := math.Round(v*100) / 100
	if r == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Percent formats a fraction as a whole percentage for ticks ("25%").
func Percent(v float64) string {
	return Number(math.Round(finite(v)*1000)/10) + "%"
}

// Seconds formats milliseconds as seconds ("90 s").
func Seconds(ms float64) string {
	return Number(math.Round(finite(ms)/100)/10) + " s"
}
