package httpapi

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeFrame feeds arbitrary bytes to the WebSocket frame decoder: it
// never panics, and a frame it accepts has a known op, only that op's
// fields, valid values, and survives a round trip unchanged.
func FuzzDecodeFrame(f *testing.F) {
	for _, seed := range []string{
		`{"op":"subscribe","session_id":42,"after_seq":0}`, `{"op":"unsubscribe","session_id":42}`,
		`{"op":"subscribe_all","after_id":123}`, `{"op":"typing","session_id":42,"typing":true}`,
		`{"op":"command","ref":"c1","session_id":42,"command":"message","body":{"text":"hi"},"if_match":5}`,
		`{"op":"ping"}`, `{"op":"ping","ref":"x"}`, `{"op":"command","session_id":1,"command":"hold","body":null}`,
		`{"op":"subscribe","session_id":-1}`, `{"op":"typing"}`, `[]`, `null`, `{"op":"ping"}x`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := decodeFrame(data)
		if len(fr.Ref) > maxRefLen {
			t.Fatalf("ref of %d bytes returned", len(fr.Ref))
		}
		if err != nil {
			return
		}
		fields, ok := frameFields[fr.Op]
		if !ok {
			t.Fatalf("accepted unknown op %q", fr.Op)
		}
		has := func(name string, set bool) {
			in := false
			for _, f := range fields {
				in = in || f == name
			}
			if set && !in {
				t.Fatalf("op %s accepted with %s", fr.Op, name)
			}
		}
		has("session_id", fr.SessionID != nil)
		has("after_seq", fr.AfterSeq != nil)
		has("after_id", fr.AfterID != nil)
		has("typing", fr.Typing != nil)
		has("command", fr.Command != nil)
		has("body", fr.Body != nil)
		has("if_match", fr.IfMatch != nil)
		needsSession := fr.Op != opPing && fr.Op != opSubscribeAll
		if needsSession && fr.sessionID() <= 0 {
			t.Fatalf("op %s accepted with session_id %d", fr.Op, fr.sessionID())
		}
		if fr.Op == opCommand && (fr.Command == nil || *fr.Command == "") {
			t.Fatal("command accepted without a command")
		}
		for _, p := range []*int64{fr.AfterSeq, fr.AfterID, fr.IfMatch} {
			if p != nil && *p < 0 {
				t.Fatalf("negative position accepted: %d", *p)
			}
		}
		b, err := json.Marshal(fr)
		if err != nil {
			t.Fatal(err)
		}
		again, err := decodeFrame(b)
		if err != nil {
			t.Fatalf("re-encoded frame %s refused: %v", b, err)
		}
		b2, _ := json.Marshal(again)
		if string(b) != string(b2) {
			t.Fatalf("round trip changed the frame: %s then %s", b, b2)
		}
	})
}
