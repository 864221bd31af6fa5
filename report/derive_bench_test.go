package report_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
)

// BenchmarkDerive derives the facts of a typical chat: queued, picked up,
// eight messages, transferred once, ended and rated.
func BenchmarkDerive(b *testing.B) {
	c := newChat(b, 1, 0, 1).say(5*time.Second, 0, "hello").assign(20*time.Second, 7)
	for i := range 3 {
		at := time.Duration(30+i*40) * time.Second
		c.say(at, 7, "answer").say(at+20*time.Second, 0, "question")
	}
	c.toAgent(3*time.Minute, 8).say(4*time.Minute, 8, "done")
	c.end(5*time.Minute, lifecycle.ByEndUser).do(6*time.Minute, &lifecycle.Rate{Rating: 4})
	b.ReportMetric(float64(len(c.events)), "events/session")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.Derive(c.events); err != nil {
			b.Fatal(err)
		}
	}
}
