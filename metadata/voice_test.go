package metadata

import (
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// voiceWithTransfer is an IVR call: menu, queue, agent 1 (one hold),
// confirmed transfer to agent 2 (two holds), a failed third party, end,
// wrap-up and a late rating.
func voiceWithTransfer(t *testing.T) *runner {
	r := newRunner(t, 1001)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeVoiceInbound, Lang: "en",
		EndUser: sb.EndUser{ID: 501, Identifier: "cust-501", Name: "Jo Doe", Phone: "+18005550175",
			OutContactID: "crm-501"},
		SupportNumber: "+12223334444", RecordingPermission: "granted",
		OutTicketID: "12345", OutTicketURL: "https://crm.example.com/tickets/12345?view=full&tab=1"})
	r.at("09:00:04", &lifecycle.SelectMenu{QueueID: 10})
	r.at("09:00:07", &lifecycle.SelectMenu{QueueID: 11})
	r.at("09:00:09.500", &lifecycle.Enqueue{QueueID: 12, Priority: 2})
	r.at("09:00:20", stream("sms", `{"kind":"wait_time","text":"You are number 2 in line."}`))
	r.at("09:00:51.250", &lifecycle.Assign{AgentID: 1})
	r.at("09:00:54", status("connect"))
	r.at("09:01:10", &lifecycle.Hold{})
	r.at("09:01:22.400", &lifecycle.Resume{}) // 12.4 s, agent 1
	r.at("09:01:30", stream("verified", `{"by":"Noam B"}`))
	r.at("09:01:40", &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 2, Confirm: true})
	r.at("09:01:48", &lifecycle.TransferComplete{})
	r.at("09:02:00", &lifecycle.Hold{})
	r.at("09:02:10.500", &lifecycle.Resume{}) // 10.5 s, agent 2
	r.at("09:02:30", &lifecycle.Hold{})
	r.at("09:02:42.600", &lifecycle.Resume{}) // 12.6 s, agent 2
	r.at("09:02:50", stream("sms", `{"kind":"in_call","text":"Your return label: https://ex.com/l?a=1&b=2"}`))
	r.at("09:02:55",
		stream("photos_uploaded", `{"kind":"photo","urls":["https://files.example.com/p1.jpg","https://files.example.com/p2.jpg"]}`),
		stream("video_uploaded", `{"url":"https://files.example.com/v1.mp4"}`))
	r.at("09:03:00", stream("text_input", `{"label":"Order number","text":"A-1234"}`))
	r.at("09:03:05", &lifecycle.AddParticipant{Type: sb.ParticipantThirdParty, Display: "Courier", Phone: "+18005550199"})
	r.at("09:03:20", participant("participant-fail", 4, "no_answer"))
	r.at("09:03:30", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	r.at("09:04:15", &lifecycle.WrapUp{Code: "resolved", CustomCodeID: 77, List: "Support",
		Note: "Resolved; customer asked for opening hours."})
	r.at("09:04:20", stream("call_recording", `{"url":"https://rec.example.com/1001.mp3"}`))
	r.at("09:10:00", &lifecycle.Rate{Rating: 4, Comment: "Great job"}) // late rating
	return r
}

func TestVoiceCallWithHoldsAndTransfer(t *testing.T) {
	r := voiceWithTransfer(t)
	doc, rec := r.render("voice_transfer_holds", clockAt(t, "09:25:00"), plus3)
	c := rec.Call
	if c == nil || rec.Chat != nil {
		t.Fatalf("voice session did not give a call record")
	}
	eq(t, "call_type", c.CallType, "Voice Inbound (IVR)")
	eq(t, "session_type", c.SessionType, c.CallType)
	eq(t, "status", c.Status, "finished")
	eq(t, "created_at", c.CreatedAt, "2026-11-23T12:00:00.000+03:00")
	eq(t, "queued_at", val(t, "queued_at", c.QueuedAt), "2026-11-23T12:00:09.500+03:00")
	eq(t, "ends_at", val(t, "ends_at", c.EndsAt), "2026-11-23T12:03:30.000+03:00")
	eq(t, "updated_at", c.UpdatedAt, "2026-11-23T12:10:00.000+03:00")
	eq(t, "wait_duration", c.WaitDuration, 41)                                           // 41.75 s
	eq(t, "call_duration", c.CallDuration, 156)                                          // 12:00:54 → 12:03:30
	eq(t, "hold_duration", val(t, "hold_duration", c.HoldDuration), 23)                  // 10.5 + 12.6 s, agent 2 only
	eq(t, "total_hold_duration", val(t, "total_hold_duration", c.TotalHoldDuration), 35) // 12.4 + 23.1 s
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 203)           // 51.25 s → wrap-up at 4:15
	eq(t, "rating", val(t, "rating", c.Rating), 4)
	eq(t, "feedback", val(t, "feedback", c.Feedback), "Great job")
	eq(t, "has_feedback", c.HasFeedback, true)
	eq(t, "verified", c.Verified, true)
	eq(t, "deflection", c.Deflection, NoDeflection)
	eq(t, "disconnected_by", val(t, "disconnected_by", c.DisconnectedBy), "disconnected_by_end_user")
	eq(t, "recording_url", val(t, "recording_url", c.RecordingURL), "https://rec.example.com/1001.mp3")
	eq(t, "queue_priority", val(t, "queue_priority", c.QueuePriority), 2)
	eq(t, "menu_path", val(t, "materialized_path", val(t, "menu_path", c.MenuPath).MaterializedPath), "10/11/12")
	eq(t, "answer_type", val(t, "answer_type", c.AnswerType), AnswerHuman)
	if c.AgentInfo == nil || c.AgentInfo.HumanAgentInfo == nil || c.AgentInfo.ID != 2 {
		t.Fatalf("agent_info = %+v, want human agent 2", c.AgentInfo)
	}
	eq(t, "agent_info.email", val(t, "email", c.AgentInfo.Email), "ana@example.com")

	if len(c.HandleDurations) != 2 {
		t.Fatalf("handle_durations = %d entries, want 2", len(c.HandleDurations))
	}
	h0, h1 := c.HandleDurations[0], c.HandleDurations[1]
	eq(t, "handle_durations[0].agent_id", h0.AgentID, 1)
	eq(t, "handle_durations[0].call_duration", val(t, "call_duration", h0.CallDuration), 54)
	eq(t, "handle_durations[0].hold_duration", h0.HoldDuration, 12)
	eq(t, "handle_durations[0].handle_duration", h0.HandleDuration, 56)
	eq(t, "handle_durations[1].hold_duration", h1.HoldDuration, 23)
	eq(t, "handle_durations[1].acw_duration", h1.ACWDuration, 45)
	eq(t, "handle_durations[1].handle_duration", h1.HandleDuration, 147)
	if h0.ChatDuration != nil {
		t.Errorf("a call's handle duration carries chat_duration")
	}

	if len(c.Transfers) != 1 {
		t.Fatalf("transfers = %d, want 1", len(c.Transfers))
	}
	tr := c.Transfers[0]
	eq(t, "transfers[0].status", tr.Status, sb.TransferCompleted)
	eq(t, "transfers[0].wait_duration", tr.WaitDuration, 8)
	eq(t, "transfers[0].call_duration", val(t, "call_duration", tr.CallDuration), 102)
	eq(t, "transfers[0].from_agent", val(t, "from_agent", tr.FromAgent).ID, 1)
	eq(t, "transfers[0].to_agent", val(t, "to_agent", tr.ToAgent).ID, 2)
	eq(t, "transferred", c.Transferred, true)

	if len(c.Participants) != 4 {
		t.Fatalf("participants = %d, want 4", len(c.Participants))
	}
	eq(t, "participants[0].hold_duration", val(t, "hold", c.Participants[0].HoldDuration), 35)
	eq(t, "participants[1].hold_duration", val(t, "hold", c.Participants[1].HoldDuration), 12)
	eq(t, "participants[2].hold_duration", val(t, "hold", c.Participants[2].HoldDuration), 23)
	eq(t, "participants[3].status", c.Participants[3].Status, "failed")
	if c.Participants[3].CallDuration != nil {
		t.Errorf("a participant that never connected has a call_duration")
	}

	eq(t, "queue_durations", len(c.QueueDurations), 1)
	eq(t, "queue_durations[0].queue_duration", c.QueueDurations[0].QueueDuration, 41)
	eq(t, "disposition.code", val(t, "disposition", c.Disposition).Code, "resolved")
	eq(t, "photos", len(c.Photos), 2)
	eq(t, "videos", len(c.Videos), 1)
	eq(t, "in_call_sms", len(c.InCallSMS), 1)
	eq(t, "wait_time_sms", len(c.WaitTimeSMS), 1)

	keys := topKeys(t, doc)
	for _, k := range []string{"scheduled_at", "fail_details", "outbound_number", "adapter_fail_code"} {
		if v, ok := keys[k]; !ok || string(v) != "null" {
			t.Errorf("%s = %s (present %v), want null", k, v, ok)
		}
	}
	for _, k := range []string{"ended_at", "chat_duration", "chat_type", "chat_uuid"} {
		if _, ok := keys[k]; ok {
			t.Errorf("call record has key %s", k)
		}
	}
	if !strings.Contains(string(doc), `?view=full&tab=1"`) {
		t.Errorf("URLs are HTML-escaped")
	}
	if !strings.HasSuffix(string(doc), "}\n") || !strings.HasPrefix(string(doc), "{\n  \"id\": 1001,\n") {
		t.Errorf("not indented by two spaces with a trailing newline:\n%.60s", doc)
	}
}

// vaThenHuman is a mobile call a virtual agent answers and escalates to
// the Returns queue, where agent 2 picks it up.
func vaThenHuman(t *testing.T) *runner {
	r := newRunner(t, 1002)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeVoiceInboundMobile,
		EndUser: sb.EndUser{ID: 502, Phone: "+18005550111"}, Device: "iPhone"})
	r.at("09:00:01", &lifecycle.VAAssign{VirtualAgentID: 1})
	r.at("09:00:02", status("va-connect"))
	r.at("09:01:00", &lifecycle.Enqueue{QueueID: 12}) // the escalation
	r.at("09:01:15", &lifecycle.Assign{AgentID: 2})
	r.at("09:01:17", status("connect"))
	r.at("09:03:20", &lifecycle.End{DisconnectedBy: lifecycle.ByAgent, Reason: "resolved"})
	r.at("09:03:50", &lifecycle.WrapUp{Code: "return_label_sent"})
	return r
}

func TestVirtualAgentThenHumanCall(t *testing.T) {
	doc, rec := vaThenHuman(t).render("voice_va_then_human", t0.Add(30*time.Minute), plus3)
	c := rec.Call
	if c.AgentInfo != nil {
		t.Errorf("agent_info = %+v, want absent for a call handled by a VA and a human", c.AgentInfo)
	}
	if _, ok := topKeys(t, doc)["agent_info"]; ok {
		t.Errorf("agent_info key present")
	}
	eq(t, "session_type_v2", c.SessionTypeV2, "Voice Inbound (Mobile)")
	eq(t, "call_type", c.CallType, "Voice Inbound (App)")
	eq(t, "answer_type", val(t, "answer_type", c.AnswerType), AnswerVirtual)
	eq(t, "wait_duration", c.WaitDuration, 15)
	eq(t, "call_duration", c.CallDuration, 123)
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 155)
	eq(t, "finish_reason", val(t, "finish_reason", c.FinishReason), "resolved")
	if c.HoldDuration != nil || c.TotalHoldDuration != nil {
		t.Errorf("hold durations of a call never held are not null")
	}
	if len(c.Escalations) != 1 {
		t.Fatalf("escalations = %d, want 1", len(c.Escalations))
	}
	e := c.Escalations[0]
	eq(t, "escalations[0].from_virtual_agent", e.FromVirtualAgent.ID, 1)
	eq(t, "escalations[0].to_agent", val(t, "to_agent", e.ToAgent).ID, 2)
	eq(t, "escalations[0].to_menu_path", val(t, "path", val(t, "to_menu_path", e.ToMenuPath).MaterializedPath), "10/11/12")
	eq(t, "escalations[0].created_at", e.CreatedAt, "2026-11-23T12:01:00.000+03:00")
	if len(c.VirtualAgentHandleDurations) != 1 {
		t.Fatalf("virtual_agent_handle_durations = %d, want 1", len(c.VirtualAgentHandleDurations))
	}
	v := c.VirtualAgentHandleDurations[0]
	eq(t, "va call_duration", val(t, "call_duration", v.CallDuration), 58)
	eq(t, "va finish_reason", val(t, "finish_reason", v.FinishReason), "escalated")
	eq(t, "va alias", val(t, "va_alias", v.VirtualAgent.VAAlias), "Olly")
}

// previewCampaign is a preview campaign call: agent 1 previews for 35 s
// before the customer is connected.
func previewCampaign(t *testing.T) *runner {
	r := newRunner(t, 1003)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeVoiceCampaign, CampaignMode: lifecycle.CampaignPreview, AgentID: 1,
		EndUser: sb.EndUser{ID: 503, Phone: "+18005550123"}, OutboundNumber: "+12223335555"})
	r.at("09:00:05", &lifecycle.Preview{})
	r.at("09:00:20", status("preview-ready"))
	r.at("09:00:25", status("campaign-connect"))
	r.at("09:00:26", status("dial"))
	r.at("09:00:35", status("connect"))
	r.at("09:02:00", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	r.at("09:02:30", &lifecycle.WrapUp{Code: "sale"})
	return r
}

func TestPreviewCampaignCall(t *testing.T) {
	_, rec := previewCampaign(t).render("voice_campaign_preview", t0.Add(time.Hour), time.UTC)
	c := rec.Call
	eq(t, "created_at", c.CreatedAt, "2026-11-23T09:00:00.000Z")
	eq(t, "assigned_at", val(t, "assigned_at", c.AssignedAt), "2026-11-23T09:00:00.000Z")
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 150) // includes 35 s before-call work
	eq(t, "call_duration", c.CallDuration, 85)
	eq(t, "handle_durations[0].bcw_duration", c.HandleDurations[0].BCWDuration, 35)
	eq(t, "handle_durations[0].acw_duration", c.HandleDurations[0].ACWDuration, 30)
	eq(t, "outbound_number", val(t, "outbound_number", c.OutboundNumber), "+12223335555")
	if c.SupportNumber != nil || c.QueuedAt != nil {
		t.Errorf("an outbound call has a support number or a queue time")
	}
}

// outboundInProgress is an outbound call rendered while the end user is on
// hold: open intervals run until now.
func outboundInProgress(t *testing.T) *runner {
	r := newRunner(t, 1004)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeVoiceOutbound, AgentID: 3,
		EndUser: sb.EndUser{Phone: "+18005550142"}, OutboundNumber: "+12223335555"})
	r.at("09:00:08", status("connect"))
	r.at("09:00:30", &lifecycle.Hold{})
	return r
}

func TestCallInProgressUsesNow(t *testing.T) {
	now := clockAt(t, "09:00:41.500")
	_, rec := outboundInProgress(t).render("voice_outbound_in_progress", now, time.UTC)
	c := rec.Call
	eq(t, "status", c.Status, "connected")
	eq(t, "sub_status", val(t, "sub_status", c.SubStatus), "connected_with_agent")
	if c.EndsAt != nil || c.DisconnectedBy != nil || c.FinishReason != nil {
		t.Errorf("a call in progress has ends_at, disconnected_by or finish_reason")
	}
	eq(t, "call_duration", c.CallDuration, 33)                                // 33.5 s
	eq(t, "hold_duration", val(t, "hold_duration", c.HoldDuration), 11)       // open hold, 11.5 s
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 41) // 41.5 s
	eq(t, "participants[0].hold_duration", val(t, "hold", c.Participants[0].HoldDuration), 11)

	// Ended sessions ignore now.
	r := outboundInProgress(t).at("09:00:41.500", &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	a, _ := Build(r.s, now, time.UTC)
	b, _ := Build(r.s, now.Add(time.Hour), time.UTC)
	eq(t, "handle_duration at two nows", *a.Call.HandleDuration, *b.Call.HandleDuration)
	eq(t, "hold_duration after end", *a.Call.HoldDuration, 11)
}

func TestRenderErrors(t *testing.T) {
	if _, err := Render(nil, t0, time.UTC); err == nil {
		t.Errorf("nil session rendered")
	}
	if _, err := Render(&sb.Session{ID: 9, Type: "fax", Medium: sb.MediumVoice}, t0, time.UTC); err == nil {
		t.Errorf("unknown session type rendered")
	}
	s := &sb.Session{ID: 9, Type: sb.TypeVoiceInbound, Medium: sb.MediumVoice, Status: sb.Status(42)}
	if _, err := Render(s, t0, time.UTC); err == nil {
		t.Errorf("invalid status rendered")
	}
	s.Status = sb.StatusQueued
	if _, err := Render(s, t0, nil); err != nil {
		t.Errorf("nil location: %v", err)
	}
}
