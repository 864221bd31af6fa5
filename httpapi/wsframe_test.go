package httpapi

import (
	"encoding/json"
	"testing"
	"time"
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
		`{"op":"subscribe_wallboard","tz":"Europe/Paris","within":20,"short_abandon":5}`, `{"op":"unsubscribe_wallboard"}`,
		`{"op":"subscribe_wallboard","session_id":1}`, `{"op":"unsubscribe_wallboard","tz":"UTC"}`,
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
		has("tz", fr.TZ != nil)
		has("within", fr.Within != nil)
		has("short_abandon", fr.ShortAbandon != nil)
		needsSession := fr.Op != opPing && fr.Op != opSubscribeAll && fr.Op != opSubscribeWallboard && fr.Op != opUnsubscribeWallboard
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

// FuzzWallboardParams checks the wallboard's parameters: it never panics,
// and what it accepts is a loadable zone other than the server's own and
// durations in range.
func FuzzWallboardParams(f *testing.F) {
	f.Add("Europe/Paris", int64(20), int64(5))
	f.Add("", int64(1), int64(0))
	f.Add("Local", int64(20), int64(5))
	f.Add("../../../etc/passwd", int64(20), int64(5))
	f.Add("UTC", int64(3601), int64(-1))
	f.Fuzz(func(t *testing.T, tz string, within, short int64) {
		p, err := newWallboardParams(tz, within, short)
		if err != nil {
			return
		}
		if p.tz == "Local" || p.within < time.Second || p.within > time.Hour || p.shortAbandon < 0 || p.shortAbandon > time.Hour {
			t.Fatalf("accepted %+v", p)
		}
		if _, err := time.LoadLocation(p.tz); err != nil {
			t.Fatalf("accepted zone %q: %v", p.tz, err)
		}
	})
}
