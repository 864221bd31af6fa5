package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/webauth"
)

// proxied serves the stack's store behind a trusted proxy, so that a test
// speaks from many client addresses through X-Forwarded-For.
// Options change the server's configuration first.
func (s *stack) proxied(options ...func(*httpapi.Config)) *httptest.Server {
	s.t.Helper()
	cfg := httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: s.directory(), Config: s.db, TrustProxy: true, Logger: quietLog()}
	for _, o := range options {
		o(&cfg)
	}
	srv := httptest.NewServer(httpapi.New(cfg))
	s.t.Cleanup(srv.Close)
	return srv
}

// directory opens another directory on the stack's store, for a second
// server.
func (s *stack) directory() *directory.Directory {
	s.t.Helper()
	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		s.t.Fatal(err)
	}
	return dir
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// loginFrom tries a login from a client address behind srv's proxy.
func loginFrom(t *testing.T, srv *httptest.Server, addr, email, password string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/login", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	req.Header.Set("X-Forwarded-For", addr)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// Wrong passwords from one address lock that address out of the account,
// not the account: its owner logs in from elsewhere.
func TestAnotherAddressCannotLockTheOwnerOut(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	srv := s.proxied()
	const attacker, owner = "203.0.113.66", "198.51.100.7"
	for i := 0; i < webauth.MaxFailuresPerAccountAddress; i++ {
		if res := loginFrom(t, srv, attacker, "noam@example.com", "wrong horse"); res.StatusCode != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	res := loginFrom(t, srv, attacker, "noam@example.com", "correct horse")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != strconv.Itoa(int(webauth.Window.Seconds())) {
		t.Errorf("the attacker's address after %d failures: %d Retry-After %q, want 429 for the window",
			webauth.MaxFailuresPerAccountAddress, res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := loginFrom(t, srv, owner, "noam@example.com", "correct horse"); res.StatusCode != 200 {
		t.Errorf("the owner from its own address: %d, want 200", res.StatusCode)
	}
	if res := loginFrom(t, srv, attacker, "noam@example.com", "correct horse"); res.StatusCode != 429 {
		t.Errorf("the owner's login freed the attacker's address: %d, want 429", res.StatusCode)
	}
}

// Failures from many addresses put the account in backoff: addresses it
// has not logged in from share one attempt per interval, the owner's
// known address is not slowed, and the interval passes on the clock.
func TestManyAddressesSlowTheAccountDown(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	srv := s.proxied()
	const owner = "198.51.100.7"
	if res := loginFrom(t, srv, owner, "noam@example.com", "correct horse"); res.StatusCode != 200 {
		t.Fatalf("the owner's first login: %d", res.StatusCode)
	}
	for i := 0; i < webauth.AccountBackoffAfter; i++ {
		if res := loginFrom(t, srv, "10.0.0."+strconv.Itoa(i), "noam@example.com", "wrong horse"); res.StatusCode != 401 {
			t.Fatalf("failure %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	if res := loginFrom(t, srv, "10.0.1.1", "noam@example.com", "wrong horse"); res.StatusCode != 401 {
		t.Errorf("the first attempt in backoff: %d, want 401 (tried)", res.StatusCode)
	}
	res := loginFrom(t, srv, "10.0.1.2", "noam@example.com", "correct horse")
	if want := strconv.Itoa(int(webauth.AccountBackoffInterval.Seconds())); res.StatusCode != 429 || res.Header.Get("Retry-After") != want {
		t.Errorf("a second new address at once: %d Retry-After %q, want 429 %s", res.StatusCode, res.Header.Get("Retry-After"), want)
	}
	if res := loginFrom(t, srv, owner, "noam@example.com", "correct horse"); res.StatusCode != 200 {
		t.Errorf("the owner's known address in backoff: %d, want 200", res.StatusCode)
	}
	s.clock.Advance(webauth.AccountBackoffInterval)
	if res := loginFrom(t, srv, "10.0.1.2", "noam@example.com", "correct horse"); res.StatusCode != 200 {
		t.Errorf("a new address after the interval: %d, want 200", res.StatusCode)
	}
}
