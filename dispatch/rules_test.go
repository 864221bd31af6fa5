package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
	"github.com/switchboardhq/switchboard/worktime"
)

// officeHoursOnly gives Support a plan open Mondays 11:00–18:00 in Paris
// and turns on "only assign during work hours". t0 is Monday 10:00 there.
func officeHoursOnly(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	plan, err := e.a.Directory.SavePlan(ctx, worktime.Plan{Name: "Office", TimeZone: "Europe/Paris",
		Weekly: []worktime.Day{{Weekday: "monday", Hours: []worktime.Range{{From: "11:00", To: "18:00"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Directory.SaveQueue(ctx, sb.Queue{ID: 1, Name: "Support", WorkTimePlanID: plan.ID}); err != nil {
		t.Fatal(err)
	}
	set := sb.DefaultRoutingSettings()
	set.OnlyWorkHours = true
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
}

func TestCustomerLevelsReorderTheQueue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tag := range []sb.CustomerTag{{Name: "VIP", Level: 9}, {Name: "Gold", Level: 5}} {
		if _, err := e.a.Directory.SaveCustomerTag(ctx, tag); err != nil {
			t.Fatal(err)
		}
	}
	create := func(tags ...string) int64 {
		res, err := e.a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Tags: tags}}, sb.Actor{Kind: sb.ActorIntegration})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		return res.Session.ID
	}
	plain, gold, vip, unknown := create(), create("gold"), create("newsletter", "VIP"), create("newsletter")
	pos, _ := e.a.API.Config.Routing.QueuePosition(ctx, vip, 0)
	if pos.Position != 1 {
		t.Errorf("the VIP is at position %d, want 1", pos.Position)
	}
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{ID: 1, Name: "Noam B", Email: "noam@example.com", Groups: []int64{1}, MaxConcurrent: 1}); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	var order []int64
	for _, s := range []int64{vip, gold, plain, unknown} {
		if e.agentOf(s) == 1 {
			order = append(order, s)
			e.do(s, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
		}
		if e.agentOf(s) == 0 && len(order) == 0 {
			t.Fatalf("session %d was not served first", s)
		}
	}
	want := []int64{vip, gold, plain, unknown}
	for i := range want {
		if i >= len(order) || order[i] != want[i] {
			t.Fatalf("served %v, want %v (VIP, Gold, then by arrival)", order, want)
		}
	}
	if why := e.why(vip); why.Level != 9 {
		t.Errorf("the VIP's decision records level %d", why.Level)
	}
}

func TestTransferOfferTimesOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := sb.DefaultRoutingSettings()
	set.TransferTimeoutSeconds = 30
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	s := e.chat(1)
	e.do(s, mustStatus("connect"))
	e.do(s, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 2, Confirm: true})
	next, ok, _ := e.a.DB.NextTimer(ctx)
	if !ok || next.Kind != "transfer_offer" || !next.DueAt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("offer timer %+v %v", next, ok)
	}
	e.clock.Advance(29 * time.Second)
	if n, _ := e.a.Engine.FireDue(ctx); n != 0 {
		t.Fatalf("fired %d timers before the timeout", n)
	}
	e.clock.Advance(time.Second)
	if n, err := e.a.Engine.FireDue(ctx); n != 1 || err != nil {
		t.Fatalf("fired %d timers (%v)", n, err)
	}
	got := e.session(s)
	if got.Status != sb.StatusConnected || got.Transfers[0].Status != sb.TransferFailed || got.Transfers[0].FailReason != "timeout" || e.agentOf(s) != 1 {
		t.Fatalf("after the timeout: %s, transfer %s (%s), agent %d", got.Status, got.Transfers[0].Status, got.Transfers[0].FailReason, e.agentOf(s))
	}
	// Accepted in time: no timer is left, and the receiver holds it.
	e.status(2, sb.AgentOnline)
	e.do(s, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 2, Confirm: true})
	e.do(s, &lifecycle.TransferComplete{})
	if _, ok, _ := e.a.DB.NextTimer(ctx); ok {
		t.Error("the offer timer of an accepted transfer is still pending")
	}
	if l1, _ := e.a.Dispatcher.Router().Load(1); l1 != 0 {
		t.Errorf("the sender still holds %d", l1)
	}
	if l2, _ := e.a.Dispatcher.Router().Load(2); l2 != 1 {
		t.Errorf("the receiver holds %d", l2)
	}
}

func TestSettingsApplyAtOnce(t *testing.T) {
	e := newEnv(t)
	s := e.chat(1)
	set := sb.DefaultRoutingSettings()
	set.OnlyOnlineAgents = false
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	if e.agentOf(s) != 1 {
		t.Errorf("with offline agents allowed the waiting session went to %d", e.agentOf(s))
	}
	set.TransferTimeoutSeconds = 1
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(context.Background(), set); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a 1 s transfer timeout: %v", err)
	}
}

func TestSixthCustomerOverflowsWhenMoreThanFiveWait(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.Directory.SaveQueueRule(ctx, sb.QueueRule{Name: "Support is busy", Enabled: true, Threshold: 5,
		Groups: []int64{1}, OverflowTo: 2, NotifyAdmins: true}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 7; i++ {
		ids = append(ids, e.chat(1))
	}
	router := e.a.Dispatcher.Router()
	if router.Waiting(1) != 5 || router.Waiting(2) != 2 {
		t.Fatalf("Support holds %d, Sales %d; want 5 and 2", router.Waiting(1), router.Waiting(2))
	}
	sixth := e.session(ids[5])
	if sixth.Queue.ID != 2 || len(sixth.Transfers) != 1 || !sixth.Transfers[0].Overflow || sixth.Transfers[0].FromQueue.ID != 1 {
		t.Fatalf("the 6th: queue %d, transfers %+v", sixth.Queue.ID, sixth.Transfers)
	}
	events, _ := e.a.DB.SessionEvents(ctx, ids[5], 0, 0)
	var alert *lifecycle.AlertData
	for _, ev := range events {
		if ev.Type == lifecycle.EventQueueAlert {
			alert = new(lifecycle.AlertData)
			json.Unmarshal(ev.Data, alert)
		}
	}
	if alert == nil || alert.Waiting != 5 || alert.Threshold != 5 || alert.OverflowTo != 2 || alert.QueueID != 1 {
		t.Fatalf("alert %+v", alert)
	}
	if e.session(ids[4]).Queue.ID != 1 {
		t.Errorf("the 5th customer should stay in Support")
	}
	// When a Support agent frees capacity the oldest in Support is served.
	e.status(1, sb.AgentOnline)
	if e.agentOf(ids[0]) != 1 || e.agentOf(ids[1]) != 1 {
		t.Errorf("holders %d %d", e.agentOf(ids[0]), e.agentOf(ids[1]))
	}
}

func TestQueueRulesMayNotOverlap(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.Directory.SaveQueue(ctx, sb.Queue{Name: "Billing"}); err != nil {
		t.Fatal(err)
	}
	save := func(r sb.QueueRule) error { _, err := e.a.Directory.SaveQueueRule(ctx, r); return err }
	if err := save(sb.QueueRule{Name: "A", Enabled: true, Threshold: 5, Groups: []int64{1, 3}, NotifyAdmins: true}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		r    sb.QueueRule
		code string
	}{
		"same group":          {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, Groups: []int64{3}, NotifyAdmins: true}, sb.ECONFLICT},
		"all groups":          {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, AllGroups: true, NotifyAdmins: true}, sb.ECONFLICT},
		"no action":           {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, Groups: []int64{2}}, sb.EINVALID},
		"overflow into scope": {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, Groups: []int64{2}, OverflowTo: 2}, sb.EINVALID},
		"unknown group":       {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, Groups: []int64{9}, NotifyAdmins: true}, sb.EINVALID},
		"no scope":            {sb.QueueRule{Name: "B", Enabled: true, Threshold: 9, NotifyAdmins: true}, sb.EINVALID},
		"zero threshold":      {sb.QueueRule{Name: "B", Enabled: true, Threshold: 0, Groups: []int64{2}, NotifyAdmins: true}, sb.EINVALID},
	} {
		if err := save(c.r); sb.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	// A disabled rule may overlap; a rule on another group may be enabled.
	if err := save(sb.QueueRule{Name: "C", Enabled: false, Threshold: 9, Groups: []int64{1}, NotifyAdmins: true}); err != nil {
		t.Errorf("a disabled overlapping rule: %v", err)
	}
	if err := save(sb.QueueRule{Name: "D", Enabled: true, Threshold: 9, Groups: []int64{2}, OverflowTo: 1}); err != nil {
		t.Errorf("a rule on another group: %v", err)
	}
}

func TestOnlyDuringTheGroupsWorkHours(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	officeHoursOnly(t, e)
	// Monday 2026-11-23 09:00 UTC is 10:00 in Paris: closed.
	e.status(1, sb.AgentOnline)
	s := e.chat(1)
	if e.agentOf(s) != 0 {
		t.Fatalf("assigned outside work hours")
	}
	// 10:00 UTC = 11:00 in Paris: open; the next event dispatches.
	e.clock.Set(t0.Add(time.Hour))
	e.status(2, sb.AgentOnline)
	if e.agentOf(s) == 0 {
		t.Fatalf("not assigned in work hours")
	}
	if _, err := e.a.Directory.SaveQueue(ctx, sb.Queue{ID: 1, Name: "Support", WorkTimePlanID: 99}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("a queue with an unknown plan: %v", err)
	}
}

func TestQueueTimeoutEndsALongWait(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := sb.DefaultRoutingSettings()
	set.QueueTimeoutSeconds = 120
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	dropped := e.chat(1)
	e.clock.Advance(30 * time.Second)
	served := e.chat(1)
	e.clock.Advance(60 * time.Second)
	e.status(1, sb.AgentOnline) // takes both: Noam has room for two
	if e.agentOf(dropped) != 1 || e.agentOf(served) != 1 {
		t.Fatal("setup: both should be served")
	}
	e.do(dropped, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	e.do(served, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	e.status(1, sb.AgentOffline)
	late := e.chat(1)
	e.clock.Advance(119 * time.Second)
	if n, _ := e.a.Engine.FireDue(ctx); n != 0 {
		t.Fatalf("%d timers fired early", n)
	}
	e.clock.Advance(time.Second)
	if n, err := e.a.Engine.FireDue(ctx); n != 1 || err != nil {
		t.Fatalf("fired %d (%v)", n, err)
	}
	s := e.session(late)
	if s.Status != sb.StatusFinished || s.DisconnectedBy != lifecycle.BySystem || s.FinishReason != "queue_timeout" || s.QueueWaits[0].Outcome != sb.WaitTimeout {
		t.Fatalf("after the timeout: %s by %s (%s), wait %s", s.Status, s.DisconnectedBy, s.FinishReason, s.QueueWaits[0].Outcome)
	}
	if e.a.Dispatcher.Router().Waiting(1) != 0 {
		t.Error("the dropped session is still queued")
	}
	// Only metadata timers are left.
	due, _ := e.a.DB.DueTimers(ctx, e.clock.Now().Add(24*time.Hour), 100)
	for _, tm := range due {
		if tm.Kind == "queue_timeout" {
			t.Errorf("a stale queue timeout is pending for session %d", tm.SessionID)
		}
	}
}

func TestFamiliarCustomerReturnsToTheLastAgent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := sb.DefaultRoutingSettings()
	set.FamiliarCustomer = "last_agent"
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	e.status(2, sb.AgentOnline)
	chat := func(customer string) int64 {
		res, err := e.a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Identifier: customer}},
			sb.Actor{Kind: sb.ActorIntegration})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		return res.Session.ID
	}
	first := chat("c-7") // Noam (both idle, lower ID)
	if e.agentOf(first) != 1 {
		t.Fatalf("first visit went to %d", e.agentOf(first))
	}
	e.do(first, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	// Noam dials out: he is now busier than Alex, so least load alone would
	// choose Alex.
	if _, err := e.a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeVoiceOutbound, AgentID: 1,
		EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.Actor{Kind: sb.ActorAgent, ID: "1"}); err != nil {
		t.Fatal(err)
	}
	if l1, _ := e.a.Dispatcher.Router().Load(1); l1 != 1 {
		t.Fatalf("the outbound call should count in Noam's load: %d", l1)
	}
	back := chat("c-7")
	if e.agentOf(back) != 1 || e.why(back).Rule != routing.RuleFamiliarLast {
		t.Fatalf("the returning customer went to %d by %s", e.agentOf(back), e.why(back).Rule)
	}
	// After a restart the history is rebuilt from the store.
	e.do(back, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	e.a.Close()
	e = open(t, e.dir, e.clock)
	again := chat("c-7")
	if e.agentOf(again) != 1 || e.why(again).Rule != routing.RuleFamiliarLast {
		t.Fatalf("after a restart the customer went to %d by %s", e.agentOf(again), e.why(again).Rule)
	}
	// Noam transfers it to the queue: it goes to Alex, not back to Noam.
	e.do(again, mustStatus("connect"))
	e.do(again, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 1})
	if e.agentOf(again) != 2 {
		t.Errorf("after the transfer the session is with %d, want Alex", e.agentOf(again))
	}
}

func TestQueueIsDispatchedWhenItsHoursBegin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	officeHoursOnly(t, e)
	e.status(1, sb.AgentOnline)
	s := e.chat(1) // Monday 10:00 in Paris: closed
	opens := t0.Add(time.Hour)
	next, ok, _ := e.a.DB.NextTimer(ctx)
	if !ok || next.Kind != "queue_opens" || !next.DueAt.Equal(opens) {
		t.Fatalf("timer %+v %v, want queue_opens at %s", next, ok, opens)
	}
	e.clock.Set(opens.Add(-time.Millisecond))
	e.a.Engine.FireDue(ctx)
	if e.agentOf(s) != 0 {
		t.Fatal("assigned before the opening")
	}
	e.clock.Set(opens)
	if n, err := e.a.Engine.FireDue(ctx); n != 1 || err != nil {
		t.Fatalf("fired %d (%v)", n, err)
	}
	if e.agentOf(s) != 1 {
		t.Errorf("at the opening the session is with %d", e.agentOf(s))
	}
	if _, ok, _ := e.a.DB.NextTimer(ctx); ok {
		t.Error("a timer is left")
	}
}

// After hours, each channel meets its setting: the leave-message form or a
// default message deflect the session (recorded for the metadata file);
// open chat, or no setting, lets it wait.
func TestAfterHoursDeflectionPerChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	officeHoursOnly(t, e) // closed at t0
	set := e.a.Directory.RoutingSettings()
	set.AfterHours = map[sb.Channel]string{sb.ChannelWeb: sb.AfterHoursLeaveMessage, sb.ChannelWhatsApp: sb.AfterHoursMessage,
		sb.ChannelMobile: sb.AfterHoursOpenChat}
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	create := func(typ sb.SessionType) *sb.Session {
		res, err := e.a.Engine.Create(ctx, &lifecycle.Create{Type: typ, QueueID: 1}, sb.Actor{Kind: sb.ActorIntegration})
		if err != nil {
			t.Fatal(err)
		}
		return res.Session // as committed, follow-ups included
	}
	for _, c := range []struct {
		typ        sb.SessionType
		status     sb.Status
		deflection string
	}{
		{sb.TypeChatWeb, sb.StatusDeflected, sb.DeflectionAfterHoursLeaveMessage},
		{sb.TypeChatWhatsApp, sb.StatusDeflected, sb.DeflectionAfterHoursMessageOnly},
		{sb.TypeChatMobile, sb.StatusQueued, ""},
		{sb.TypeChatSMSInbound, sb.StatusQueued, ""},
	} {
		s := create(c.typ)
		got := ""
		if len(s.Deflections) > 0 {
			got = s.Deflections[0].Deflection
		}
		if s.Status != c.status || got != c.deflection {
			t.Errorf("%s after hours: %s with %q, want %s with %q", c.typ, s.Status, got, c.status, c.deflection)
		}
	}
	// In work hours nobody is deflected.
	e.clock.Set(t0.Add(time.Hour))
	if s := create(sb.TypeChatWeb); s.Status != sb.StatusQueued {
		t.Errorf("a web chat in work hours: %s", s.Status)
	}
	set.AfterHours = map[sb.Channel]string{"fax": sb.AfterHoursMessage}
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("an unknown channel: %v", err)
	}
}
