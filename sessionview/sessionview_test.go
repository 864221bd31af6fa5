package sessionview_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/sessionview"
)

var (
	t0        = time.Date(2023, 12, 1, 9, 0, 0, 0, time.UTC)
	agent     = sessionview.Viewer{Role: sb.RoleAgent, AgentID: 7}
	colleague = sessionview.Viewer{Role: sb.RoleAgent, AgentID: 8}
	super     = sessionview.Viewer{Role: sb.RoleSupervisor}
)

func at(min int) *time.Time { t := t0.Add(time.Duration(min) * time.Minute); return &t }

// waitingChat is a chat waiting in Support; handledChat one agent 7 took
// at 09:05, where the visitor wrote at 09:03 and 09:07 and the agent at
// 09:06, rated 4.
func waitingChat() *sb.Session {
	return &sb.Session{ID: 12, Status: sb.StatusQueued, Seq: 3, CreatedAt: t0, QueuedAt: &t0,
		Queue: &sb.QueueRef{ID: 1, Name: "Support"}, EndUser: sb.EndUser{Name: "Nini", Email: "nini@example.com"}}
}

func handledChat() *sb.Session {
	r, solved := 4, true
	return &sb.Session{ID: 13, Status: sb.StatusConnected, Seq: 9, CreatedAt: t0,
		EndUser:  sb.EndUser{Name: "Nini", Identifier: "v-0123456789", Region: "上海市宝山区", Network: "移动"},
		Handles:  []sb.HandleSegment{{Agent: sb.AgentRef{ID: 7}, AssignedAt: *at(5)}},
		Messages: sb.MessageStats{LastEndUser: at(7), LastAgent: at(6), LastAt: at(8)},
		Rating:   &r, Feedback: "Great", RatingTags: []string{"Quick"}, Solved: &solved, RatedAt: at(9), Ratings: 1}
}

func TestNicknameFormats(t *testing.T) {
	u := sb.EndUser{Identifier: "v-0123456789", Region: "上海市宝山区", Network: "移动"}
	for _, c := range []struct{ format, name, want string }{
		{"region", "妮妮", "上海市宝山区 妮妮"},
		{"network", "妮妮", "移动 妮妮"},
		{"date", "妮妮", "妮妮 20231201"},
		{"all", "", "上海市宝山区 移动 Visitor 456789 20231201"},
	} {
		if got := sessionview.Nickname(c.format, u, c.name, 13, t0); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.format, c.name, got, c.want)
		}
	}
	// What is not known is left out; without an identifier the session names the visitor.
	if got := sessionview.Nickname("all", sb.EndUser{}, "", 13, t0.Add(20*time.Hour)); got != "Visitor #13 20231202" {
		t.Errorf("nothing known: %q", got)
	}
	if got := sessionview.Nickname("region", sb.EndUser{Identifier: "abc"}, "", 13, t0); got != "Visitor abc" {
		t.Errorf("a short identifier: %q", got)
	}
}

func TestDisplayNameAndDurationSince(t *testing.T) {
	p := sessionview.Policy{VisitorNickname: "network"}
	if got := p.DisplayName(handledChat()); got != "移动 Nini" {
		t.Errorf("nickname: %q", got)
	}
	p.ShowVisitorName = true
	if got := p.DisplayName(handledChat()); got != "Nini" {
		t.Errorf("name of a handled chat: %q", got)
	}
	if got := p.DisplayName(waitingChat()); got != "Nini" {
		t.Errorf("a waiting chat keeps the nickname: %q", got)
	}
	if got := p.DurationSince(handledChat()); got == nil || !got.Equal(*at(5)) {
		t.Errorf("from the pick-up: %v", got)
	}
	p.CountFromLastMessage = true
	if got := p.DurationSince(handledChat()); got == nil || !got.Equal(*at(7)) {
		t.Errorf("from the last message of either side (not the system's at 09:08): %v", got)
	}
	early := handledChat()
	early.Messages = sb.MessageStats{LastEndUser: at(2)}
	if got := p.DurationSince(early); got == nil || !got.Equal(*at(5)) {
		t.Errorf("a message before the pick-up: %v", got)
	}
	if got := p.DurationSince(waitingChat()); got != nil {
		t.Errorf("waiting: %v", got)
	}
}

func TestSessionViews(t *testing.T) {
	p := sessionview.Policy{VisitorNickname: "date", AgentsMayViewWaiting: true}
	if _, ok := p.Session(agent, waitingChat()).(sessionview.Staff); !ok {
		t.Error("agents_may_view_waiting on: the agent does not read the waiting chat")
	}
	p.AgentsMayViewWaiting = false
	sum, ok := p.Session(agent, waitingChat()).(sessionview.Summary)
	if !ok || !sum.DetailsHidden || sum.DisplayName != "Nini 20231201" || sum.Queue.Name != "Support" {
		t.Errorf("summary = %+v", sum)
	}
	if _, ok := p.Session(super, waitingChat()).(sessionview.Staff); !ok {
		t.Error("a supervisor reads the waiting chat")
	}
	if err := p.MayRead(agent, waitingChat()); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("MayRead = %v", err)
	}
	p.AgentsMayViewWaiting = true
	if err := p.MayRead(agent, waitingChat()); err != nil {
		t.Errorf("with the setting on: %v", err)
	}

	s := handledChat()
	v := p.Session(colleague, s).(sessionview.Staff)
	if v.Rating != nil || v.Feedback != "" || v.RatingTags != nil || v.Solved != nil || v.RatedAt == nil || v.Ratings != 1 {
		t.Errorf("an agent's view keeps the rating: %+v", v.Session)
	}
	if s.Rating == nil {
		t.Error("the view changed the session")
	}
	if v := p.Session(super, s).(sessionview.Staff); v.Rating == nil || *v.Rating != 4 {
		t.Error("a supervisor's view lost the rating")
	}
	p.AgentsSeeRatings = true
	if v := p.Session(agent, s).(sessionview.Staff); v.Rating == nil {
		t.Error("agents_see_ratings on: no rating")
	}
}

func event(typ sb.EventType, seq int64, data any) sb.Event {
	b, _ := json.Marshal(data)
	return sb.Event{ID: seq, SessionID: 12, Seq: seq, Type: typ, Actor: sb.Actor{Kind: sb.ActorEndUser, ID: "v-1", Name: "Nini"}, Data: b}
}

func TestEventViews(t *testing.T) {
	p := sessionview.Policy{}
	queued := event(lifecycle.EventQueued, 2, map[string]any{"status": "queued", "queue": map[string]any{"id": 1}})
	msg := event(lifecycle.EventMessageSent, 3, map[string]any{"from": "end_user", "text": "secret"})
	rated := event(lifecycle.EventRated, 4, map[string]any{"rating": 2, "comment": "slow", "counted": true})
	if e, ok := p.Event(agent, queued, true); !ok || string(e.Data) != `{"status":"queued"}` || e.Actor.Name != "" {
		t.Errorf("status event of a hidden session: %v %s %+v", ok, e.Data, e.Actor)
	}
	if _, ok := p.Event(agent, msg, true); ok {
		t.Error("a message of a hidden session reached the agent")
	}
	if e, ok := p.Event(agent, rated, false); !ok || string(e.Data) != `{"counted":true}` {
		t.Errorf("rated: %v %s", ok, e.Data)
	}
	for _, e := range []sb.Event{queued, msg, rated} {
		if got, ok := p.Event(super, e, true); !ok || string(got.Data) != string(e.Data) {
			t.Errorf("supervisor: %s changed", e.Type)
		}
	}
}

// A Reader reads a session when its first event comes and after events
// that may change who may see it; a message does not make it read again.
func TestReaderReadsSessionsOnlyWhenNeeded(t *testing.T) {
	s := waitingChat()
	loads := 0
	rd := sessionview.NewReader(agent, func() sessionview.Policy { return sessionview.Policy{} },
		func(_ context.Context, id int64) (*sb.Session, error) { loads++; c := *s; return &c, nil })
	ctx := context.Background()
	send := func(e sb.Event) bool {
		t.Helper()
		_, ok, err := rd.Event(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if send(event(lifecycle.EventMessageSent, 3, map[string]any{"text": "a"})) || loads != 1 {
		t.Fatalf("first message: shown, or %d loads", loads)
	}
	s.Seq = 4
	if send(event(lifecycle.EventMessageSent, 4, map[string]any{"text": "b"})) || loads != 1 {
		t.Fatalf("second message: shown, or %d loads", loads)
	}
	s.Seq, s.Status, s.Handles = 5, sb.StatusAssigned, []sb.HandleSegment{{Agent: sb.AgentRef{ID: 7}, AssignedAt: t0}}
	if !send(event(lifecycle.EventAssigned, 5, map[string]any{"status": "assigned"})) || loads != 2 {
		t.Fatalf("assigned: hidden, or %d loads", loads)
	}
	if !send(event(lifecycle.EventMessageSent, 6, map[string]any{"text": "c"})) || loads != 2 {
		t.Fatalf("a message of the accepted chat: hidden, or %d loads", loads)
	}
	// Supervisors' readers read nothing.
	sup := sessionview.NewReader(super, func() sessionview.Policy { return sessionview.Policy{} },
		func(context.Context, int64) (*sb.Session, error) {
			t.Fatal("a supervisor's reader read a session")
			return nil, nil
		})
	if _, ok, err := sup.Event(ctx, event(lifecycle.EventMessageSent, 3, nil)); !ok || err != nil {
		t.Errorf("supervisor: %v %v", ok, err)
	}
}
