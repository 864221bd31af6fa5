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
	"time"

	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/webauth"
)

func init() {
	// Tests hash with cheap parameters; the format and the checks are the same.
	webauth.HashParams = webauth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// login logs email in and returns the cookie secret and the CSRF token.
func (s *stack) login(email, password string) (cookie, csrf string) {
	s.t.Helper()
	r := s.mustDo("", "POST", "/api/v1/login", `{"email":"`+email+`","password":"`+password+`"}`, 200)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "sb_session" {
			cookie = c.Value
		}
	}
	csrf, _ = r.json(s.t)["csrf_token"].(string)
	if cookie == "" || csrf == "" {
		s.t.Fatalf("login gave cookie %q, csrf %q: %s %v", cookie, csrf, r.Body, r.Header)
	}
	return cookie, csrf
}

// mustWith is mustDo with request headers (name, value pairs).
func (s *stack) mustWith(as, method, path, body string, want int, headers ...string) response {
	s.t.Helper()
	r := s.do(as, method, path, body, headers...)
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, strings.TrimSpace(string(r.Body)))
	}
	return r
}

// addUser creates a user as the admin token.
func (s *stack) addUser(body string) map[string]any {
	s.t.Helper()
	return s.mustDo("admin", "POST", "/api/v1/users", body, 201).json(s.t)
}

const noamUser = `{"email":"Noam@Example.com","name":"Noam B","role":"agent","agent_id":1,"password":"correct horse"}`

func TestLoginSetsACookieAndMeDescribesTheUser(t *testing.T) {
	s := newStack(t)
	u := s.addUser(noamUser)
	if u["email"] != "noam@example.com" || u["password"] != nil || u["password_hash"] != nil {
		t.Fatalf("created user %v", u)
	}
	r := s.mustDo("", "POST", "/api/v1/login", `{"email":" NOAM@example.com ","password":"correct horse"}`, 200)
	set := r.Header.Get("Set-Cookie")
	for _, want := range []string{"sb_session=sbl_", "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=43200"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("Set-Cookie %q is Secure over plain HTTP", set)
	}
	body := r.json(t)
	if body["user"].(map[string]any)["email"] != "noam@example.com" || body["agent"].(map[string]any)["id"] != 1.0 {
		t.Errorf("login answer %s", r.Body)
	}
	if set := s.do("", "POST", "/api/v1/login", `{"email":"noam@example.com","password":"correct horse"}`,
		"X-Forwarded-Proto", "https").Header.Get("Set-Cookie"); !strings.Contains(set, "Secure") {
		t.Errorf("Set-Cookie %q is not Secure behind HTTPS", set)
	}

	cookie, csrf := s.login("noam@example.com", "correct horse")
	me := s.mustWith("", "GET", "/api/v1/me", "", 200, "Cookie", "sb_session="+cookie).json(t)
	if me["role"] != "agent" || me["csrf_token"] != csrf || me["user"].(map[string]any)["name"] != "Noam B" ||
		me["agent"].(map[string]any)["id"] != 1.0 {
		t.Errorf("me = %v", me)
	}
	// Bearer tokens describe the token's role; in the URL they are
	// refused (tickets_test.go).
	if me := s.mustDo("supervisor", "GET", "/api/v1/me", "", 200).json(t); me["role"] != "supervisor" || me["csrf_token"] != nil {
		t.Errorf("me with a token = %v", me)
	}
	if got := s.do("", "POST", "/api/v1/sessions?access_token="+s.tokens["admin"], `{"type":"chat_web"}`); got.Status != 401 {
		t.Errorf("access_token on POST: %d, want 401", got.Status)
	}
	if got := s.do("", "GET", "/api/v1/me", ""); got.Status != 401 || got.errCode(t) != "unauthorized" {
		t.Errorf("me without credentials: %d", got.Status)
	}
	// A login lasts 12 hours.
	s.clock.Advance(12 * time.Hour)
	if got := s.do("", "GET", "/api/v1/me", "", "Cookie", "sb_session="+cookie); got.Status != 401 {
		t.Errorf("me after 12 hours: %d, want 401", got.Status)
	}
}

func TestWrongLoginsAreRefusedAlikeAndRateLimited(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	wrong := func(email, pw string) response {
		t.Helper()
		return s.do("", "POST", "/api/v1/login", `{"email":"`+email+`","password":"`+pw+`"}`)
	}
	a, b := wrong("noam@example.com", "wrong horse"), wrong("nobody@example.com", "correct horse")
	if a.Status != 401 || b.Status != 401 || a.errCode(t) != "unauthorized" || string(a.Body) != string(b.Body) ||
		!strings.Contains(string(a.Body), "e-mail or password is wrong") {
		t.Fatalf("wrong password %d %s; unknown e-mail %d %s", a.Status, a.Body, b.Status, b.Body)
	}
	if got := s.do("", "POST", "/api/v1/login", `{"email":"noam@example.com"}`); got.Status != 400 {
		t.Errorf("no password: %d", got.Status)
	}
	// Three more failures, a minute apart: five in all.
	for i := 0; i < 3; i++ {
		s.clock.Advance(time.Minute)
		wrong("noam@example.com", "wrong horse")
	}
	s.clock.Advance(time.Minute)
	wrong("noam@example.com", "wrong horse")
	got := wrong("noam@example.com", "correct horse")
	if got.Status != 429 || got.errCode(t) != "rate_limited" {
		t.Fatalf("sixth attempt: %d %s, want 429", got.Status, got.Body)
	}
	// The window began with the first failure, four minutes ago.
	if ra := got.Header.Get("Retry-After"); ra != strconv.Itoa(int((11 * time.Minute).Seconds())) {
		t.Errorf("Retry-After = %q, want 660", ra)
	}
	s.clock.Advance(11 * time.Minute)
	s.login("noam@example.com", "correct horse")

	// Twenty failures from one address block every e-mail from it (the
	// address's earlier window has ended).
	for i := 0; i < 20; i++ {
		wrong("guess"+strconv.Itoa(i)+"@example.com", "whatever1")
	}
	if got := wrong("noam@example.com", "correct horse"); got.Status != 429 {
		t.Errorf("after 20 failures from one address: %d, want 429", got.Status)
	}
}

func TestCookieRequestsNeedTheCSRFToken(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	cookie, csrf := s.login("noam@example.com", "correct horse")
	status := `{"status":"online"}`
	for name, h := range map[string][]string{
		"no token":    {"Cookie", "sb_session=" + cookie},
		"wrong token": {"Cookie", "sb_session=" + cookie, "X-CSRF-Token", csrf + "x"},
	} {
		got := s.do("", "POST", "/api/v1/agents/1/status", status, h...)
		if got.Status != 403 || got.errCode(t) != "forbidden" || !strings.Contains(string(got.Body), "missing or wrong CSRF token") {
			t.Errorf("%s: %d %s, want 403", name, got.Status, got.Body)
		}
	}
	if a, _ := s.mustDo("admin", "GET", "/api/v1/agents/1", "", 200).json(t)["status"].(string); a == "online" {
		t.Fatal("a refused request changed the agent's status")
	}
	s.mustWith("", "POST", "/api/v1/agents/1/status", status, 200, "Cookie", "sb_session="+cookie, "X-CSRF-Token", csrf)
	// The login acts with the user's role: an agent creates no inbound session.
	res := s.mustWith("", "POST", "/api/v1/sessions", `{"type":"chat_web","end_user":{"name":"Ana"},"queue_id":1}`, 403,
		"Cookie", "sb_session="+cookie, "X-CSRF-Token", csrf)
	if res.errCode(t) != "forbidden" {
		t.Errorf("an agent login created a session: %s", res.Body)
	}
	// Logout needs the token too, then ends the login.
	if got := s.do("", "POST", "/api/v1/logout", "", "Cookie", "sb_session="+cookie); got.Status != 403 {
		t.Errorf("logout without CSRF: %d", got.Status)
	}
	out := s.mustWith("", "POST", "/api/v1/logout", "", 204, "Cookie", "sb_session="+cookie, "X-CSRF-Token", csrf)
	if set := out.Header.Get("Set-Cookie"); !strings.Contains(set, "sb_session=;") || !strings.Contains(set, "Max-Age=0") {
		t.Errorf("logout Set-Cookie %q does not clear the cookie", set)
	}
	if got := s.do("", "GET", "/api/v1/me", "", "Cookie", "sb_session="+cookie); got.Status != 401 {
		t.Errorf("me after logout: %d, want 401", got.Status)
	}
	s.mustWith("", "POST", "/api/v1/logout", "", 204, "Cookie", "sb_session="+cookie) // ended already: still fine
}

func TestChangePasswordEndsOtherLogins(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	c1, csrf := s.login("noam@example.com", "correct horse")
	c2, _ := s.login("noam@example.com", "correct horse")
	h := []string{"Cookie", "sb_session=" + c1, "X-CSRF-Token", csrf}
	if got := s.do("", "PUT", "/api/v1/me/password", `{"current_password":"wrong horse","new_password":"battery staple"}`, h...); got.Status != 403 {
		t.Errorf("wrong current password: %d", got.Status)
	}
	if got := s.do("", "PUT", "/api/v1/me/password", `{"current_password":"correct horse","new_password":"short"}`, h...); got.Status != 400 {
		t.Errorf("short new password: %d", got.Status)
	}
	if got := s.do("supervisor", "PUT", "/api/v1/me/password", `{"current_password":"x","new_password":"battery staple"}`); got.Status != 403 {
		t.Errorf("a token changed a password: %d", got.Status)
	}
	s.mustWith("", "PUT", "/api/v1/me/password", `{"current_password":"correct horse","new_password":"battery staple"}`, 204, h...)
	s.mustWith("", "GET", "/api/v1/me", "", 200, "Cookie", "sb_session="+c1)
	if got := s.do("", "GET", "/api/v1/me", "", "Cookie", "sb_session="+c2); got.Status != 401 {
		t.Errorf("the other login survived the password change: %d", got.Status)
	}
	if got := s.do("", "POST", "/api/v1/login", `{"email":"noam@example.com","password":"correct horse"}`); got.Status != 401 {
		t.Errorf("the old password still logs in: %d", got.Status)
	}
	s.login("noam@example.com", "battery staple")
}

func TestUsersAreValidatedAndAdminOnly(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	for _, body := range []string{
		`{"email":"a@example.com","name":"A","role":"agent","agent_id":2}`,                               // no password
		`{"email":"a@example.com","name":"A","role":"agent","agent_id":2,"password":"short"}`,            // short password
		`{"email":"a@example.com","name":"A","role":"owner","password":"long enough"}`,                   // role
		`{"email":"a@example.com","name":"A","role":"agent","password":"long enough"}`,                   // no agent
		`{"email":"a@example.com","name":"A","role":"agent","agent_id":99,"password":"long enough"}`,     // unknown agent
		`{"email":"a@example.com","name":"A","role":"supervisor","agent_id":2,"password":"long enough"}`, // agent_id on a supervisor
		`{"email":"not-an-email","name":"A","role":"supervisor","password":"long enough"}`,
		`{"email":"a@example.com","role":"supervisor","password":"long enough"}`, // no name
		`{"email":"a@example.com","name":"A","role":"supervisor","password":"long enough","id":4}`,
	} {
		if got := s.do("admin", "POST", "/api/v1/users", body); got.Status != 400 {
			t.Errorf("%s: %d %s, want 400", body, got.Status, got.Body)
		}
	}
	for _, body := range []string{
		`{"email":"NOAM@example.com","name":"Other","role":"supervisor","password":"long enough"}`,
		`{"email":"b@example.com","name":"B","role":"agent","agent_id":1,"password":"long enough"}`, // agent 1 has a user
	} {
		if got := s.do("admin", "POST", "/api/v1/users", body); got.Status != 409 {
			t.Errorf("%s: %d %s, want 409", body, got.Status, got.Body)
		}
	}
	if n := len(s.mustDo("admin", "GET", "/api/v1/users", "", 200).json(t)["items"].([]any)); n != 1 {
		t.Fatalf("%d users after refusals, want 1", n)
	}
	for _, as := range []string{"supervisor", "agent", "integration"} {
		if got := s.do(as, "GET", "/api/v1/users", ""); got.Status != 403 {
			t.Errorf("%s lists users: %d", as, got.Status)
		}
	}
	boss := s.addUser(`{"email":"boss@example.com","name":"Boss","role":"admin","password":"long enough"}`)
	id := strconv.Itoa(int(boss["id"].(float64)))
	if got := s.do("admin", "DELETE", "/api/v1/users/"+id, ""); got.Status != 409 {
		t.Errorf("deleting the last admin: %d", got.Status)
	}
	cookie, _ := s.login("boss@example.com", "long enough")
	// Disabling ends the user's logins; it keeps its password.
	u := s.mustDo("admin", "PUT", "/api/v1/users/1", `{"email":"noam@example.com","name":"Noam Bee","role":"agent","agent_id":1,"disabled":true}`, 200).json(t)
	if u["name"] != "Noam Bee" || u["disabled"] != true {
		t.Errorf("updated %v", u)
	}
	if got := s.do("", "POST", "/api/v1/login", `{"email":"noam@example.com","password":"correct horse"}`); got.Status != 401 {
		t.Errorf("a disabled user logs in: %d", got.Status)
	}
	s.mustDo("admin", "PUT", "/api/v1/users/1", `{"email":"noam@example.com","name":"Noam Bee","role":"agent","agent_id":1}`, 200)
	s.login("noam@example.com", "correct horse")
	if got := s.do("admin", "PUT", "/api/v1/users/"+id, `{"email":"boss@example.com","name":"Boss","role":"supervisor"}`); got.Status != 409 {
		t.Errorf("demoting the last admin: %d", got.Status)
	}
	s.mustWith("", "GET", "/api/v1/users", "", 200, "Cookie", "sb_session="+cookie)
	s.mustDo("admin", "DELETE", "/api/v1/users/1", "", 204)
	s.mustDo("admin", "GET", "/api/v1/users/1", "", 404)
	s.mustDo("admin", "DELETE", "/api/v1/users/1", "", 404)
}

// Without a trusted proxy, X-Forwarded-For is the client's to forge and
// does not spread failures over addresses; behind one, its last entry is
// the client.
func TestForwardedForCountsOnlyBehindATrustedProxy(t *testing.T) {
	s := newStack(t)
	s.addUser(noamUser)
	fail := func(srv string, i int, xff string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", srv+"/api/v1/login", strings.NewReader(`{"email":"g`+strconv.Itoa(i)+`@example.com","password":"whatever1"}`))
		req.Header.Set("X-Forwarded-For", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 20; i++ {
		fail(s.srv.URL, i, "10.0.0."+strconv.Itoa(i))
	}
	if got := fail(s.srv.URL, 99, "10.9.9.9"); got != 429 {
		t.Errorf("forged X-Forwarded-For escaped the address limit: %d", got)
	}

	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		t.Fatal(err)
	}
	proxied := httptest.NewServer(httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: dir, Config: s.db, TrustProxy: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer proxied.Close()
	// The client forges the first entry; the proxy appends the address it saw.
	for i := 0; i < 20; i++ {
		fail(proxied.URL, i, "10.0.0."+strconv.Itoa(i)+", 198.51.100.1")
	}
	if got := fail(proxied.URL, 99, "198.51.100.2"); got != 401 {
		t.Errorf("another client behind the proxy: %d, want 401", got)
	}
	if got := fail(proxied.URL, 98, "10.9.9.9, 198.51.100.1"); got != 429 {
		t.Errorf("the client with 20 failures behind the proxy: %d, want 429", got)
	}
}
