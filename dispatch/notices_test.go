package dispatch_test

import (
	"context"
	"encoding/json"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// systemTexts lists a session's system messages as "purpose: text".
func (e *env) systemTexts(id int64) []string {
	e.t.Helper()
	events, err := e.a.DB.SessionEvents(context.Background(), id, 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range events {
		if ev.Type != lifecycle.EventMessageSent {
			continue
		}
		var m lifecycle.MessageData
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			e.t.Fatal(err)
		}
		if m.From == sb.FromSystem {
			out = append(out, m.Purpose+"/"+m.Nickname+": "+m.Text)
		}
	}
	return out
}

func (e *env) chatSettings(change func(*sb.ChatSettings)) {
	e.t.Helper()
	s := e.a.Directory.ChatSettings()
	change(&s)
	if _, err := e.a.Directory.SaveChatSettings(context.Background(), s); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) csat(change func(*sb.CSATSettings)) {
	e.t.Helper()
	s := e.a.Directory.CSATSettings()
	change(&s)
	if _, err := e.a.Directory.SaveCSATSettings(context.Background(), s); err != nil {
		e.t.Fatal(err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSystemMessagesOfAChat(t *testing.T) {
	e := newEnv(t)
	e.chatSettings(func(s *sb.ChatSettings) {
		s.DispatcherNickname = "Acme"
		s.Welcome = sb.SystemText{Enabled: true, Text: "Welcome to Acme!"}
		s.CompanyGreeting = sb.SystemText{Enabled: true, Text: "Thanks for writing."}
		s.NoFreeAgent = sb.SystemText{Enabled: true, Text: "All our agents are busy."}
		s.Closing = sb.SystemText{Enabled: true, Text: "Goodbye!"}
	})
	q, _ := e.a.Directory.GetQueue(1)
	q.Greeting = "Support here."
	if _, err := e.a.Directory.SaveQueue(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	id := e.chat(1) // nobody is online: it waits
	e.say(id, sb.FromEndUser, "Hello")
	e.say(id, sb.FromEndUser, "Anyone?") // the greetings follow the first message only
	e.status(1, sb.AgentOnline)
	e.do(id, mustStatus("connect"))
	e.say(id, sb.FromAgent, "Hi, Noam here")
	e.do(id, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	want := []string{
		"welcome/Acme: Welcome to Acme!",
		"no_free_agent/Acme: All our agents are busy.",
		"company_greeting/Acme: Thanks for writing.",
		"group_greeting/Acme: Support here.",
		"closing/: Goodbye!",
	}
	if got := e.systemTexts(id); !equal(got, want) {
		t.Fatalf("system messages:\n got %q\nwant %q", got, want)
	}
	if s := e.session(id); s.Messages.Count-s.Messages.AfterEnd != 7 || s.Messages.AfterEnd != 1 {
		t.Fatalf("count %d after end %d", s.Messages.Count, s.Messages.AfterEnd)
	}

	// With a free agent there is no notice; switched-off texts are not sent.
	e.chatSettings(func(s *sb.ChatSettings) { s.Welcome.Enabled = false })
	id2 := e.chat(1)
	if got := e.systemTexts(id2); len(got) != 0 {
		t.Fatalf("a chat assigned at once got %q", got)
	}
}

func TestCSATAutoInvitation(t *testing.T) {
	e := newEnv(t)
	e.csat(func(c *sb.CSATSettings) { c.MinMessages = 2 })
	e.status(1, sb.AgentOnline)
	invited := func(id int64) int { return e.count(id, lifecycle.EventRatingInvited) }

	both := e.chat(1)
	e.do(both, mustStatus("connect"))
	e.say(both, sb.FromEndUser, "Where is my parcel?")
	e.say(both, sb.FromAgent, "On its way!")
	e.do(both, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	if invited(both) != 1 || e.session(both).RatingInvites != 1 {
		t.Fatalf("a two-sided chat was not invited")
	}

	oneSided := e.chat(1)
	e.do(oneSided, mustStatus("connect"))
	e.say(oneSided, sb.FromEndUser, "Hello?")
	e.say(oneSided, sb.FromEndUser, "Hello??")
	e.do(oneSided, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	if invited(oneSided) != 0 {
		t.Fatalf("a one-sided chat was invited")
	}

	short := e.chat(1)
	e.do(short, mustStatus("connect"))
	e.say(short, sb.FromAgent, "Hi")
	e.do(short, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	if invited(short) != 0 {
		t.Fatalf("a chat below the message threshold was invited")
	}

	bySystem := e.chat(1)
	e.do(bySystem, mustStatus("connect"))
	e.say(bySystem, sb.FromEndUser, "Hi")
	e.say(bySystem, sb.FromAgent, "Hello")
	e.do(bySystem, &lifecycle.End{DisconnectedBy: lifecycle.BySystem, Reason: "inactive"})
	if invited(bySystem) != 0 {
		t.Fatalf("a chat the system ended was invited")
	}

	agentInvited := e.chat(1)
	e.do(agentInvited, mustStatus("connect"))
	e.say(agentInvited, sb.FromEndUser, "Hi")
	e.say(agentInvited, sb.FromAgent, "Hello")
	e.do(agentInvited, &lifecycle.InviteRating{By: sb.FromAgent, AgentID: 1})
	e.do(agentInvited, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	if invited(agentInvited) != 1 {
		t.Fatalf("the agent's invitation was doubled at the end: %d", invited(agentInvited))
	}

	e.csat(func(c *sb.CSATSettings) { c.AutoInvite = false })
	off := e.chat(1)
	e.do(off, mustStatus("connect"))
	e.say(off, sb.FromEndUser, "Hi")
	e.say(off, sb.FromAgent, "Hello")
	e.do(off, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	if invited(off) != 0 {
		t.Fatalf("invited with auto-invite off")
	}
}

func TestRatingReceiptOnce(t *testing.T) {
	e := newEnv(t)
	e.status(1, sb.AgentOnline)
	id := e.chat(1)
	e.do(id, mustStatus("connect"))
	e.do(id, &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	e.do(id, &lifecycle.Rate{Rating: 5})
	e.do(id, &lifecycle.Rate{Rating: 4})
	want := []string{"rating_receipt/: " + sb.DefaultCSATSettings().Receipt}
	if got := e.systemTexts(id); !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
