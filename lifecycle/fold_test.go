package lifecycle

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func TestVoiceCallWithHoldsAndTransfer(t *testing.T) {
	r := newRunner(t).do(
		&Create{Type: sb.TypeVoiceInbound, EndUser: sb.EndUser{Phone: "+18005550175"}},
		&SelectMenu{QueueID: 7},
		&Enqueue{QueueID: 8},
		&Assign{AgentID: 1},
		status("connect"),
		&Hold{}, &Resume{},
		&Hold{}, &Resume{},
		&Transfer{Kind: sb.TransferToAgent, AgentID: 2, Confirm: true},
		&TransferComplete{},
		&Hold{}, &Resume{},
		&End{DisconnectedBy: ByAgent},
		&WrapUp{Code: "resolved", Note: "customer asked for opening hours"},
	)
	s := r.s
	if s.Status != sb.StatusFinished {
		t.Fatalf("status = %s, want finished", s.Status)
	}
	if got := len(s.Holds); got != 3 {
		t.Fatalf("holds = %d, want 3", got)
	}
	if s.Holds[0].Interaction != 0 || s.Holds[2].Interaction != 1 {
		t.Errorf("hold interactions = %d, %d; want 0, 1", s.Holds[0].Interaction, s.Holds[2].Interaction)
	}
	if len(s.Handles) != 2 || s.Handles[0].TransferOut != 1 || s.Handles[1].TransferIn != 1 {
		t.Errorf("handles = %+v", s.Handles)
	}
	if s.Agent.ID != 2 || s.Transfers[0].Status != sb.TransferCompleted {
		t.Errorf("agent %d transfer %s", s.Agent.ID, s.Transfers[0].Status)
	}
	if got := s.MenuPath; len(got) != 2 || got[0].ID != 7 || got[1].ID != 8 {
		t.Errorf("menu path = %+v", got)
	}
	if s.Disposition == nil || s.WrapUpAt == nil || s.Handles[1].WrapUpAt == nil {
		t.Errorf("wrap-up not folded: %+v", s.Disposition)
	}
	// end user, agent 1, agent 2
	if len(s.Participants) != 3 {
		t.Fatalf("participants = %+v", s.Participants)
	}
	for _, p := range s.Participants {
		if p.Status != "finished" || p.EndedAt == nil {
			t.Errorf("participant %d still %s", p.ID, p.Status)
		}
	}
	assertFoldEqual(t, r)
}

// assertFoldEqual checks that replaying the stored form of the log (JSON
// round trip) rebuilds exactly the projection the commands produced.
func assertFoldEqual(t *testing.T, r *runner) {
	t.Helper()
	raw, err := json.Marshal(r.events)
	if err != nil {
		t.Fatal(err)
	}
	var stored []sb.Event
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	got, err := Fold(stored)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(r.s)
	if string(a) != string(b) {
		t.Errorf("fold differs from live projection:\nfold: %s\nlive: %s", a, b)
	}
	if !reflect.DeepEqual(normalize(got), normalize(r.s)) {
		t.Errorf("fold differs structurally")
	}
}

func normalize(s *sb.Session) any {
	b, _ := json.Marshal(s)
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

// A virtual agent that hands the session to an agent or a queue stops
// handling it at that moment.
func TestVirtualAgentTransferClosesItsSegment(t *testing.T) {
	for _, tr := range []*Transfer{
		{Kind: sb.TransferToAgent, AgentID: 1},
		{Kind: sb.TransferToQueue, QueueID: 2},
	} {
		r := newRunner(t).do(
			&Create{Type: sb.TypeChatWeb},
			&VAAssign{VirtualAgentID: 1},
			status("va-connect"),
			tr,
		)
		handed := r.now.Add(-time.Second)
		r.do(&End{DisconnectedBy: ByEndUser})
		va := r.s.VAHandles[0]
		if va.EndedAt == nil || !va.EndedAt.Equal(handed) || va.FinishReason != "transferred" {
			t.Errorf("%s transfer: VA segment ended %v (%s), want %v (transferred)", tr.Kind, va.EndedAt, va.FinishReason, handed)
		}
		for _, p := range r.s.Participants {
			if p.Type == sb.ParticipantVirtualAgent && (p.EndedAt == nil || !p.EndedAt.Equal(handed)) {
				t.Errorf("%s transfer: VA participant ended %v, want %v", tr.Kind, p.EndedAt, handed)
			}
		}
		assertFoldEqual(t, r)
	}
}

// A failed session queued again is live: no end time, no failure, and the
// waiting caller is a connected participant again (a new record).
func TestRequeueAfterFailureReopensTheSession(t *testing.T) {
	r := newRunner(t).do(
		&Create{Type: sb.TypeVoiceInbound, EndUser: sb.EndUser{Phone: "+18005550175"}},
		&Enqueue{QueueID: 1},
		&Assign{AgentID: 1},
		status("connecting"),
		&Fail{Reason: "carrier_error"},
		&Requeue{QueueID: 1},
	)
	s := r.s
	if s.Status != sb.StatusRequeued || s.EndedAt != nil || s.FailReason != "" {
		t.Fatalf("status %s ended %v fail %q", s.Status, s.EndedAt, s.FailReason)
	}
	var users []sb.Participant
	for _, p := range s.Participants {
		if p.Type == sb.ParticipantEndUser {
			users = append(users, p)
		}
	}
	if len(users) != 2 || users[0].Status != "finished" || users[1].Status != "connected" {
		t.Errorf("end-user records %+v, want the old one finished and a new one connected", users)
	}
	r.do(&Assign{AgentID: 2}, status("connect"), &End{DisconnectedBy: ByAgent})
	if r.s.EndedAt == nil || r.s.Status != sb.StatusFinished {
		t.Errorf("did not end: %s", r.s.Status)
	}
	assertFoldEqual(t, r)
}
