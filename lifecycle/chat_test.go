package lifecycle

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// chatHandledBy returns a runner whose web chat agent 1 answered and then
// transferred to agent 2, who is connected now.
func chatHandledBy(t *testing.T) *runner {
	return newRunner(t).do(&Create{Type: sb.TypeChatWeb, QueueID: 1}, &Assign{AgentID: 1}, status("connect"),
		&Message{From: sb.FromEndUser, Text: "Hello"}, &Message{From: sb.FromAgent, AgentID: 1, Text: "Hi!"},
		&Transfer{Kind: sb.TransferToAgent, AgentID: 2})
}

func lastData[T any](t *testing.T, r *runner, typ sb.EventType) T {
	t.Helper()
	var v T
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Type == typ {
			if err := json.Unmarshal(r.events[i].Data, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no %s event", typ)
	return v
}

func TestOnlyTheFirstRatingCounts(t *testing.T) {
	r := chatHandledBy(t)
	if got := r.s.CurrentHandle(); got == nil || got.Agent.ID != 2 {
		t.Fatalf("setup: handle %+v", got)
	}
	yes := true
	r.do(&Rate{Rating: 5, Tags: []string{"Quick"}, Solved: &yes, Attribution: sb.RatingAllAgents, Scores: sb.DefaultCSATSettings().Scores})
	first := lastData[RatedData](t, r, EventRated)
	if !first.Counted || !slices.Equal(first.AgentIDs, []int64{1, 2}) {
		t.Fatalf("first rating = %+v, want counted for agents 1 and 2", first)
	}
	r.do(&Rate{Rating: 1, Comment: "changed my mind"})
	second := lastData[RatedData](t, r, EventRated)
	if second.Counted || second.AgentIDs != nil {
		t.Fatalf("second rating = %+v, want recorded but not counted", second)
	}
	if *r.s.Rating != 5 || r.s.Ratings != 2 || !slices.Equal(r.s.RatingTags, []string{"Quick"}) || r.s.Solved == nil || !*r.s.Solved || r.s.Feedback != "" {
		t.Fatalf("projection: rating %d ratings %d tags %v solved %v", *r.s.Rating, r.s.Ratings, r.s.RatingTags, r.s.Solved)
	}
}

// A rating's tags must be tags its own score offers in the CSAT settings.
func TestRatingTagsBelongToTheChosenScore(t *testing.T) {
	scores := sb.DefaultCSATSettings().Scores
	r := chatHandledBy(t)
	for _, c := range []struct {
		rating int
		tags   []string
		want   []string // in the message
	}{
		{1, []string{"Slow reply", "Quick"}, []string{`"Quick" is a tag of 4, 5-star ratings, not of a 1-star rating`, `"Slow reply", "Not helpful"`}},
		{3, []string{"Friendly"}, []string{`"Friendly"`, "a 3-star rating offers no tags"}},
		{5, []string{"Great"}, []string{`"Great" is not a tag of any score`, `the 5-star tags are "Friendly", "Quick", "Solved my problem"`}},
	} {
		err := r.try(&Rate{Rating: c.rating, Tags: c.tags, Scores: scores})
		if sb.ErrorCode(err) != sb.EINVALID {
			t.Fatalf("%d stars with %v: %v, want invalid", c.rating, c.tags, err)
		}
		for _, w := range c.want {
			if !strings.Contains(sb.ErrorMessage(err), w) {
				t.Errorf("%d stars with %v: %q does not say %q", c.rating, c.tags, sb.ErrorMessage(err), w)
			}
		}
	}
	if r.s.Rating != nil {
		t.Fatalf("a refused rating was recorded: %d", *r.s.Rating)
	}
	r.do(&Rate{Rating: 1, Tags: []string{"Slow reply", "Not helpful"}, Scores: scores})
	if !slices.Equal(r.s.RatingTags, []string{"Slow reply", "Not helpful"}) {
		t.Errorf("tags %v", r.s.RatingTags)
	}
}

func TestRatingForTheLastAgentOnly(t *testing.T) {
	r := chatHandledBy(t).do(&Rate{Rating: 4, Attribution: sb.RatingLastAgent})
	if d := lastData[RatedData](t, r, EventRated); !slices.Equal(d.AgentIDs, []int64{2}) {
		t.Fatalf("agent_ids = %v, want [2]", d.AgentIDs)
	}
}

func TestRatingDeadline(t *testing.T) {
	r := chatHandledBy(t).do(&End{DisconnectedBy: ByAgent})
	ended := *r.s.EndedAt
	r.now = ended.Add(10 * time.Minute)
	r.do(&InviteRating{By: sb.FromAgent, AgentID: 2, Window: 10 * time.Minute})
	r.now = ended.Add(10*time.Minute + time.Millisecond)
	seq := r.s.Seq
	if err := r.try(&Rate{Rating: 3, Window: 10 * time.Minute}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Fatalf("late rating: err = %v, want conflict", err)
	}
	if err := r.try(&InviteRating{By: sb.FromAgent, AgentID: 2, Window: 10 * time.Minute}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Fatalf("late invitation: err = %v, want conflict", err)
	}
	if r.s.Seq != seq || r.s.Rating != nil {
		t.Fatalf("a refused rating changed the session")
	}
	r.do(&Rate{Rating: 3}) // no deadline configured: accepted
}

func TestRatingInvitations(t *testing.T) {
	r := chatHandledBy(t)
	r.do(&InviteRating{By: sb.FromAgent, AgentID: 2}, &InviteRating{By: sb.FromAgent, AgentID: 2})
	if r.s.RatingInvites != 2 || r.s.RatingInvitedAt == nil {
		t.Fatalf("invites = %d", r.s.RatingInvites)
	}
	r.do(&Rate{Rating: 5})
	if err := r.try(&InviteRating{By: sb.FromAgent, AgentID: 2}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Fatalf("invitation after a rating: err = %v, want conflict", err)
	}

	dropped := newRunner(t).do(&Create{Type: sb.TypeChatWeb, QueueID: 1}, &Assign{AgentID: 1}, status("connect"),
		&End{DisconnectedBy: BySystem, Reason: "inactive"})
	if err := dropped.try(&InviteRating{By: sb.FromAgent, AgentID: 1}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Fatalf("invitation of a chat the system ended: err = %v, want conflict", err)
	}
}

func TestUpdateProfile(t *testing.T) {
	r := chatHandledBy(t)
	name, email := "Lucie Martin", "lucie@example.fr"
	r.do(&UpdateProfile{CustomerName: &name, Email: &email, Fields: map[string]string{"order": "A-1001", "city": "Lyon"}})
	empty := ""
	r.do(&UpdateProfile{Phone: &empty, Fields: map[string]string{"city": ""}})
	u := r.s.EndUser
	if u.Name != name || u.Email != email || len(u.Profile) != 1 || u.Profile["order"] != "A-1001" {
		t.Fatalf("end user = %+v", u)
	}
	for _, bad := range []*UpdateProfile{{}, {Email: new("not-an-email")}, {Fields: map[string]string{"Bad Key": "x"}}} {
		if err := bad.Validate(); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%+v: err = %v, want invalid", bad, err)
		}
	}
}

func TestNoticeAfterTheEnd(t *testing.T) {
	r := chatHandledBy(t).do(&End{DisconnectedBy: ByEndUser})
	r.do(&Notice{Purpose: PurposeClosing, Text: "Thanks for chatting with Acme.", Nickname: "Acme"})
	m := lastData[MessageData](t, r, EventMessageSent)
	if m.From != sb.FromSystem || m.Purpose != PurposeClosing || m.Nickname != "Acme" || m.ID != 3 {
		t.Fatalf("closing = %+v", m)
	}
	if err := (&Notice{Purpose: "advert", Text: "x"}).Validate(); sb.ErrorCode(err) != sb.EINVALID {
		t.Fatalf("unknown purpose: err = %v", err)
	}
}

func TestImageMessages(t *testing.T) {
	r := chatHandledBy(t)
	img := &sb.AttachmentRef{ID: 7, Name: "receipt.png", ContentType: "image/png", Size: 2048, Kind: KindImage, Width: 640, Height: 480}
	r.do(&Message{From: sb.FromEndUser, Kind: KindImage, AttachmentID: 7, Attachment: img})
	if m := lastData[MessageData](t, r, EventMessageSent); m.Kind != KindImage || m.Attachment == nil || *m.Attachment != *img || m.Text != "" {
		t.Fatalf("image message = %+v", m)
	}
	for name, bad := range map[string]*Message{
		"image without attachment": {From: sb.FromEndUser, Kind: KindImage},
		"text with attachment":     {From: sb.FromEndUser, Text: "hi", AttachmentID: 7, Attachment: img},
		"attachment not looked up": {From: sb.FromEndUser, Kind: KindFile, AttachmentID: 8},
		"file is not an image":     {From: sb.FromEndUser, Kind: KindImage, AttachmentID: 9, Attachment: &sb.AttachmentRef{ID: 9, Kind: KindFile}},
		"empty text":               {From: sb.FromEndUser},
		"unknown kind":             {From: sb.FromEndUser, Kind: "video", Text: "x"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
