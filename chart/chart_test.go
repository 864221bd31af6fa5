package chart_test

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/chart"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./chart -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; look at the new one with -update and review the diff", name)
	}
}

// wellFormed decodes doc as XML to its end and answers its text.
func wellFormed(t testing.TB, doc []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
				if tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Fatalf("root namespace = %q", tok.Name.Space)
				}
			}
			if tok.Name.Local == "script" || tok.Name.Local == "style" || tok.Name.Local == "foreignObject" {
				t.Fatalf("the chart has a %s element", tok.Name.Local)
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	if root != "svg" {
		t.Fatalf("root element = %q, want svg", root)
	}
	return text.String()
}

func agents() chart.Bar {
	return chart.Bar{
		Title:      "Agent workload",
		Categories: []string{"Ana Lima", "Bo Chen", "Zoë <Ops> & \"Co\"", "A very long agent name that will not fit"},
		Series: []chart.Series{
			{Name: "Sessions picked up", Values: []float64{12, 7, 3, 0}},
			{Name: "Sessions ended", Values: []float64{10, 7, 2, 1}},
		},
		Horizontal: true,
		Integer:    true,
	}
}

func TestBarGolden(t *testing.T) {
	golden(t, "agents-horizontal.svg", agents().SVG())
	v := agents()
	v.Horizontal = false
	v.Title = "Channels"
	v.Categories = []string{"web", "whatsapp", "api", "sms"}
	golden(t, "channels-vertical.svg", v.SVG())
	golden(t, "empty.svg", chart.Bar{Title: "Nothing", Series: []chart.Series{{Name: "Sessions"}}, Horizontal: true}.SVG())
}

func TestLineGolden(t *testing.T) {
	labels := []string{"09:00", "09:15", "09:30", "09:45", "10:00", "10:15"}
	golden(t, "service-level-line.svg", chart.Line{
		Title: "Service level by 15 minutes", Labels: labels, Max: 1, Format: chart.Percent,
		Series: []chart.Series{
			{Name: "Service level", Values: []float64{1, 0.8, 0.75, 0.5, 0.9, 1}},
			{Name: "Abandon rate", Values: []float64{0, 0.1, 0.25, 0.3, 0.05, 0}},
		},
	}.SVG())
	golden(t, "offered-columns.svg", chart.Line{
		Title: "Offered and answered", Labels: labels, Columns: true,
		Series: []chart.Series{
			{Name: "Offered", Values: []float64{4, 6, 9, 12, 5, 2}},
			{Name: "Answered", Values: []float64{4, 5, 7, 8, 5, 2}},
		},
	}.SVG())
}

func TestLabelsAreEscapedAndClipped(t *testing.T) {
	doc := agents().SVG()
	text := wellFormed(t, doc)
	if bytes.Contains(doc, []byte("<Ops>")) || !bytes.Contains(doc, []byte("Zoë &lt;Ops&gt; &amp; &#34;Co&#34;")) {
		t.Errorf("the label is not escaped:\n%s", doc)
	}
	// A clipped label shows an ellipsis and keeps the whole name as a tooltip.
	if !strings.Contains(text, "A very long agent nam…") || !strings.Contains(text, "A very long agent name that will not fit") {
		t.Errorf("long label: text = %q", text)
	}
	for _, tick := range []string{"0", "2", "4", "6", "8", "10", "12"} {
		if !strings.Contains(doc2text(doc), ">"+tick+"</text>") {
			t.Errorf("no axis tick %s", tick)
		}
	}
	if !strings.Contains(text, "Sessions picked up") || !strings.Contains(text, "Sessions ended") {
		t.Error("the legend does not name both series")
	}
	if !strings.Contains(text, "Ana Lima · Sessions picked up: 12") {
		t.Error("a bar has no tooltip with its value")
	}
}

func doc2text(b []byte) string { return string(b) }

func TestCountsHaveWholeTicks(t *testing.T) {
	one := []chart.Series{{Name: "Sessions", Values: []float64{1}}}
	doc := string(chart.Bar{Categories: []string{"Ana"}, Series: one, Integer: true}.SVG())
	if strings.Contains(doc, ">0.5<") || !strings.Contains(doc, ">1</text>") {
		t.Errorf("ticks of a count of 1:\n%s", doc)
	}
	if doc := string(chart.Bar{Categories: []string{"Ana"}, Series: one}.SVG()); !strings.Contains(doc, ">0.2</text>") {
		t.Error("fractional values lost their fractional ticks")
	}
}

func TestPercentTicksStopAtTheFixedMaximum(t *testing.T) {
	doc := string(chart.Line{Labels: []string{"a"}, Series: []chart.Series{{Name: "x", Values: []float64{0.4}}}, Max: 1, Format: chart.Percent}.SVG())
	for _, tick := range []string{">0%<", ">20%<", ">100%<"} {
		if !strings.Contains(doc, tick) {
			t.Errorf("no tick %s", tick)
		}
	}
	if strings.Contains(doc, ">120%<") {
		t.Error("the axis goes past 100%")
	}
}

func TestFormats(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 12: "12", 2.5: "2.5", 1.0 / 3: "0.33", -0.001: "0", 1e20: "1e+20", math.NaN(): "0"} {
		if got := chart.Number(v); got != want {
			t.Errorf("Number(%v) = %q, want %q", v, got, want)
		}
	}
	if got := chart.Percent(0.1 + 0.2); got != "30%" {
		t.Errorf("Percent(0.3) = %q", got)
	}
	if got := chart.Seconds(90_050); got != "90.1 s" {
		t.Errorf("Seconds(90050) = %q", got)
	}
}

// Any labels and values make a well-formed document.
func FuzzChartsAreWellFormed(f *testing.F) {
	f.Add("Ana", "Sessions", 1.5, -2.0, true)
	f.Add("<x>&\"'\x00\xff\n\t", "\u2028]]>", math.Inf(1), math.NaN(), false)
	f.Add("", "", 1e308, -1e308, true)
	f.Fuzz(func(t *testing.T, label, series string, a, b float64, horizontal bool) {
		cats := []string{label, label + label, "x"}
		ss := []chart.Series{{Name: series, Values: []float64{a, b}}, {Name: label, Values: []float64{b, a, a}}}
		wellFormed(t, chart.Bar{Title: label, Categories: cats, Series: ss, Horizontal: horizontal, Integer: horizontal}.SVG())
		wellFormed(t, chart.Line{Title: series, Labels: cats, Series: ss, Columns: horizontal, Max: a}.SVG())
	})
}

// A long line keeps its marks off: 10,000 circles would blot the line
// and weigh the document down.
func TestLongLinesHaveNoMarks(t *testing.T) {
	labels := make([]string, 300)
	vals := make([]float64, 300)
	for i := range labels {
		labels[i], vals[i] = "x", float64(i%7)
	}
	long := chart.Line{Labels: labels, Series: []chart.Series{{Name: "a", Values: vals}}}.SVG()
	short := chart.Line{Labels: labels[:10], Series: []chart.Series{{Name: "a", Values: vals[:10]}}}.SVG()
	if bytes.Contains(long, []byte("<circle")) || bytes.Count(short, []byte("<circle")) != 10 {
		t.Errorf("marks: %d on 300 points, %d on 10", bytes.Count(long, []byte("<circle")), bytes.Count(short, []byte("<circle")))
	}
	wellFormed(t, long)
}

// An interval with no value (NaN) is a gap: the line breaks there and the
// interval has no mark.
func TestLinesBreakAtGaps(t *testing.T) {
	nan := math.NaN()
	c := chart.Line{Labels: []string{"09:00", "10:00", "11:00", "12:00", "13:00"},
		Series: []chart.Series{{Name: "Service level", Values: []float64{0.5, 0.8, nan, 0.9, nan}}}, Max: 1}
	svg := c.SVG()
	if n := bytes.Count(svg, []byte("<polyline")); n != 2 {
		t.Errorf("%d lines, want 2 (before and after the gap)", n)
	}
	if n := bytes.Count(svg, []byte("<circle")); n != 3 {
		t.Errorf("%d marks, want 3", n)
	}
	// Five bands of 128 px from x = 64; 0.5, 0.8 and 0.9 of 240 px up from y = 296.
	if !bytes.Contains(svg, []byte(`points="128,176 256,104"`)) || !bytes.Contains(svg, []byte(`points="512,80"`)) ||
		bytes.Contains(svg, []byte("NaN")) {
		t.Errorf("lines drawn wrong:\n%s", svg)
	}
	wellFormed(t, svg)
}

// Long labels are spaced so that they do not overlap.
func TestLongLabelsAreThinned(t *testing.T) {
	labels := make([]string, 168)
	for i := range labels {
		labels[i] = fmt.Sprintf("11-%02d %02d:00", 18+i/24, i%24)
	}
	svg := chart.Line{Labels: labels, Series: []chart.Series{{Name: "a", Values: make([]float64, 168)}}}.SVG()
	// 640 px of plot for 168 intervals (3.8 px each): a label of 11
	// characters needs 83.5 px, so every 22nd interval is labelled.
	if n := bytes.Count(svg, []byte(`text-anchor="middle"`)); n != 8 {
		t.Errorf("%d axis labels, want 8", n)
	}
	if !bytes.Contains(svg, []byte(">11-18 22:00<")) {
		t.Errorf("the second label is not the 22nd interval's whole label")
	}
}
