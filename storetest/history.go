package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// testHistorySearch checks the history filters of SPEC §2.5: time range,
// channel, every agent who handled a session, session tag, message text.
func testHistorySearch(t *testing.T, st Store) {
	ctx := context.Background()
	msg := func(s *sb.Session, text string) sb.Event {
		e := ev(s, "message_sent")
		e.Data, _ = json.Marshal(map[string]any{"id": s.Seq, "from": "end_user", "kind": "text", "text": text})
		return e
	}
	commit := func(c *sb.Change) {
		t.Helper()
		if err := st.Commit(ctx, []*sb.Change{c}); err != nil {
			t.Fatal(err)
		}
	}
	// 1: web, day 1, agent 7 then 8, tagged 3, "Where is my parcel?"
	s1 := session(1, sb.StatusConnected)
	s1.Seq, s1.Agent = 1, &sb.AgentRef{ID: 7}
	commit(&sb.Change{Session: s1, Events: []sb.Event{ev(s1, "session_created")}})
	next := *s1
	next.Seq, next.Agent, next.Tags = 2, &sb.AgentRef{ID: 8}, []sb.TagRef{{ID: 3, Name: "Delivery"}}
	commit(&sb.Change{Session: &next, ExpectedSeq: 1, Events: []sb.Event{ev(&next, "session_transferred")}})
	// A message changes neither the agent nor the tags: a store may fold
	// it into the projection on read (EventStore.Commit).
	third := next
	third.Seq = 3
	commit(&sb.Change{Session: &third, ExpectedSeq: 2, Events: []sb.Event{msg(&third, "Where is my PARCEL? 100%")}})
	// 2: mini-program, day 2, agent 8, "我的订单还没有到", ended.
	s2 := session(2, sb.StatusFinished)
	s2.Seq, s2.Channel, s2.Agent = 1, sb.ChannelMiniProgram, &sb.AgentRef{ID: 8}
	s2.CreatedAt = t0.Add(24 * time.Hour)
	ended := s2.CreatedAt.Add(time.Hour)
	s2.EndedAt = &ended
	commit(&sb.Change{Session: s2, Events: []sb.Event{msg(s2, "我的订单还没有到")}})
	// 3: web, day 2, nobody, an image without text.
	s3 := session(3, sb.StatusQueued)
	s3.Seq, s3.CreatedAt = 1, t0.Add(25*time.Hour)
	commit(&sb.Change{Session: s3, Events: []sb.Event{msg(s3, "")}})

	for name, c := range map[string]struct {
		f    sb.SessionFilter
		want []int64
	}{
		"from":           {sb.SessionFilter{From: t0.Add(24 * time.Hour)}, []int64{3, 2}},
		"to":             {sb.SessionFilter{To: t0.Add(24 * time.Hour)}, []int64{1}},
		"channel":        {sb.SessionFilter{Channel: sb.ChannelWeb}, []int64{3, 1}},
		"ended":          {sb.SessionFilter{Ended: true}, []int64{2}},
		"handled by 7":   {sb.SessionFilter{HandledBy: 7}, []int64{1}},
		"handled by 8":   {sb.SessionFilter{HandledBy: 8}, []int64{2, 1}},
		"current agent":  {sb.SessionFilter{AgentID: 7}, nil},
		"tag":            {sb.SessionFilter{TagID: 3}, []int64{1}},
		"text any case":  {sb.SessionFilter{Text: "parcel"}, []int64{1}},
		"text chinese":   {sb.SessionFilter{Text: "订单"}, []int64{2}},
		"text percent":   {sb.SessionFilter{Text: "100%"}, []int64{1}},
		"wildcard kept":  {sb.SessionFilter{Text: "%"}, []int64{1}},
		"text nowhere":   {sb.SessionFilter{Text: "refund"}, nil},
		"all conditions": {sb.SessionFilter{Text: "parcel", HandledBy: 8, TagID: 3, Channel: sb.ChannelWeb, To: t0.Add(time.Hour)}, []int64{1}},
	} {
		got, err := st.Sessions(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ids []int64
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", name, ids, c.want)
		}
	}
}
