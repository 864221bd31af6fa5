package chart_test

import (
	"strconv"
	"testing"

	"github.com/switchboardhq/switchboard/chart"
)

// The largest charts the report pages ask for: 40 agents with three bars
// each, and 10,000 service-level intervals with two lines.
func BenchmarkBar40Agents(b *testing.B) {
	c := chart.Bar{Title: "Agent workload", Horizontal: true, Integer: true}
	for i := range 40 {
		c.Categories = append(c.Categories, "Agent "+strconv.Itoa(i))
	}
	for s := range 3 {
		ser := chart.Series{Name: "Series " + strconv.Itoa(s)}
		for i := range 40 {
			ser.Values = append(ser.Values, float64(i*s))
		}
		c.Series = append(c.Series, ser)
	}
	for b.Loop() {
		c.SVG()
	}
}

func BenchmarkLine10000Intervals(b *testing.B) {
	c := chart.Line{Title: "Service level", Max: 1, Format: chart.Percent, Series: []chart.Series{{Name: "Service level"}, {Name: "Abandon rate"}}}
	for i := range 10000 {
		c.Labels = append(c.Labels, strconv.Itoa(i))
		c.Series[0].Values = append(c.Series[0].Values, float64(i%100)/100)
		c.Series[1].Values = append(c.Series[1].Values, float64(i%10)/100)
	}
	var n int
	for b.Loop() {
		n = len(c.SVG())
	}
	b.ReportMetric(float64(n), "bytes/doc")
}
