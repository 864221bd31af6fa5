package metadata

import (
	"encoding/json"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// webChatRated is a web chat queued in Web sales, handled by agent 3,
// rated after the end and wrapped up.
func webChatRated(t *testing.T) *runner {
	r := newRunner(t, 2001)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeChatWeb, Lang: "es",
		EndUser: sb.EndUser{ID: 601, Identifier: "visitor-601"}, Device: "Browser", QueueID: 20})
	r.at("09:00:12.300", &lifecycle.Assign{AgentID: 3})
	r.at("09:00:14", status("connect"))
	r.at("09:05:00", &lifecycle.End{DisconnectedBy: lifecycle.ByAgent})
	r.at("09:05:20", &lifecycle.Rate{Rating: 5, Comment: "Thanks, very helpful"})
	r.at("09:05:30", &lifecycle.WrapUp{Code: "sales_question"})
	return r
}

func TestWebChatWithRating(t *testing.T) {
	doc, rec := webChatRated(t).render("chat_web_rated", t0.Add(time.Hour), time.UTC)
	c := rec.Chat
	if c == nil || rec.Call != nil {
		t.Fatalf("chat session did not give a chat record")
	}
	eq(t, "chat_type", c.ChatType, "Messaging Inbound (Web Chat)")
	eq(t, "session_type", c.SessionType, c.ChatType)
	eq(t, "session_type_v2", c.SessionTypeV2, "Messaging Inbound (Web Chat)")
	eq(t, "lang", c.Lang, "es")
	eq(t, "status", c.Status, "finished")
	eq(t, "wait_duration", c.WaitDuration, 12) // 12.3 s
	eq(t, "chat_duration", c.ChatDuration, 286)
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 317) // 12.3 s → 5:30
	eq(t, "rating", val(t, "rating", c.Rating), 5)
	eq(t, "feedback", val(t, "feedback", c.Feedback), "Thanks, very helpful")
	eq(t, "has_feedback", c.HasFeedback, true)
	eq(t, "updated_at", c.UpdatedAt, "2026-11-23T09:05:30.000Z")
	eq(t, "agent_info", val(t, "agent_info", c.AgentInfo).ID, 3)
	eq(t, "handle_durations[0].chat_duration", val(t, "chat_duration", c.HandleDurations[0].ChatDuration), 286)
	eq(t, "handle_durations[0].acw_duration", c.HandleDurations[0].ACWDuration, 30)
	if len(c.Participants) != 2 {
		t.Fatalf("participants = %d, want 2", len(c.Participants))
	}
	eq(t, "participants[0].chat_duration", val(t, "chat_duration", c.Participants[0].ChatDuration), 300)
	eq(t, "participants[1].chat_duration", val(t, "chat_duration", c.Participants[1].ChatDuration), 286)
	eq(t, "participants[1].chat_id", c.Participants[1].ChatID, 2001)

	keys := topKeys(t, doc)
	for _, k := range []string{"call_uuid", "call_type", "call_duration", "support_number", "voip_provider"} {
		if _, ok := keys[k]; ok {
			t.Errorf("chat record has key %s", k)
		}
	}
	for _, k := range []string{"first_msg_sent_at", "message_count", "hold_duration"} {
		if string(keys[k]) != "null" {
			t.Errorf("%s = %s, want null", k, keys[k])
		}
	}
	var parts []map[string]json.RawMessage
	if err := json.Unmarshal(keys["participants"], &parts); err != nil {
		t.Fatal(err)
	}
	if _, ok := parts[0]["finished_at"]; !ok {
		t.Errorf("chat participant lacks finished_at")
	}
	if _, ok := parts[0]["ended_at"]; ok {
		t.Errorf("chat participant has ended_at")
	}
}

// chatAbandoned is a mobile chat whose visitor gives up after 95.6 s in
// the queue.
func chatAbandoned(t *testing.T) *runner {
	return newRunner(t, 2002).
		at("09:00:00", &lifecycle.Create{Type: sb.TypeChatMobile, EndUser: sb.EndUser{ID: 602}, Device: "Android", QueueID: 20})
}

func TestChatAbandonedInQueue(t *testing.T) {
	// While it waits, the wait runs until now.
	waiting := chatAbandoned(t)
	live, err := Build(waiting.s, clockAt(t, "09:00:40"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "live wait_duration", live.Chat.WaitDuration, 40)
	eq(t, "live sub_status", val(t, "sub_status", live.Chat.SubStatus), "in_queue")

	r := chatAbandoned(t).at("09:01:35.600", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	doc, rec := r.render("chat_abandoned", t0.Add(time.Hour), time.UTC)
	c := rec.Chat
	if c.AgentInfo != nil {
		t.Errorf("agent_info = %+v, want absent", c.AgentInfo)
	}
	if _, ok := topKeys(t, doc)["agent_info"]; ok {
		t.Errorf("agent_info key present")
	}
	eq(t, "status", c.Status, "finished")
	eq(t, "wait_duration", c.WaitDuration, 95)
	eq(t, "queue_duration", c.QueueDuration, 95)
	eq(t, "chat_duration", c.ChatDuration, 0)
	if c.AnswerType != nil || c.HandleDuration != nil || c.AssignedAt != nil || c.SubStatus != nil {
		t.Errorf("an abandoned chat has answer_type, handle_duration, assigned_at or sub_status")
	}
	eq(t, "queue_durations[0].outcome", val(t, "outcome", c.QueueDurations[0].Outcome), sb.WaitAbandoned)
	eq(t, "disconnected_by", val(t, "disconnected_by", c.DisconnectedBy), "disconnected_by_end_user")
	eq(t, "queue_priority", val(t, "queue_priority", c.QueuePriority), 5)
}

func TestDeflectedChat(t *testing.T) {
	r := newRunner(t, 2003).
		at("09:00:00", &lifecycle.Create{Type: sb.TypeChatWeb, EndUser: sb.EndUser{ID: 603}, QueueID: 21}).
		at("09:00:02", &lifecycle.Deflect{Deflection: "after_hours_message_only", Channel: "email"})
	_, rec := r.render("chat_deflected", t0.Add(time.Hour), plus3)
	c := rec.Chat
	eq(t, "status", c.Status, "deflected")
	eq(t, "deflection", c.Deflection, "after_hours_message_only")
	if len(c.DeflectionDetails) != 1 {
		t.Fatalf("deflection_details = %d, want 1", len(c.DeflectionDetails))
	}
	d := c.DeflectionDetails[0]
	eq(t, "deflection_details[0].chat_id", val(t, "chat_id", d.ChatID), 2003)
	if d.CallID != nil {
		t.Errorf("chat deflection has call_id")
	}
	eq(t, "deflection_details[0].channel", val(t, "channel", d.Channel), "email")
	eq(t, "deflection_details[0].from_menu_path", val(t, "path", val(t, "from", d.FromMenuPath).MaterializedPath), "20/21")
	eq(t, "disconnected_by", val(t, "disconnected_by", c.DisconnectedBy), DisconnectedByUnknown)
	eq(t, "finish_reason", val(t, "finish_reason", c.FinishReason), NoFinishReason)
	eq(t, "wait_duration", c.WaitDuration, 2)
	eq(t, "queue_durations[0].outcome", val(t, "outcome", c.QueueDurations[0].Outcome), sb.WaitDeflected)
	if c.AgentInfo != nil {
		t.Errorf("deflected chat has agent_info")
	}
}

// whatsappVAAndTransfer is a WhatsApp chat a virtual agent takes from the
// queue and escalates to After hours; agent 2 picks it up and makes an
// overflow transfer to Web sales, where agent 3 finishes it.
func whatsappVAAndTransfer(t *testing.T) *runner {
	r := newRunner(t, 2004)
	r.at("09:00:00", &lifecycle.Create{Type: sb.TypeChatWhatsApp,
		EndUser: sb.EndUser{ID: 604, Phone: "+18005550177"}, QueueID: 20})
	r.at("09:00:03", &lifecycle.VAAssign{VirtualAgentID: 1})
	r.at("09:00:04", status("va-connect"))
	r.at("09:00:44", &lifecycle.Enqueue{QueueID: 21}) // the escalation
	r.at("09:01:04.500", &lifecycle.Assign{AgentID: 2})
	r.at("09:01:06", status("connect"))
	r.at("09:02:06", &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 20, Overflow: true})
	r.at("09:02:36", &lifecycle.Assign{AgentID: 3}) // completes the transfer
	r.at("09:02:40", status("connect"))
	r.at("09:04:20", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	return r
}

func TestChatWithVirtualAgentAndQueueTransfer(t *testing.T) {
	doc, rec := whatsappVAAndTransfer(t).render("chat_va_queue_transfer", t0.Add(time.Hour), time.UTC)
	c := rec.Chat
	eq(t, "chat_type", c.ChatType, "Messaging (WhatsApp)")
	eq(t, "wait_duration", c.WaitDuration, 53) // 3 + 20.5 + 30 s
	eq(t, "chat_duration", c.ChatDuration, 194)
	eq(t, "handle_duration", val(t, "handle_duration", c.HandleDuration), 195) // no wrap-up: until the end
	eq(t, "answer_type", val(t, "answer_type", c.AnswerType), AnswerVirtual)
	// A chat handled by a VA and people carries its last handler.
	info := val(t, "agent_info", c.AgentInfo)
	if info.HumanAgentInfo == nil || info.ID != 3 {
		t.Errorf("agent_info = %+v, want human agent 3", info)
	}
	if len(c.Transfers) != 1 {
		t.Fatalf("transfers = %d, want 1", len(c.Transfers))
	}
	tr := c.Transfers[0]
	eq(t, "transfers[0].kind", tr.Kind, sb.TransferToQueue)
	eq(t, "transfers[0].overflow", tr.Overflow, true)
	eq(t, "transfers[0].wait_duration", tr.WaitDuration, 30)
	eq(t, "transfers[0].call_duration", val(t, "call_duration", tr.CallDuration), 100)
	eq(t, "transfers[0].to_agent", val(t, "to_agent", tr.ToAgent).ID, 3)
	eq(t, "transfers[0].to_menu_path", val(t, "path", val(t, "to", tr.ToMenuPath).MaterializedPath), "20")
	eq(t, "escalations", len(c.Escalations), 1)
	eq(t, "escalations[0].to_agent", val(t, "to_agent", c.Escalations[0].ToAgent).ID, 2)
	eq(t, "virtual_agent_handle_durations[0].chat_duration",
		val(t, "chat_duration", c.VirtualAgentHandleDurations[0].ChatDuration), 40)
	if len(c.QueueDurations) != 3 {
		t.Fatalf("queue_durations = %d, want 3", len(c.QueueDurations))
	}
	eq(t, "queue_durations[0].outcome", val(t, "outcome", c.QueueDurations[0].Outcome), sb.WaitVirtualAgent)
	eq(t, "queue_durations[2].transfer_id", val(t, "transfer_id", c.QueueDurations[2].TransferID), 1)
	eq(t, "handle_durations", len(c.HandleDurations), 2)
	eq(t, "handle_durations[0].handle_duration", c.HandleDurations[0].HandleDuration, 61)

	// Chat transfers keep the call_duration key of the tap-ujet schema.
	var body struct {
		Transfers []map[string]json.RawMessage `json:"transfers"`
	}
	if err := json.Unmarshal(doc, &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body.Transfers[0]["call_duration"]; !ok {
		t.Errorf("chat transfer lacks call_duration")
	}
}

// The agents' response times: each reply is timed from the earliest
// unanswered visitor message, or from the pick-up when the visitor wrote
// before it; a second agent message in a row is no reply.
func TestChatResponseTimes(t *testing.T) {
	r := newRunner(t, 2002)
	r.at("10:00:00", &lifecycle.Create{Type: sb.TypeChatWeb, Lang: "en", EndUser: sb.EndUser{Identifier: "v-2002"}, QueueID: 20})
	r.at("10:00:05", &lifecycle.Message{From: sb.FromEndUser, Text: "hello?"})
	r.at("10:00:20", &lifecycle.Assign{AgentID: 3})
	r.at("10:00:21", status("connect"))
	r.at("10:00:30", &lifecycle.Message{From: sb.FromAgent, AgentID: 3, Text: "hi!"})             // 10 s after the pick-up
	r.at("10:00:31", &lifecycle.Message{From: sb.FromAgent, AgentID: 3, Text: "how can I help?"}) // no reply
	r.at("10:01:00", &lifecycle.Message{From: sb.FromEndUser, Text: "my order"})
	r.at("10:01:10", &lifecycle.Message{From: sb.FromEndUser, Text: "is late"})
	r.at("10:02:05", &lifecycle.Message{From: sb.FromAgent, AgentID: 3, Text: "checking"}) // 65 s
	r.at("10:03:00", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	_, rec := r.render("chat_response_times", t0.Add(time.Hour), time.UTC)
	c := rec.Chat
	eq(t, "average_response_time", val(t, "average_response_time", c.AverageResponseTime), 37) // (10 + 65) / 2 = 37.5, floored
	eq(t, "longest_response_time", val(t, "longest_response_time", c.LongestResponseTime), 65)
}

// A chat no agent answered has no response times.
func TestChatWithoutRepliesHasNullResponseTimes(t *testing.T) {
	r := newRunner(t, 2003)
	r.at("10:00:00", &lifecycle.Create{Type: sb.TypeChatWeb, Lang: "en", EndUser: sb.EndUser{Identifier: "v-2003"}, QueueID: 20})
	r.at("10:00:05", &lifecycle.Message{From: sb.FromEndUser, Text: "hello?"})
	r.at("10:01:00", &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser})
	_, rec := r.render("chat_unanswered", t0.Add(time.Hour), time.UTC)
	if rec.Chat.AverageResponseTime != nil || rec.Chat.LongestResponseTime != nil {
		t.Errorf("response times %v %v, want null", rec.Chat.AverageResponseTime, rec.Chat.LongestResponseTime)
	}
}
