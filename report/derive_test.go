package report_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
)

// dir names agents and queues for the commands. Agents belong to the
// groups in groups, or to group 1 alone when groups does not list them.
type dir struct{ groups map[int64][]int64 }

func (d dir) AgentGroups(id int64) ([]int64, error) {
	if g, ok := d.groups[id]; ok {
		return g, nil
	}
	return []int64{1}, nil
}

func (dir) Agent(id int64) (sb.AgentRef, error) {
	return sb.AgentRef{ID: id, Name: fmt.Sprintf("Agent %d", id)}, nil
}

func (dir) VirtualAgent(id int64) (sb.VirtualAgentRef, error) {
	return sb.VirtualAgentRef{ID: id, Name: fmt.Sprintf("Bot %d", id)}, nil
}

func (dir) Queue(id int64) (sb.QueueRef, error) {
	return sb.QueueRef{ID: id, Name: fmt.Sprintf("Group %d", id), Path: fmt.Sprint(id)}, nil
}

var t0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// chat runs lifecycle commands against one session at given offsets from
// t0, as the engine would, keeping its log.
type chat struct {
	t      testing.TB
	id     int64
	s      *sb.Session
	events []sb.Event
	dir    dir
}

func newChat(t testing.TB, id int64, at time.Duration, queueID int64) *chat {
	t.Helper()
	c := &chat{t: t, id: id, dir: dir{groups: map[int64][]int64{}}}
	c.do(at, &lifecycle.Create{Type: sb.TypeChatWeb, Lang: "en", Entry: "shop",
		EndUser: sb.EndUser{Identifier: fmt.Sprintf("v%d", id), Name: "Mia"}, QueueID: queueID})
	return c
}

func (c *chat) do(at time.Duration, cmd lifecycle.Command) *chat {
	c.t.Helper()
	env := lifecycle.Env{Now: t0.Add(at), Actor: sb.Actor{Kind: sb.ActorIntegration}, Dir: c.dir,
		NewUUID: func() string { return "00000000-0000-4000-8000-000000000001" }, SessionID: c.id}
	res, err := lifecycle.Execute(c.s, cmd, env)
	if err != nil {
		c.t.Fatalf("%s at %v: %v", cmd.Name(), at, err)
	}
	c.s = res.Session
	for _, e := range res.Events {
		e.ID = int64(len(c.events) + 1)
		c.events = append(c.events, e)
	}
	return c
}

// assign is an agent's pick-up: assigned, then connected.
func (c *chat) assign(at time.Duration, agent int64) *chat {
	c.do(at, &lifecycle.Assign{AgentID: agent})
	connect, _ := lifecycle.NewCommand("connect")
	return c.do(at, connect)
}

// member makes agent a member of groups from now on.
func (c *chat) member(agent int64, groups ...int64) *chat {
	c.dir.groups[agent] = groups
	return c
}

func (c *chat) say(at time.Duration, agent int64, text string) *chat {
	if agent == 0 {
		return c.do(at, &lifecycle.Message{From: sb.FromEndUser, Text: text})
	}
	return c.do(at, &lifecycle.Message{From: sb.FromAgent, AgentID: agent, Text: text})
}

func (c *chat) toAgent(at time.Duration, agent int64) *chat {
	return c.do(at, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: agent})
}

func (c *chat) toGroup(at time.Duration, group int64) *chat {
	return c.do(at, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: group})
}

func (c *chat) end(at time.Duration, by string) *chat {
	return c.do(at, &lifecycle.End{DisconnectedBy: by})
}

func (c *chat) facts() sb.SessionFacts {
	c.t.Helper()
	f, err := report.Derive(c.events)
	if err != nil {
		c.t.Fatal(err)
	}
	return f
}

func agentFact(t *testing.T, f sb.SessionFacts, id int64) sb.AgentFact {
	t.Helper()
	for _, a := range f.Agents {
		if a.AgentID == id {
			return a
		}
	}
	t.Fatalf("no fact for agent %d in %+v", id, f.Agents)
	return sb.AgentFact{}
}

func groupFact(t *testing.T, f sb.SessionFacts, id int64) sb.GroupFact {
	t.Helper()
	for _, g := range f.Groups {
		if g.GroupID == id {
			return g
		}
	}
	t.Fatalf("no fact for group %d in %+v", id, f.Groups)
	return sb.GroupFact{}
}

const (
	sec = time.Second
	min = time.Minute
)

// SPEC §3.1: A picks up, transfers to B, B transfers back to A, A ends:
// A: sessions 1, pick-ups 2; B: sessions 1, pick-ups 1. Durations run
// from each pick-up or transfer-in to the transfer-out or the end.
func TestAgentTransferredBackAndForth(t *testing.T) {
	c := newChat(t, 1, 0, 1)
	c.say(5*sec, 0, "hello")
	c.assign(10*sec, 7)
	c.say(40*sec, 7, "hi, how can I help?")
	c.toAgent(2*min, 8)
	c.say(3*min, 8, "billing here")
	c.toAgent(5*min, 7)
	c.end(9*min, lifecycle.ByAgent)
	f := c.facts()
	if len(f.Agents) != 2 {
		t.Fatalf("agents: got %d facts, want 2", len(f.Agents))
	}
	a, b := agentFact(t, f, 7), agentFact(t, f, 8)
	want := sb.AgentFact{SessionID: 1, AgentID: 7, GroupID: 1, Channel: sb.ChannelWeb, Entry: "shop", At: t0.Add(10 * sec),
		PickUps: 2, AccessedFirst: 1, TransfersIn: 1, TransfersOut: 1, Ended: 1,
		DurationMS: (110 + 240) * 1000, Valid: 1, FirstResponses: 1, FirstResponseMS: 30000,
		ResponseAvgs: 1, ResponseAvgMS: 30000, HandleMS: (110 + 240) * 1000, Messages: 1}
	if a != want {
		t.Errorf("agent A:\n got %+v\nwant %+v", a, want)
	}
	wantB := sb.AgentFact{SessionID: 1, AgentID: 8, GroupID: 1, Channel: sb.ChannelWeb, Entry: "shop", At: t0.Add(2 * min),
		PickUps: 1, TransfersIn: 1, TransfersOut: 1, DurationMS: 180000, Valid: 1,
		FirstResponses: 1, FirstResponseMS: 60000, HandleMS: 180000, Messages: 1}
	if b != wantB {
		t.Errorf("agent B:\n got %+v\nwant %+v", b, wantB)
	}
	// The session is one session of group 1: its agents passed it between
	// them without leaving the group.
	g := groupFact(t, f, 1)
	if g.PickUps != 1 || g.TransfersIn != 0 || g.Ended != 1 || g.DurationMS != (9*min-10*sec).Milliseconds() {
		t.Errorf("group: %+v", g)
	}
}

// SPEC §3.3: a session moved A → B → A between groups gives A: sessions
// 1, pick-ups 2; B: 1 and 1. Group duration is end − the group's pick-up.
func TestGroupTransferredBackAndForth(t *testing.T) {
	c := newChat(t, 1, 0, 1)
	c.assign(20*sec, 7)
	c.toGroup(1*min, 2)
	c.assign(90*sec, 8)
	c.toGroup(3*min, 1)
	c.assign(4*min, 9)
	c.end(6*min, lifecycle.ByEndUser)
	f := c.facts()
	ga, gb := groupFact(t, f, 1), groupFact(t, f, 2)
	if ga.PickUps != 2 || ga.AccessedFirst != 1 || ga.TransfersIn != 1 || ga.TransfersOut != 1 || ga.Ended != 1 ||
		ga.DurationMS != (6*min-20*sec).Milliseconds() || !ga.At.Equal(t0.Add(20*sec)) {
		t.Errorf("group A: %+v", ga)
	}
	if gb.PickUps != 1 || gb.TransfersIn != 1 || gb.TransfersOut != 1 || gb.Ended != 0 || gb.DurationMS != 0 {
		t.Errorf("group B: %+v", gb)
	}
	// Handle time is each group's serves: A 20 s → 1 min and 4 → 6 min, B 90 s → 3 min.
	if ga.HandleMS != 160_000 || gb.HandleMS != 90_000 {
		t.Errorf("handle times: A %d, B %d", ga.HandleMS, gb.HandleMS)
	}
	if len(f.Waits) != 3 {
		t.Fatalf("waits: %+v", f.Waits)
	}
	if w := f.Waits[1]; w.GroupID != 2 || !w.Transfer || w.WaitMS != 30000 || w.Outcome != sb.WaitOutcomePickedUp || w.AgentID != 8 {
		t.Errorf("wait in B: %+v", w)
	}
	if len(f.Transfers) != 2 {
		t.Fatalf("transfers: %+v", f.Transfers)
	}
	tr := f.Transfers[0]
	if tr.Kind != "group" || tr.FromAgentID != 7 || tr.ToGroupID != 2 || tr.ToAgentID != 8 || !tr.Success ||
		*tr.QueueMS != 30000 || *tr.DurationMS != 30000 || tr.Visitor != "Mia" {
		t.Errorf("transfer: %+v", tr)
	}
}

// SPEC §3.5–3.6: visitor a gives up in the queue, queues again and times
// out, queues again and is picked up: three inquiries, one of each.
func TestGiveUpTimeoutPickUp(t *testing.T) {
	gaveUp := newChat(t, 1, 0, 1).end(70*sec, lifecycle.ByEndUser).facts()
	dropped := newChat(t, 2, 2*min, 1).do(5*min, &lifecycle.QueueTimeout{}).facts()
	picked := newChat(t, 3, 6*min, 1).assign(8*min, 7).end(12*min, lifecycle.ByAgent).facts()
	cases := []struct {
		f       sb.SessionFacts
		outcome string
		waitMS  int64
	}{
		{gaveUp, sb.WaitOutcomeAbandoned, 70000},
		{dropped, sb.WaitOutcomeDropped, 180000},
		{picked, sb.WaitOutcomePickedUp, 120000},
	}
	for i, tc := range cases {
		if len(tc.f.Waits) != 1 {
			t.Fatalf("session %d: waits %+v", i+1, tc.f.Waits)
		}
		w := tc.f.Waits[0]
		if w.Outcome != tc.outcome || w.WaitMS != tc.waitMS || w.Transfer || w.GroupID != 1 {
			t.Errorf("session %d: wait %+v, want outcome %s after %d ms", i+1, w, tc.outcome, tc.waitMS)
		}
	}
	if gaveUp.Session.PickedUp != 0 || picked.Session.PickedUp != 1 || picked.Session.DurationMS != 240000 {
		t.Errorf("session facts: %+v / %+v", gaveUp.Session, picked.Session)
	}
}

// SPEC §3.2: several invitations count once; only the first rating counts;
// a rating given after the end is counted when it is given.
func TestRatingsCountOnce(t *testing.T) {
	c := newChat(t, 1, 0, 1)
	c.say(1*sec, 0, "where is my order?")
	c.assign(10*sec, 7)
	c.say(20*sec, 7, "let me check")
	c.say(30*sec, 0, "thanks")
	c.say(90*sec, 7, "it ships today")
	c.do(2*min, &lifecycle.InviteRating{By: sb.FromAgent, AgentID: 7})
	c.do(3*min, &lifecycle.InviteRating{By: sb.FromAgent, AgentID: 7})
	c.end(4*min, lifecycle.ByEndUser)
	c.do(24*time.Hour, &lifecycle.Rate{Rating: 5})
	c.do(24*time.Hour+min, &lifecycle.Rate{Rating: 1})
	f := c.facts()
	a := agentFact(t, f, 7)
	// Replies: 10 s (from the pick-up, the question came before it) and 60 s.
	if a.Invited != 1 || a.InviteSuccess != 1 || a.ResponseAvgMS != 35000 || a.FirstResponseMS != 10000 || a.Valid != 1 || a.Invalid != 0 {
		t.Errorf("agent: %+v", a)
	}
	if len(f.Ratings) != 2 {
		t.Fatalf("ratings: %+v", f.Ratings)
	}
	for _, r := range f.Ratings {
		if r.Rating != 5 || !r.At.Equal(t0.Add(24*time.Hour)) {
			t.Errorf("rating: %+v", r)
		}
	}
	if f.Ratings[0].AgentID != 0 || f.Ratings[1].AgentID != 7 {
		t.Errorf("rating scopes: %+v", f.Ratings)
	}
	if f.Session.Invited != 1 || f.Session.InviteSuccess != 1 {
		t.Errorf("session: %+v", f.Session)
	}
}

// A session still open counts its pick-ups but none of the measures of
// ended sessions.
func TestOpenSession(t *testing.T) {
	f := newChat(t, 1, 0, 1).assign(10*sec, 7).say(20*sec, 7, "hi").facts()
	a := agentFact(t, f, 7)
	if a.PickUps != 1 || a.Ended != 0 || a.DurationMS != 0 || a.Valid != 0 || a.Invalid != 0 || a.FirstResponses != 0 || a.Messages != 0 {
		t.Errorf("agent: %+v", a)
	}
	if f.Session.Ended != 0 || f.Session.PickedUp != 1 {
		t.Errorf("session: %+v", f.Session)
	}
}

// A wait still open counts up to the newest event other than a message.
func TestOpenWait(t *testing.T) {
	c := newChat(t, 1, 0, 1).say(45*sec, 0, "anyone?")
	if w := c.facts().Waits[0]; w.Outcome != sb.WaitOutcomeWaiting || w.WaitMS != 0 {
		t.Errorf("wait after a message: %+v", w)
	}
	c.do(70*sec, &lifecycle.RecordEvent{Type: "customer_note", Data: []byte(`{"text":"still here"}`)})
	if w := c.facts().Waits[0]; w.WaitMS != 70000 {
		t.Errorf("wait after a note: %+v", w)
	}
}

// Chat messages never change an open session's facts, so the projector
// does not derive a busy chat again for each: deriving with and without
// the trailing messages gives the same facts.
func TestMessagesDoNotChangeOpenFacts(t *testing.T) {
	c := newChat(t, 1, 0, 1).say(5*sec, 0, "hello").assign(20*sec, 7)
	c.do(21*sec, &lifecycle.Hold{})
	before := c.facts()
	n := len(c.events)
	c.say(40*sec, 7, "one moment").say(50*sec, 0, "sure").do(55*sec, &lifecycle.Recall{MessageID: 2, From: sb.FromAgent, AgentID: 7})
	for _, e := range c.events[n:] {
		if report.ChangesFacts(e.Type) {
			t.Errorf("%s counts as changing facts", e.Type)
		}
	}
	after := c.facts()
	after.Seq = before.Seq
	if fmt.Sprintf("%+v", before) != fmt.Sprintf("%+v", after) {
		t.Errorf("messages changed the facts:\nbefore %+v\nafter  %+v", before, after)
	}
	// Once the session ends, its messages count.
	c.end(2*min, lifecycle.ByAgent)
	if a := agentFact(t, c.facts(), 7); a.Messages != 0 || a.Valid != 0 {
		// the agent's only message was recalled
		t.Errorf("agent after the end: %+v", a)
	}
}

// A transfer to a group the visitor gives up in is a failed transfer with
// its failure time.
func TestTransferFailsInTargetQueue(t *testing.T) {
	c := newChat(t, 1, 0, 1).assign(5*sec, 7).toGroup(min, 2).end(3*min, lifecycle.ByEndUser)
	f := c.facts()
	tr := f.Transfers[0]
	if tr.Success || tr.FailedAt == nil || !tr.FailedAt.Equal(t0.Add(3*min)) || *tr.FailureMS != 120000 || tr.FailReason != sb.WaitOutcomeAbandoned {
		t.Errorf("transfer: %+v", tr)
	}
	a := agentFact(t, f, 7)
	if a.Ended != 0 || a.TransfersOut != 1 || a.DurationMS != 55000 {
		t.Errorf("agent: %+v", a)
	}
}

// Deriving is a function of the events: the same log gives the same facts.
func TestDeriveIsDeterministic(t *testing.T) {
	c := newChat(t, 1, 0, 1).assign(5*sec, 7).say(6*sec, 7, "hi").end(min, lifecycle.ByAgent)
	a, b := c.facts(), c.facts()
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
		t.Error("two derivations differ")
	}
}

// SPEC §3.2, §4.4: the invitation sent automatically when the chat ends is
// not the agent's. The rating it brings counts in the ratings, but the
// agent, its group and the channel count no invitation and no success.
func TestAutomaticInvitationIsNotTheAgents(t *testing.T) {
	c := newChat(t, 1, 0, 1)
	c.say(1*sec, 0, "is it in stock?")
	c.assign(10*sec, 7)
	c.say(20*sec, 7, "yes")
	c.end(2*min, lifecycle.ByAgent)
	c.do(2*min, &lifecycle.InviteRating{By: sb.FromSystem, Auto: true})
	c.do(3*min, &lifecycle.Rate{Rating: 4})
	f := c.facts()
	if a := agentFact(t, f, 7); a.Invited != 0 || a.InviteSuccess != 0 || a.Ended != 1 {
		t.Errorf("agent: invited %d, success %d, ended %d; want 0, 0, 1", a.Invited, a.InviteSuccess, a.Ended)
	}
	if g := groupFact(t, f, 1); g.Invited != 0 || g.InviteSuccess != 0 {
		t.Errorf("group: invited %d, success %d; want 0, 0", g.Invited, g.InviteSuccess)
	}
	if f.Session.Invited != 0 || f.Session.InviteSuccess != 0 {
		t.Errorf("session: invited %d, success %d; want 0, 0", f.Session.Invited, f.Session.InviteSuccess)
	}
	if len(f.Ratings) != 2 || f.Ratings[0].Rating != 4 || f.Ratings[0].AgentID != 0 || f.Ratings[1].AgentID != 7 {
		t.Errorf("ratings: %+v", f.Ratings)
	}
}

// A supervisor's or an integration's invitation is not an agent's click
// either.
func TestOthersInvitationsAreNotTheAgents(t *testing.T) {
	for _, by := range []string{"supervisor", sb.FromSystem} {
		c := newChat(t, 1, 0, 1).assign(10*sec, 7).say(20*sec, 7, "hello")
		c.do(30*sec, &lifecycle.InviteRating{By: by})
		c.end(min, lifecycle.ByAgent).do(2*min, &lifecycle.Rate{Rating: 5})
		f := c.facts()
		if a := agentFact(t, f, 7); a.Invited != 0 || a.InviteSuccess != 0 || f.Session.Invited != 0 || groupFact(t, f, 1).Invited != 0 {
			t.Errorf("invited by %s: agent %d/%d, group %d, session %d; want 0", by, a.Invited, a.InviteSuccess,
				groupFact(t, f, 1).Invited, f.Session.Invited)
		}
	}
}

// An invitation counts for the agent who clicked it, not for the agent
// who closed the session, and for the group of the serve it was sent in.
func TestInvitationBelongsToTheInvitingServe(t *testing.T) {
	c := newChat(t, 1, 0, 1)
	c.assign(10*sec, 7)
	c.do(1*min, &lifecycle.InviteRating{By: sb.FromAgent, AgentID: 7})
	c.toGroup(2*min, 2)
	c.assign(3*min, 8)
	c.toGroup(4*min, 3)
	c.assign(5*min, 7) // agent 7 serves again, now from group 3
	c.end(6*min, lifecycle.ByAgent)
	c.do(7*min, &lifecycle.Rate{Rating: 5})
	f := c.facts()
	a, b := agentFact(t, f, 7), agentFact(t, f, 8)
	if a.Invited != 1 || a.InviteSuccess != 1 || b.Invited != 0 || b.InviteSuccess != 0 {
		t.Errorf("agents: 7 %d/%d, 8 %d/%d; want 1/1 and 0/0", a.Invited, a.InviteSuccess, b.Invited, b.InviteSuccess)
	}
	for id, want := range map[int64]int{1: 1, 2: 0, 3: 0} {
		if g := groupFact(t, f, id); g.Invited != want || g.InviteSuccess != want {
			t.Errorf("group %d: invited %d, success %d; want %d", id, g.Invited, g.InviteSuccess, want)
		}
	}
	if f.Session.Invited != 1 || f.Session.InviteSuccess != 1 {
		t.Errorf("session: %+v", f.Session)
	}
}

// SPEC §3.3: a transfer straight from an agent of group 1 to an agent of
// group 2, who ends the session, is a transfer out of group 1 and a
// transfer into group 2, and the session ended in group 2.
func TestDirectTransferBetweenGroups(t *testing.T) {
	c := newChat(t, 1, 0, 1).member(7, 1).member(8, 2)
	c.say(5*sec, 0, "my invoice is wrong")
	c.assign(10*sec, 7)
	c.say(30*sec, 7, "billing will help")
	c.toAgent(1*min, 8)
	c.say(2*min, 8, "fixed")
	c.end(5*min, lifecycle.ByAgent)
	f := c.facts()
	if len(f.Groups) != 2 {
		t.Fatalf("groups: %+v", f.Groups)
	}
	want1 := sb.GroupFact{SessionID: 1, GroupID: 1, Channel: sb.ChannelWeb, Entry: "shop", At: t0.Add(10 * sec),
		PickUps: 1, AccessedFirst: 1, TransfersOut: 1, Valid: 1, FirstResponses: 1, FirstResponseMS: 20000,
		ResponseAvgs: 1, ResponseAvgMS: 20000, HandleMS: 50000}
	if g := groupFact(t, f, 1); g != want1 {
		t.Errorf("group 1:\n got %+v\nwant %+v", g, want1)
	}
	want2 := sb.GroupFact{SessionID: 1, GroupID: 2, Channel: sb.ChannelWeb, Entry: "shop", At: t0.Add(1 * min),
		PickUps: 1, TransfersIn: 1, Ended: 1, DurationMS: 240000, Valid: 1, FirstResponses: 1, FirstResponseMS: 60000,
		HandleMS: 240000}
	if g := groupFact(t, f, 2); g != want2 {
		t.Errorf("group 2:\n got %+v\nwant %+v", g, want2)
	}
	if a, b := agentFact(t, f, 7), agentFact(t, f, 8); a.GroupID != 1 || b.GroupID != 2 || a.TransfersOut != 1 || b.TransfersIn != 1 || b.Ended != 1 {
		t.Errorf("agents: %+v / %+v", a, b)
	}
}

// SPEC §3.3: A → B → A between groups by transfers straight to agents
// gives A: sessions 1, pick-ups 2; B: 1 and 1.
func TestDirectTransfersBackAndForthBetweenGroups(t *testing.T) {
	c := newChat(t, 1, 0, 1).member(7, 1).member(8, 2)
	c.assign(10*sec, 7).toAgent(1*min, 8).toAgent(2*min, 7).end(4*min, lifecycle.ByAgent)
	f := c.facts()
	ga, gb := groupFact(t, f, 1), groupFact(t, f, 2)
	if ga.PickUps != 2 || ga.AccessedFirst != 1 || ga.TransfersIn != 1 || ga.TransfersOut != 1 || ga.Ended != 1 || ga.DurationMS != 230000 {
		t.Errorf("group A: %+v", ga)
	}
	if gb.PickUps != 1 || gb.TransfersIn != 1 || gb.TransfersOut != 1 || gb.Ended != 0 || gb.DurationMS != 0 {
		t.Errorf("group B: %+v", gb)
	}
}

// An agent in several groups serves a session in the group it received
// the session through: the queue it picked it up from; for a transfer
// straight to it, the sender's group when it belongs to it, else its
// lowest group. An agent in no group serves in none.
func TestMultiGroupAgent(t *testing.T) {
	groups := func(f sb.SessionFacts) map[int64]sb.GroupFact {
		m := map[int64]sb.GroupFact{}
		for _, g := range f.Groups {
			m[g.GroupID] = g
		}
		return m
	}
	t.Run("picked up from a queue", func(t *testing.T) {
		f := newChat(t, 1, 0, 3).member(8, 2, 3).assign(10*sec, 8).end(min, lifecycle.ByAgent).facts()
		if g := groups(f); len(g) != 1 || g[3].Ended != 1 || g[3].PickUps != 1 || agentFact(t, f, 8).GroupID != 3 {
			t.Errorf("groups: %+v", f.Groups)
		}
	})
	t.Run("receiver shares the sender's group", func(t *testing.T) {
		f := newChat(t, 1, 0, 2).member(7, 2).member(8, 1, 2, 3).
			assign(10*sec, 7).toAgent(min, 8).end(2*min, lifecycle.ByAgent).facts()
		g := groups(f)
		if len(g) != 1 || g[2].PickUps != 1 || g[2].TransfersIn != 0 || g[2].TransfersOut != 0 || g[2].Ended != 1 {
			t.Errorf("groups: %+v", f.Groups)
		}
	})
	t.Run("receiver outside the sender's group", func(t *testing.T) {
		f := newChat(t, 1, 0, 1).member(7, 1).member(8, 3, 2).
			assign(10*sec, 7).toAgent(min, 8).end(2*min, lifecycle.ByAgent).facts()
		g := groups(f)
		if len(g) != 2 || g[1].TransfersOut != 1 || g[1].Ended != 0 || g[2].TransfersIn != 1 || g[2].Ended != 1 || g[2].DurationMS != 60000 {
			t.Errorf("groups: %+v", f.Groups)
		}
		if b := agentFact(t, f, 8); b.GroupID != 2 {
			t.Errorf("agent 8 in group %d, want 2", b.GroupID)
		}
		if f.Ratings != nil {
			t.Errorf("ratings: %+v", f.Ratings)
		}
	})
	t.Run("receiver in no group", func(t *testing.T) {
		f := newChat(t, 1, 0, 1).member(7, 1).member(9).
			assign(10*sec, 7).toAgent(min, 9).end(2*min, lifecycle.ByAgent).facts()
		g := groups(f)
		if len(g) != 1 || g[1].TransfersOut != 1 || g[1].Ended != 0 || g[1].DurationMS != 0 {
			t.Errorf("groups: %+v", f.Groups)
		}
		if b := agentFact(t, f, 9); b.GroupID != 0 || b.Ended != 1 {
			t.Errorf("agent 9: %+v", b)
		}
	})
}

// transfer_started of version 1 did not record the receiver's groups: the
// serve it began stays in the group of the serve before it.
func TestDirectTransferVersion1StaysInGroup(t *testing.T) {
	c := newChat(t, 1, 0, 1).member(7, 1).member(8, 2)
	c.assign(10*sec, 7).toAgent(min, 8).end(2*min, lifecycle.ByAgent)
	old := make([]sb.Event, len(c.events))
	copy(old, c.events)
	found := false
	for i, e := range old {
		if e.Type != lifecycle.EventTransferStarted {
			continue
		}
		if e.Version != 2 {
			t.Fatalf("transfer_started has version %d, want 2", e.Version)
		}
		var d map[string]any
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(d["to_agent_groups"]) != "[2]" {
			t.Fatalf("to_agent_groups: %v", d["to_agent_groups"])
		}
		delete(d, "to_agent_groups")
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		old[i].Version, old[i].Data, found = 1, data, true
	}
	if !found {
		t.Fatal("no transfer_started event")
	}
	f, err := report.Derive(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Groups) != 1 {
		t.Fatalf("groups: %+v", f.Groups)
	}
	if g := f.Groups[0]; g.GroupID != 1 || g.PickUps != 1 || g.TransfersOut != 0 || g.Ended != 1 {
		t.Errorf("group: %+v", g)
	}
}
