package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// chatWithNoam returns a web chat that Noam has picked up and connected.
func chatWithNoam(t *testing.T, e *env, set func(*sb.RoutingSettings)) int64 {
	t.Helper()
	s := e.a.Directory.RoutingSettings()
	set(&s)
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	id := e.chat(1)
	e.do(id, mustStatus("connect"))
	return id
}

func (e *env) say(id int64, from string, text string) {
	e.t.Helper()
	m := &lifecycle.Message{From: from, Text: text}
	if from == sb.FromAgent {
		m.AgentID = 1
	}
	e.do(id, m)
}

// fire advances the clock by d and fires what is due; it returns how many.
func (e *env) fire(d time.Duration) int {
	e.t.Helper()
	e.clock.Advance(d)
	n, err := e.a.Engine.FireDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) count(id int64, typ sb.EventType) int {
	e.t.Helper()
	events, _ := e.a.DB.SessionEvents(context.Background(), id, 0, 0)
	n := 0
	for _, ev := range events {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

func TestAgentNoReplyAlertsAndPromptsTheVisitor(t *testing.T) {
	e := newEnv(t)
	id := chatWithNoam(t, e, func(s *sb.RoutingSettings) {
		s.AgentNoReplySeconds = 60
		s.AgentNoReplyPrompt = "An agent will be with you shortly."
	})
	e.say(id, sb.FromEndUser, "Hello?")
	e.clock.Advance(20 * time.Second)
	e.say(id, sb.FromEndUser, "Anyone there?") // the clock runs from the first message
	if n := e.fire(39 * time.Second); n != 0 {
		t.Fatalf("%d timers fired early", n)
	}
	if n := e.fire(time.Second); n != 1 {
		t.Fatalf("%d timers fired at 60 s", n)
	}
	if e.count(id, lifecycle.EventNoReply) != 1 || e.session(id).Messages.Count != 3 {
		t.Fatalf("no_reply events %d, messages %d", e.count(id, lifecycle.EventNoReply), e.session(id).Messages.Count)
	}
	if f := e.session(id).Messages.NoReplySince; f == nil || !f.Equal(t0) {
		t.Errorf("the session is not flagged for the agent since the first message: %v", f)
	}
	// The agent answers: the flag clears; a later visitor message starts a
	// new clock, and an answer in time means no alert.
	e.say(id, sb.FromAgent, "Sorry for the wait!")
	if f := e.session(id).Messages.NoReplySince; f != nil {
		t.Errorf("still flagged after the agent answered: %v", f)
	}
	e.say(id, sb.FromEndUser, "No problem")
	e.clock.Advance(30 * time.Second)
	e.say(id, sb.FromAgent, "Here is your answer.")
	e.fire(10 * time.Minute)
	if n := e.count(id, lifecycle.EventNoReply); n != 1 {
		t.Errorf("%d no_reply alerts, want still 1", n)
	}
}

func TestVisitorNoReplyRemindsThenEnds(t *testing.T) {
	e := newEnv(t)
	id := chatWithNoam(t, e, func(s *sb.RoutingSettings) {
		s.VisitorNoReplySeconds = 120
		s.VisitorReminders = 2
		s.VisitorReminderText = "Are you still there?"
	})
	e.say(id, sb.FromAgent, "How can I help?")
	e.fire(2 * time.Minute)
	e.fire(2 * time.Minute)
	if n := e.count(id, lifecycle.EventVisitorReminder); n != 2 {
		t.Fatalf("%d reminders, want 2", n)
	}
	if e.session(id).Status.Terminal() {
		t.Fatal("ended before the reminders ran out")
	}
	e.fire(2 * time.Minute)
	s := e.session(id)
	if s.Status != sb.StatusFinished || s.DisconnectedBy != lifecycle.BySystem || s.FinishReason != "visitor_no_reply" {
		t.Fatalf("after the reminders: %s by %s (%s)", s.Status, s.DisconnectedBy, s.FinishReason)
	}
	// A visitor who answers a reminder stops the countdown.
	id = e.chat(1)
	e.do(id, mustStatus("connect"))
	e.say(id, sb.FromAgent, "Hello")
	e.fire(2 * time.Minute)
	e.say(id, sb.FromEndUser, "Yes, sorry")
	e.fire(30 * time.Minute)
	if st := e.session(id).Status; st != sb.StatusConnected {
		t.Errorf("a visitor who answered was ended: %s", st)
	}
}

func TestInactiveChatIsEnded(t *testing.T) {
	e := newEnv(t)
	id := chatWithNoam(t, e, func(s *sb.RoutingSettings) { s.InactiveSeconds = 300 })
	e.say(id, sb.FromEndUser, "Hi")
	e.fire(4 * time.Minute)
	e.say(id, sb.FromAgent, "Hello") // resets the clock
	if e.fire(4*time.Minute) != 0 || e.session(id).Status != sb.StatusConnected {
		t.Fatal("ended while the chat was active")
	}
	e.fire(time.Minute)
	s := e.session(id)
	if s.Status != sb.StatusFinished || s.FinishReason != "inactive" || s.DisconnectedBy != lifecycle.BySystem {
		t.Fatalf("after 5 silent minutes: %s (%s)", s.Status, s.FinishReason)
	}
	// No chat timer is left once the chat ended, only the metadata write.
	due, _ := e.a.DB.DueTimers(context.Background(), e.clock.Now().Add(48*time.Hour), 100)
	for _, tm := range due {
		if tm.Kind != "metadata" {
			t.Errorf("a %s timer is left", tm.Kind)
		}
	}
}

// A chat waiting in a queue gets its reminders at the interval, each with
// the leave-message offer, until they run out or it is picked up.
func TestQueueRemindersWhileWaiting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := e.a.Directory.RoutingSettings()
	set.QueueReminderSeconds, set.QueueReminders = 60, 2
	set.QueueReminderText, set.QueueReminderLeaveMessage = "Thanks for waiting. You can also leave us a message.", true
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	id := e.chat(1) // nobody online: it waits
	for i := 0; i < 4; i++ {
		e.fire(time.Minute)
	}
	if n := e.count(id, lifecycle.EventQueueReminder); n != 2 {
		t.Fatalf("%d reminders, want 2", n)
	}
	events, _ := e.a.DB.SessionEvents(ctx, id, 0, 0)
	last := events[len(events)-1]
	var m lifecycle.MessageData
	json.Unmarshal(last.Data, &m)
	if last.Type != lifecycle.EventMessageSent || m.From != sb.FromSystem || len(m.Actions) != 1 || m.Actions[0] != "leave_message" {
		t.Errorf("last event %s %+v", last.Type, m)
	}
	// Picked up before the first reminder: none is sent.
	id2 := e.chat(1)
	e.clock.Advance(30 * time.Second)
	e.status(1, sb.AgentOnline)
	e.fire(5 * time.Minute)
	if n := e.count(id2, lifecycle.EventQueueReminder); n != 0 {
		t.Errorf("a picked-up chat got %d reminders", n)
	}
}

// The queue timeout can tell the visitor to keep waiting instead of
// ending the chat.
func TestQueueTimeoutKeepWaiting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := e.a.Directory.RoutingSettings()
	set.QueueTimeoutSeconds, set.QueueTimeoutAction, set.QueueTimeoutText = 300, "keep_waiting", "All agents are still busy; please keep waiting."
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	id := e.chat(1)
	e.fire(5 * time.Minute)
	s := e.session(id)
	if s.Status != sb.StatusQueued || s.Messages.Count != 1 {
		t.Fatalf("after the timeout: %s with %d messages", s.Status, s.Messages.Count)
	}
	set.QueueTimeoutAction, set.QueueTimeoutText = "end", "Sorry, nobody could answer. Please try again later."
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	id = e.chat(1)
	e.fire(5 * time.Minute)
	if s := e.session(id); s.Status != sb.StatusFinished || s.Messages.Count != 1 || s.QueueWaits[0].Outcome != sb.WaitTimeout {
		t.Fatalf("ending timeout: %s, %d messages, wait %s", s.Status, s.Messages.Count, s.QueueWaits[0].Outcome)
	}
	set.QueueTimeoutAction, set.QueueTimeoutText = "keep_waiting", ""
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("keep waiting without a text: %v", err)
	}
}

// The group greets the visitor after their first message, in work hours;
// outside them it sends its after-hours notice; a transfer into a group
// greets unless no_greeting_on_transfer.
func TestGroupGreetings(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	officeHoursOnly(t, e) // Support is closed at t0 (Monday 10:00 in Paris)
	sup, _ := e.a.Directory.GetQueue(1)
	sup.Greeting, sup.AfterHoursNotice = "Welcome to Support!", "We open at 11:00; leave us a message."
	if _, err := e.a.Directory.SaveQueue(ctx, sup); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Directory.SaveQueue(ctx, sb.Queue{ID: 2, Name: "Sales", Greeting: "Sales here, hello!"}); err != nil {
		t.Fatal(err)
	}
	transcript := func(id int64) []string {
		var out []string
		events, _ := e.a.DB.SessionEvents(ctx, id, 0, 0)
		for _, ev := range events {
			if ev.Type == lifecycle.EventMessageSent {
				var m lifecycle.MessageData
				json.Unmarshal(ev.Data, &m)
				out = append(out, m.From+": "+m.Text)
			}
		}
		return out
	}
	id := e.chat(1)
	e.say(id, sb.FromEndUser, "Hello")
	e.say(id, sb.FromEndUser, "Anyone?")
	if got := transcript(id); len(got) != 3 || got[1] != "system: We open at 11:00; leave us a message." {
		t.Fatalf("after hours: %q", got)
	}
	e.clock.Set(t0.Add(time.Hour)) // open
	id = e.chat(1)
	e.say(id, sb.FromEndUser, "Hi")
	if got := transcript(id); len(got) != 2 || got[1] != "system: Welcome to Support!" {
		t.Fatalf("in hours: %q", got)
	}
	// Transferred into Sales: greeted there (Alex joins Sales to take it).
	if _, err := e.a.API.Config.Routing.SaveAgent(ctx, sb.Agent{ID: 2, Name: "Alex B", Email: "alex@example.com", Groups: []int64{2}, MaxConcurrent: 2}); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentOnline)
	e.do(id, mustStatus("connect"))
	e.do(id, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 2})
	if got := transcript(id); len(got) != 3 || got[2] != "system: Sales here, hello!" {
		t.Fatalf("after the transfer: %q", got)
	}
	set := e.a.Directory.RoutingSettings()
	set.NoGreetingOnTransfer = true
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	e.status(1, sb.AgentAway)
	id = e.chat(1) // waits: a supervisor's move to Sales
	e.do(id, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 2})
	if got := transcript(id); len(got) != 0 {
		t.Errorf("greeted on a transfer with no_greeting_on_transfer: %q", got)
	}
}

// A session a timer ends gets the tag the settings name.
func TestTimersTagTheSessionsTheyEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	parent, err := e.a.Directory.SaveSessionTag(ctx, sb.SessionTag{Name: "Closed by the system"})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := e.a.Directory.SaveSessionTag(ctx, sb.SessionTag{Name: "Queue timeout", ParentID: parent.ID})
	if err != nil {
		t.Fatal(err)
	}
	set := e.a.Directory.RoutingSettings()
	set.QueueTimeoutSeconds, set.QueueTimeoutTagID = 300, tag.ID
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	id := e.chat(1)
	e.fire(5 * time.Minute)
	s := e.session(id)
	if s.Status != sb.StatusFinished || len(s.Tags) != 1 || s.Tags[0].Name != "Queue timeout" {
		t.Fatalf("after the timeout: %s with tags %+v", s.Status, s.Tags)
	}
	set.InactiveTagID = 999
	if _, err := e.a.API.Config.Routing.SaveRoutingSettings(ctx, set); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("an unknown tag in the settings: %v", err)
	}
}
