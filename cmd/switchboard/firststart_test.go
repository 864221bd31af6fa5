package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

var (
	firstPassword = regexp.MustCompile(`Created the first admin user (\S+) with this password[^\n]*\n\n    (\S+)\n`)
	newPassword   = regexp.MustCompile(`New password for ([^\s,]+),[^\n]*\n\n    (\S+)\n`)
)

// login logs in over the API and returns the status and the login cookie.
func login(t *testing.T, s *server, email, password string) (int, *http.Cookie) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := client.Post("http://"+s.addr+"/api/v1/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Value != "" {
			return res.StatusCode, c
		}
	}
	return res.StatusCode, nil
}

// withCookie GETs path with a login cookie and returns the status.
func withCookie(t *testing.T, s *server, path string, c *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.addr+path, nil)
	req.AddCookie(c)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func stop(t *testing.T, s *server) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-s.done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
}

// TestAStartThatCannotBindCreatesNoCredentials: the first start fails to
// listen (the port is taken) before it creates anything, so the next start
// is still the first one and prints the administrator's password, which
// logs in; it prints where the console and the desk are, on the real port.
func TestAStartThatCannotBindCreatesNoCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	out, err := runBin(t, bin, "serve", "--addr", taken.Addr().String(), "--data", data)
	taken.Close()
	if err == nil || !strings.Contains(out, "listen") || strings.Contains(out, "Created the first") {
		t.Fatalf("start on a taken port: %v: %s", err, out)
	}

	srv := startServer(t, bin, data)
	m := firstPassword.FindStringSubmatch(srv.startLog)
	if m == nil {
		t.Fatalf("the start after the failed one printed no admin password:\n%s", srv.startLog)
	}
	for _, page := range []string{"/admin", "/desk"} {
		if want := "http://" + srv.addr + page; !strings.Contains(srv.startLog, want) {
			t.Errorf("the start does not print %s:\n%s", want, srv.startLog)
		}
	}
	if code, _ := login(t, srv, m[1], m[2]); code != 200 {
		t.Errorf("login with the printed password: %d", code)
	}
	stop(t, srv)
	if srv = startServer(t, bin, data); strings.Contains(srv.startLog, "Created the first") {
		t.Errorf("a later start printed credentials again:\n%s", srv.startLog)
	}
}

// TestResetPassword: admin reset-password refuses to run beside the
// server; with the server stopped it prints a new password that logs in,
// the old password no longer does, and the user's browser logins ended.
func TestResetPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	m := firstPassword.FindStringSubmatch(srv.startLog)
	if m == nil {
		t.Fatalf("no admin password printed:\n%s", srv.startLog)
	}
	email, old := m[1], m[2]
	code, cookie := login(t, srv, email, old)
	if code != 200 || cookie == nil {
		t.Fatalf("login: %d %v", code, cookie)
	}
	if code := withCookie(t, srv, "/api/v1/me", cookie); code != 200 {
		t.Fatalf("me with the login: %d", code)
	}
	out, err := runBin(t, bin, "admin", "reset-password", "--data", data, email)
	if err == nil || !strings.Contains(out, "server is stopped") {
		t.Errorf("reset-password beside the server: %v: %s", err, out)
	}
	stop(t, srv)

	if out, err := runBin(t, bin, "admin", "reset-password", "--data", data, "nobody@example.com"); err == nil || !strings.Contains(out, "no user") {
		t.Errorf("reset-password of an unknown e-mail: %v: %s", err, out)
	}
	out, err = runBin(t, bin, "admin", "reset-password", "--data", data, strings.ToUpper(email))
	n := newPassword.FindStringSubmatch(out)
	if err != nil || n == nil || n[1] != email || n[2] == old {
		t.Fatalf("reset-password: %v: %s", err, out)
	}
	srv = startServer(t, bin, data)
	if code, _ := login(t, srv, email, old); code != 401 {
		t.Errorf("login with the old password: %d, want 401", code)
	}
	if code := withCookie(t, srv, "/api/v1/me", cookie); code != 401 {
		t.Errorf("the login from before the reset: %d, want 401", code)
	}
	if code, _ := login(t, srv, email, n[2]); code != 200 {
		t.Errorf("login with the new password: %d", code)
	}
}
