package lifecycle

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// pathTo returns commands that bring a new session to status st. With
// onHold the session is also on hold; with participant it has an added
// third party (connecting, or connected when joined is set).
func pathTo(st sb.Status, onHold, participant, joined bool) []Command {
	return path(st, onHold, participant, joined, sb.TypeVoiceInbound)
}

// path is pathTo with the type of the inbound session that selecting and
// the virtual-agent statuses start from (chat commands need a chat).
func path(st sb.Status, onHold, participant, joined bool, inboundType sb.SessionType) []Command {
	at := t0.Add(time.Hour)
	inbound := &Create{Type: inboundType, EndUser: sb.EndUser{Phone: "+18005550175"}}
	queued := []Command{&Create{Type: sb.TypeChatWeb, QueueID: 1}}
	assigned := append(slices.Clone(queued), &Assign{AgentID: 1})
	talk := append(slices.Clone(assigned), status("connect"))
	if participant {
		talk = append(talk, &AddParticipant{Type: sb.ParticipantThirdParty, Display: "Supervisor", Phone: "+12223334444"})
		if joined {
			talk = append(talk, &ParticipantChange{name: "participant-complete", ParticipantID: 3})
		}
	}
	if onHold {
		talk = append(talk, &Hold{})
	}
	preview := []Command{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignPreview, AgentID: 1, EndUser: sb.EndUser{Phone: "+12223335555"}}}
	predictive := []Command{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignPredictive, AgentID: 1, EndUser: sb.EndUser{Phone: "+12223335555"}}}
	campaignTalk := append(slices.Clone(predictive), status("dial"), status("connect"))
	if participant {
		campaignTalk = append(campaignTalk, &AddParticipant{Type: sb.ParticipantThirdParty, Display: "Expert"})
		if joined {
			campaignTalk = append(campaignTalk, &ParticipantChange{name: "participant-complete", ParticipantID: 3})
		}
	}
	if onHold {
		campaignTalk = append(campaignTalk, &Hold{})
	}
	switch st {
	case sb.StatusScheduled:
		return []Command{&Create{Type: sb.TypeVoiceScheduledWeb, ScheduledAt: &at}}
	case sb.StatusSelecting:
		return []Command{inbound}
	case sb.StatusQueued:
		return queued
	case sb.StatusAssigned:
		return assigned
	case sb.StatusConnecting:
		return append(assigned, status("connecting"))
	case sb.StatusConnected:
		return talk
	case sb.StatusSwitching:
		return append(talk, &Transfer{Kind: sb.TransferToAgent, AgentID: 2, Confirm: true})
	case sb.StatusFinished:
		return append(talk, &End{DisconnectedBy: ByEndUser})
	case sb.StatusFailed:
		return []Command{inbound, &Fail{Reason: "network_error"}}
	case sb.StatusRecovered:
		return []Command{inbound, &Fail{Reason: "network_error"}, status("recover")}
	case sb.StatusDeflected:
		return append(queued, &Deflect{Deflection: "after_hours_message_only"})
	case sb.StatusVAAssigned:
		return []Command{inbound, &VAAssign{VirtualAgentID: 1}}
	case sb.StatusVAConnected:
		return []Command{inbound, &VAAssign{VirtualAgentID: 1}, status("va-connect")}
	case sb.StatusPreviewWaiting:
		return preview
	case sb.StatusPreviewPending:
		return append(preview, &Preview{})
	case sb.StatusPreviewReady:
		return append(preview, &Preview{}, status("preview-ready"))
	case sb.StatusCampaignConnecting:
		return append(preview, &Preview{}, status("preview-ready"), status("campaign-connect"))
	case sb.StatusCampaignConnected:
		return campaignTalk
	case sb.StatusRequeued:
		return append(assigned, &Requeue{QueueID: 2, Reason: "agent_no_answer"})
	case sb.StatusPredictiveWaiting:
		return predictive
	case sb.StatusProgressiveWaiting:
		return []Command{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignProgressive, AgentID: 1, EndUser: sb.EndUser{Phone: "+12223335555"}}}
	case sb.StatusCampaignDialing:
		return append(predictive, status("dial"))
	case sb.StatusVoicemail:
		return []Command{inbound, &Voicemail{Reason: "no_agents"}}
	case sb.StatusVoicemailReceived:
		return []Command{inbound, &Voicemail{Reason: "no_agents"}, &VoicemailReceived{RecordingURL: "https://example.com/vm/1.wav", Duration: 12}}
	}
	panic("no path to " + st.String())
}

// sample returns a valid instance of a command, and what the session needs
// before it: to be on hold, to have a participant, to have it joined.
func sample(name string) (cmd Command, onHold, participant, joined bool) {
	switch name {
	case "start":
		return &Start{QueueID: 1}, false, false, false
	case "select-menu":
		return &SelectMenu{QueueID: 3}, false, false, false
	case "enqueue":
		return &Enqueue{QueueID: 1}, false, false, false
	case "requeue":
		return &Requeue{QueueID: 1, Reason: "retry"}, false, false, false
	case "assign":
		return &Assign{AgentID: 5}, false, false, false
	case "va-assign":
		return &VAAssign{VirtualAgentID: 2}, false, false, false
	case "preview":
		return &Preview{}, false, false, false
	case "hold":
		return &Hold{}, false, false, false
	case "resume":
		return &Resume{}, true, false, false
	case "transfer":
		return &Transfer{Kind: sb.TransferToQueue, QueueID: 4}, false, false, false
	case "transfer-complete":
		return &TransferComplete{}, false, false, false
	case "transfer-fail":
		return &TransferFail{Reason: TransferDeclined}, false, false, false
	case "add-participant":
		return &AddParticipant{Type: sb.ParticipantAgent, AgentID: 9}, false, false, false
	case "participant-complete":
		return &ParticipantChange{name: name, ParticipantID: 3}, false, true, false
	case "participant-fail":
		return &ParticipantChange{name: name, ParticipantID: 3, Reason: "busy"}, false, true, false
	case "participant-leave":
		return &ParticipantChange{name: name, ParticipantID: 3}, false, true, true
	case "deflect":
		return &Deflect{Deflection: "over_capacity_message_only", Channel: "sms"}, false, false, false
	case "voicemail":
		return &Voicemail{Reason: "after_hours"}, false, false, false
	case "voicemail-received":
		return &VoicemailReceived{RecordingURL: "https://example.com/vm.wav"}, false, false, false
	case "fail":
		return &Fail{Reason: "carrier_error", Details: "503 from carrier"}, false, false, false
	case "end":
		return &End{DisconnectedBy: BySystem, Reason: "test"}, false, false, false
	case "wrap-up":
		return &WrapUp{Code: "resolved"}, false, false, false
	case "rate":
		return &Rate{Rating: 4, Comment: "Great job"}, false, false, false
	case "tag":
		return &Tag{Add: []int64{3}, AddRefs: []sb.TagRef{{ID: 3, Name: "Refund"}}}, false, false, false
	case "alert":
		return &Alert{Data: AlertData{RuleID: 1, RuleName: "Busy", QueueID: 1, Waiting: 6, Threshold: 5}}, false, false, false
	case "record-event":
		return &RecordEvent{Type: "customer_note", Data: json.RawMessage(`{"text":"Bonjour,"}`)}, false, false, false
	case "queue-reminder":
		return &QueueReminder{Data: ReminderData{Number: 1, Of: 3}, Text: "Thanks for waiting", LeaveMessage: true}, false, false, false
	case "queue-timeout":
		return &QueueTimeout{Text: "Sorry, nobody could answer in time.", Reason: "queue_timeout"}, false, false, false
	case "no-reply":
		return &NoReply{Data: NoReplyData{AgentID: 1, Since: t0, Seconds: 60}, Prompt: "An agent will be with you shortly."}, false, false, false
	case "visitor-reminder":
		return &VisitorReminder{Data: ReminderData{Number: 1, Of: 2}, Text: "Are you still there?"}, false, false, false
	case "message":
		return &Message{From: sb.FromEndUser, Text: "Bonjour, je suis toujours là"}, false, false, false
	case "recall":
		return &Recall{MessageID: 1, From: sb.FromEndUser}, false, false, false
	case "invite-rating":
		return &InviteRating{By: sb.FromAgent, AgentID: 1}, false, false, false
	case "update-profile":
		name := "Lucie Martin"
		return &UpdateProfile{CustomerName: &name, Fields: map[string]string{"order": "A-1001"}}, false, false, false
	case "notice":
		return &Notice{Purpose: PurposeClosing, Text: "Thank you for chatting with us."}, false, false, false
	}
	c, _ := NewStatusCommand(name)
	return c, false, false, false
}

func TestEveryAllowedTransition(t *testing.T) {
	for _, tr := range Table {
		if tr.Command == "create" {
			continue
		}
		from := tr.From
		if tr.AnyStatus {
			from = sb.Statuses()
		}
		for _, st := range from {
			t.Run(tr.Command+"/"+st.String(), func(t *testing.T) {
				cmd, onHold, participant, joined := sample(tr.Command)
				typ := sb.TypeVoiceInbound
				if tr.Command == "message" || tr.Command == "recall" || tr.Command == "visitor-reminder" || tr.Command == "no-reply" ||
					tr.Command == "invite-rating" || tr.Command == "notice" {
					typ = sb.TypeChatWeb
				}
				r := newRunner(t).do(path(st, onHold, participant, joined, typ)...)
				if tr.Command == "recall" {
					r.do(&Message{From: sb.FromEndUser, Text: "oops"})
				}
				if r.s.Status != st {
					t.Fatalf("setup reached %s, want %s", r.s.Status, st)
				}
				before := r.s.Seq
				r.do(cmd)
				if r.s.Seq <= before {
					t.Fatalf("no event appended")
				}
				if len(tr.To) == 0 {
					if r.s.Status != st {
						t.Errorf("status %s -> %s; %s must not change it", st, r.s.Status, tr.Command)
					}
				} else if !slices.Contains(tr.To, r.s.Status) {
					t.Errorf("status %s -> %s; the table allows %v", st, r.s.Status, tr.To)
				}
				assertFoldEqual(t, r)
			})
		}
	}
}

func TestEveryForbiddenTransition(t *testing.T) {
	for _, st := range sb.Statuses() {
		for _, tr := range Table {
			if tr.Command == "create" || Allowed(tr.Command, st) {
				continue
			}
			t.Run(tr.Command+"/"+st.String(), func(t *testing.T) {
				r := newRunner(t).do(pathTo(st, false, false, false)...)
				before := r.s
				cmd, _, _, _ := sample(tr.Command)
				err := r.try(cmd)
				if sb.ErrorCode(err) != sb.ECONFLICT {
					t.Fatalf("err = %v, want a conflict", err)
				}
				e := err.(*sb.Error)
				if e.Detail["status"] != st.String() || e.Detail["status_code"] != int(st) {
					t.Errorf("detail = %v, want status %s", e.Detail, st)
				}
				if r.s != before || r.s.Seq != before.Seq {
					t.Errorf("a refused command changed the session")
				}
			})
		}
	}
}

func TestCreateStartsInTheRightStatus(t *testing.T) {
	at := t0.Add(time.Hour)
	for _, c := range []struct {
		cmd  *Create
		want sb.Status
	}{
		{&Create{Type: sb.TypeVoiceInbound}, sb.StatusSelecting},
		{&Create{Type: sb.TypeChatWhatsApp, QueueID: 4}, sb.StatusQueued},
		{&Create{Type: sb.TypeVoiceScheduledMobile, ScheduledAt: &at}, sb.StatusScheduled},
		{&Create{Type: sb.TypeVoiceOutbound, AgentID: 3, EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.StatusAssigned},
		{&Create{Type: sb.TypeChatSMSOutbound, AgentID: 3, EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.StatusAssigned},
		{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignPreview, AgentID: 3, EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.StatusPreviewWaiting},
		{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignPredictive, AgentID: 3, EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.StatusPredictiveWaiting},
		{&Create{Type: sb.TypeVoiceCampaign, CampaignMode: CampaignProgressive, AgentID: 3, EndUser: sb.EndUser{Phone: "+12223334444"}}, sb.StatusProgressiveWaiting},
	} {
		r := newRunner(t).do(c.cmd)
		if r.s.Status != c.want {
			t.Errorf("create %s: status %s, want %s", c.cmd.Type, r.s.Status, c.want)
		}
		rows, _ := Lookup("create")
		if !slices.Contains(rows[0].To, r.s.Status) {
			t.Errorf("create %s ends in %s, which the table does not list", c.cmd.Type, r.s.Status)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	past := t0.Add(-time.Hour)
	for name, c := range map[string]*Create{
		"unknown type":          {Type: "fax"},
		"bad lang":              {Type: sb.TypeChatWeb, Lang: "English"},
		"bad phone":             {Type: sb.TypeChatWeb, EndUser: sb.EndUser{Phone: "555-1234"}},
		"bad email":             {Type: sb.TypeChatWeb, EndUser: sb.EndUser{Email: "nope"}},
		"scheduled without at":  {Type: sb.TypeVoiceScheduledWeb},
		"scheduled in the past": {Type: sb.TypeVoiceScheduledWeb, ScheduledAt: &past},
		"at on inbound":         {Type: sb.TypeVoiceInbound, ScheduledAt: &past},
		"outbound no agent":     {Type: sb.TypeVoiceOutbound, EndUser: sb.EndUser{Phone: "+12223334444"}},
		"outbound no phone":     {Type: sb.TypeVoiceOutbound, AgentID: 1},
		"campaign no mode":      {Type: sb.TypeVoiceCampaign, AgentID: 1, EndUser: sb.EndUser{Phone: "+12223334444"}},
		"mode on inbound":       {Type: sb.TypeChatWeb, CampaignMode: CampaignPreview},
		"agent on inbound":      {Type: sb.TypeChatWeb, AgentID: 2},
		"unknown queue":         {Type: sb.TypeChatWeb, QueueID: 999},
		"bad ticket url":        {Type: sb.TypeChatWeb, OutTicketURL: "javascript:alert(1)"},
		"bad permission":        {Type: sb.TypeChatWeb, RecordingPermission: "maybe"},
	} {
		r := newRunner(t)
		err := r.try(c)
		code := sb.ErrorCode(err)
		if code != sb.EINVALID && code != sb.ENOTFOUND {
			t.Errorf("%s: err = %v, want invalid or not_found", name, err)
		}
		if r.s != nil {
			t.Errorf("%s: a session was created", name)
		}
	}
}
