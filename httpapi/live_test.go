package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

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
			ws.send(`{"op":"ping","ref":"p"}`) // a write just done must not spoil the close frame
			ws.expect("pong")
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

// A login's connections end when the login does: a WebSocket opened with
// a ticket of the login closes (1008) at its logout, and another user's
// stays open. The same when another node ended the login and EndLogins is
// called.
func TestEndingALoginEndsItsLiveConnections(t *testing.T) {
	for _, elsewhere := range []bool{false, true} {
		t.Run(map[bool]string{false: "here", true: "on another node"}[elsewhere], func(t *testing.T) {
			s := newStack(t)
			connectedChat(s)
			s.addUser(noamUser)
			cookie, csrf := s.login("noam@example.com", "correct horse")
			auth := []string{"Cookie", "sb_session=" + cookie, "X-CSRF-Token", csrf}
			tk := s.mustWith("", "POST", "/api/v1/tickets", `{"path":"/api/v1/ws"}`, 201, auth...).json(t)["ticket"].(string)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/api/v1/ws?ticket="+tk, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.CloseNow()
			ws.Write(ctx, websocket.MessageText, []byte(`{"op":"ping","ref":"p"}`))
			if _, _, err := ws.Read(ctx); err != nil {
				t.Fatalf("the login's WebSocket: %v", err)
			}
			other := s.dialWS("supervisor")

			if elsewhere {
				users, _ := s.api.Config.Users.(interface {
					RevokeUserLogins(context.Context, int64, int64, time.Time) error
				})
				if err := users.RevokeUserLogins(context.Background(), 1, 0, s.clock.Now()); err != nil {
					t.Fatal(err)
				}
				if err := s.api.EndLogins(context.Background(), 0); err != nil {
					t.Fatal(err)
				}
			} else {
				s.mustWith("", "POST", "/api/v1/logout", "", 204, auth...)
			}
			for {
				if _, _, err := ws.Read(ctx); err != nil {
					if st := websocket.CloseStatus(err); st != websocket.StatusPolicyViolation {
						t.Errorf("the ended login's WebSocket closed with %v (%v), want 1008", st, err)
					}
					break
				}
			}
			other.send(`{"op":"ping","ref":"still"}`)
			other.expect("pong")
		})
	}
}
