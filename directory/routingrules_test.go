package directory

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/sqlite"
	"github.com/switchboardhq/switchboard/worktime"
)

// A rule's off-hours target applies outside its work-time plan.
func TestRoutingRuleOffHours(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // 10:00 in Paris
	d, err := Open(ctx, db, clock.NewVirtual(monday))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Day", "Night"} {
		if _, err := d.SaveQueue(ctx, sb.Queue{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	plan, err := d.SavePlan(ctx, worktime.Plan{Name: "Office", TimeZone: "Europe/Paris",
		Weekly: []worktime.Day{{Weekday: "monday", Hours: []worktime.Range{{From: "09:00", To: "18:00"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SaveRoutingRule(ctx, sb.RoutingRule{Name: "web", Enabled: true, Match: sb.MatchChannel, Value: "web",
		Target: sb.RouteTarget{QueueID: 1}, OffHours: &sb.RouteTarget{QueueID: 2}, WorkTimePlanID: plan.ID}); err != nil {
		t.Fatal(err)
	}
	in := RouteInput{Channel: sb.ChannelWeb}
	for _, c := range []struct {
		at   time.Time
		want int64
	}{
		{monday, 1},                     // 10:00 in Paris
		{monday.Add(9 * time.Hour), 2},  // 19:00 in Paris
		{monday.Add(24 * time.Hour), 2}, // Tuesday: no hours
	} {
		q, _, rule, err := d.Route(in, c.at)
		if err != nil || q != c.want || rule.Name != "web" {
			t.Errorf("at %s: queue %d (%v), want %d", c.at, q, err, c.want)
		}
	}
	// Disabled rules are skipped; positions order the rest.
	if _, err := d.SaveRoutingRule(ctx, sb.RoutingRule{ID: 1, Name: "web", Enabled: false, Match: sb.MatchChannel, Value: "web",
		Target: sb.RouteTarget{QueueID: 1}, Position: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := d.Route(in, monday); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("with the only rule disabled: %v", err)
	}
	// The way in's own group (a web plugin's) takes what no rule matches,
	// with no rule; a rule that matches still decides.
	in.QueueID = 2
	if q, _, rule, err := d.Route(in, monday); err != nil || q != 2 || rule.ID != 0 {
		t.Errorf("with no rule matching, the own group: queue %d, rule %d, %v", q, rule.ID, err)
	}
	if _, err := d.SaveRoutingRule(ctx, sb.RoutingRule{ID: 1, Name: "web", Enabled: true, Match: sb.MatchChannel, Value: "web",
		Target: sb.RouteTarget{QueueID: 1}, Position: 1}); err != nil {
		t.Fatal(err)
	}
	if q, _, rule, err := d.Route(in, monday); err != nil || q != 1 || rule.ID != 1 {
		t.Errorf("with a rule matching: queue %d, rule %d, %v", q, rule.ID, err)
	}
	if _, _, _, err := d.Route(RouteInput{Channel: sb.ChannelSMS, QueueID: 9}, monday); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("an own group that does not exist: %v", err)
	}
}

func TestGroupNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"Support": true, "售后服务": true, "VIP 2": true, "Orders/Returns": true, "Web sales (EU)": true,
		"Ventes été": false, "Поддержка": false, "support!": false, "   ": false, "a\tb": false,
	} {
		if groupName(name) != ok {
			t.Errorf("groupName(%q) = %v, want %v", name, !ok, ok)
		}
	}
}
