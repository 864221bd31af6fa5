package httpapi_test

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/ratelimit"
)

// downRates is a rate-limit store that does not answer.
type downRates struct{}

var errDown = sb.Errorf(sb.EUNAVAILABLE, "the store does not answer")

func (downRates) TakeRate(context.Context, time.Time, ...sb.RateQuota) (bool, []sb.RateWindow, error) {
	return false, nil, errDown
}
func (downRates) RateWindows(context.Context, time.Time, ...string) ([]sb.RateWindow, error) {
	return nil, errDown
}
func (downRates) StartRate(context.Context, time.Time, string, time.Duration) error { return errDown }
func (downRates) ResetRate(context.Context, ...string) error                        { return errDown }

// Two servers given one store count together: failures on both lock the
// address out on both at the total one server allows.
func TestServersSharingARateStoreCountTogether(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	shared := ratelimit.NewMemory(1000)
	a := s.proxied(func(c *httpapi.Config) { c.RateLimits = shared })
	b := s.proxied(func(c *httpapi.Config) { c.RateLimits = shared })
	for i := range 5 {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		if res := loginFrom(t, srv, "203.0.113.66", "noam@example.com", "wrong horse"); res.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	if res := loginFrom(t, a, "203.0.113.66", "noam@example.com", "correct horse"); res.StatusCode != 429 || res.Header.Get("Retry-After") != "900" {
		t.Errorf("on a: %d Retry-After %q, want 429 900", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := loginFrom(t, b, "203.0.113.66", "noam@example.com", "correct horse"); res.StatusCode != 429 {
		t.Errorf("on b: %d, want 429", res.StatusCode)
	}
}

// When the rate-limit store does not answer, the limited routes refuse
// with its error (503) rather than go unlimited.
func TestLimitsFailClosedWhenTheirStoreIsDown(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	key, _ := s.addPlugin()
	tok, _ := s.visitor(key, `{}`)
	srv := s.proxied(func(c *httpapi.Config) { c.RateLimits = downRates{} })
	if res := loginFrom(t, srv, "198.51.100.7", "noam@example.com", "correct horse"); res.StatusCode != 503 {
		t.Errorf("a login: %d, want 503", res.StatusCode)
	}
	if r := doFrom(t, srv, "198.51.100.7", tok, "POST", "/api/v1/sessions", `{}`); r.Status != 503 || r.errCode(t) != sb.EUNAVAILABLE {
		t.Errorf("a visitor's chat: %d %s, want 503", r.Status, r.Body)
	}
	if r := doFrom(t, srv, "198.51.100.7", tok, "POST", "/api/v1/offline-messages",
		`{"content":"hello","name":"Dana","email":"dana@example.com"}`); r.Status != 503 {
		t.Errorf("a visitor's offline message: %d %s, want 503", r.Status, r.Body)
	}
	if r := doFrom(t, srv, "198.51.100.7", s.tokens["integration"], "POST", "/api/v1/sessions", `{"type":"chat_web"}`); r.Status != 201 {
		t.Errorf("an integration's chat, not limited: %d %s", r.Status, r.Body)
	}
}
