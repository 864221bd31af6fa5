package httpapi

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// Whatever the query string, parseReportQuery either refuses it or answers
// a query within the documented limits.
func FuzzParseReportQuery(f *testing.F) {
	f.Add("transfers", "from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=10&kind=agent&success=false&from_agent_id=3")
	f.Add("service-level", "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=15&within=30&short_abandon=5")
	f.Add("queues", "from=2026-03-01T00:00:00%2B02:00&to=2026-03-01T01:00:00Z&threshold=60&channel=web&channel=web&group_id=2")
	f.Add("agent-workload", "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&agent_id=9223372036854775807")
	f.Fuzz(func(t *testing.T, name, query string) {
		r := httptest.NewRequest("GET", "/api/v1/reports/x", nil)
		r.URL.RawQuery = query
		rq, err := parseReportQuery(r, name, false)
		if err != nil {
			return
		}
		if !rq.From.Before(rq.To) || rq.To.Sub(rq.From) > MaxReportDays*24*time.Hour {
			t.Fatalf("accepted range %v – %v", rq.From, rq.To)
		}
		for _, ids := range [][]int64{rq.AgentIDs, rq.GroupIDs, rq.FromAgentIDs} {
			if slices.ContainsFunc(ids, func(id int64) bool { return id <= 0 }) {
				t.Fatalf("accepted IDs %v", ids)
			}
		}
		if rq.Limit < 0 || rq.Limit > 1000 || (rq.QueueThreshold != 0 && (rq.QueueThreshold < time.Second || rq.QueueThreshold > time.Hour)) {
			t.Fatalf("accepted limit %d, threshold %v", rq.Limit, rq.QueueThreshold)
		}
		if iv := rq.level.Interval; iv != 15*time.Minute && iv != 30*time.Minute && iv != time.Hour {
			t.Fatalf("accepted interval %v", iv)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(time.Date(2026, 3, 1, 9, 0, 0, 5, time.UTC), 12, 3))
	f.Add("dDEuLTEuMi4z")
	f.Fuzz(func(t *testing.T, c string) {
		at, sid, tid, err := decodeCursor(c)
		if err != nil {
			return
		}
		if sid < 0 || tid < 0 {
			t.Fatalf("negative position %d %d", sid, tid)
		}
		a2, s2, t2, err := decodeCursor(encodeCursor(at, sid, tid))
		if err != nil || !a2.Equal(at) || s2 != sid || t2 != tid {
			t.Fatalf("cursor does not round-trip: %v %d %d", at, sid, tid)
		}
	})
}
