package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/coder/websocket"
)

// ended reads the stream to its end: nil if the server ended it.
func (c *sseConn) ended() error {
	_, err := io.Copy(io.Discard, c.rd)
	return err
}

// A revoked token ends what it has open, not only its next request: its
// WebSocket is closed with 1008 and its event streams end, while other
// tokens' connections go on. The same happens when another node revoked
// it and ForgetTokens and EndRevoked are called.
func TestRevokingATokenEndsItsLiveConnections(t *testing.T) {
	for _, elsewhere := range []bool{false, true} {
		t.Run(map[bool]string{false: "here", true: "on another node"}[elsewhere], func(t *testing.T) {
			s := newStack(t)
			connectedChat(s)
			tok := s.mustDo("admin", "POST", "/api/v1/tokens", `{"name":"crm","role":"integration"}`, 201).json(t)
			s.tokens["crm"] = tok["secret"].(string)
			id := int64(tok["id"].(float64))

			ws := s.dialWS("crm")
			ws.send(`{"op":"subscribe","session_id":1}`)
			ws.expect("subscribed")
			one, _ := s.subscribeAs("crm", "/api/v1/sessions/1/events/stream")
			all, _ := s.subscribeAs("crm", "/api/v1/events/stream")
			other := s.dialWS("supervisor")
			other.send(`{"op":"subscribe","session_id":1}`)
			other.expect("subscribed")
			s.mustDo("crm", "GET", "/api/v1/sessions/1", "", 200) // cached now

			if elsewhere {
				if err := s.db.RevokeToken(context.Background(), id, s.clock.Now()); err != nil {
					t.Fatal(err)
				}
				s.api.ForgetTokens()
				if err := s.api.EndRevoked(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else {
				s.mustDo("admin", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), "", 204)
			}

			if r := s.do("crm", "GET", "/api/v1/sessions/1", ""); r.Status != 401 {
				t.Errorf("a request with the revoked token: status %d, want 401", r.Status)
			}
			for {
				_, _, err := ws.c.Read(ws.ctx)
				if err != nil {
					if st := websocket.CloseStatus(err); st != websocket.StatusPolicyViolation {
						t.Errorf("the revoked token's WebSocket closed with %v (%v), want 1008", st, err)
					}
					break
				}
			}
			for name, c := range map[string]*sseConn{"session": one, "all": all} {
				if err := c.ended(); err != nil {
					t.Errorf("the revoked token's %s stream: %v", name, err)
				}
			}
			// Another token's connection still works.
			s.mustDo("agent", "POST", "/api/v1/sessions/1/message", `{"text":"still here"}`, 200)
			for {
				m := other.expect("event")
				if m["event"].(map[string]any)["type"] == "message_sent" {
					break
				}
			}
		})
	}
}
