package lifecycle

import (
	"encoding/json"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// FuzzApply feeds arbitrary stored events to the fold: it may refuse them,
// but must never panic.
func FuzzApply(f *testing.F) {
	f.Add("session_created", []byte(`{"status":"queued","uuid":"u","type":"chat_web","lang":"en","end_user":{}}`))
	f.Add("held", []byte(`{}`))
	f.Add("transfer_completed", []byte(`{"status":"connected","transfer_id":9}`))
	f.Add("participant_left", []byte(`{"participant":{"id":-1}}`))
	f.Add("dap_api_response", []byte(`{"raw":"{\"priority: 1"}`))
	f.Add("photos_uploaded", []byte(`{"kind":"photo","urls":["https://example.com/a.png"]}`))
	f.Add("nonsense", []byte(`[]`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		r := newRunner(t).do(&Create{Type: sb.TypeChatWeb, QueueID: 1}, &Assign{AgentID: 1}, status("connect"))
		s := Clone(r.s)
		_ = Apply(s, sb.Event{SessionID: s.ID, Seq: s.Seq + 1, Type: sb.EventType(typ), Version: 1, Time: r.now, Data: data})
	})
}

// FuzzRecordEvent checks data-stream payload decoding: anything accepted
// is appended, and folding the stored log gives the same projection.
func FuzzRecordEvent(f *testing.F) {
	for _, seed := range []struct{ typ, data string }{
		{"custom_data", `{"values":{"purchaseDate":"Invalid DateTime","temperature":70.5}}`},
		{"dap_api_response", `{"values":{"key":"zulu"},"raw":"{\n\"key\": \"zulu\",\n\"priority: 1\n}"}`},
		{"payment", `{"product":"Plan","amount":"10.00","currency":"USD","status":"succeeded","transaction_id":"ch_3PYlfT"}`},
		{"phone_number", `{"inbound":"+1 800 555 0175"}`},
		{"survey_response", `{"answers":[{"question":"Stars","type":"stars","value":5}]}`},
		{"sentiment_score", `{"score":52}`},
		{"va_transcript", `{"unavailable":true}`},
		{"sip_transfer_redirected", `{"destination":"sip:returns@returns.onsip.com","parameters":{"userName":"x"}}`},
		{"photos_uploaded", `{"kind":"screenshot","urls":["https://example.com/s.png"]}`},
		{"sms", `{"kind":"wait_time","text":"We will be with you shortly"}`},
		{"verified", `{"by":"Alex B"}`},
		{"payment", `{"amount":1e999}`},
	} {
		f.Add(seed.typ, []byte(seed.data))
	}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		r := newRunner(t).do(&Create{Type: sb.TypeChatWeb, QueueID: 1})
		before := r.s
		err := r.try(&RecordEvent{Type: sb.EventType(typ), Data: json.RawMessage(data)})
		if err != nil {
			if sb.ErrorCode(err) != sb.EINVALID {
				t.Fatalf("refusal is %v, want an invalid-input error", err)
			}
			if r.s != before {
				t.Fatal("a refused event changed the session")
			}
			return
		}
		assertFoldEqual(t, r)
	})
}
