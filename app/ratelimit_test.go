package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/webauth"
)

// callNode sends a request to srv with a bearer token, if one is given, and
// returns the status, the headers and the decoded body.
func callNode(t *testing.T, srv *httptest.Server, token, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	return res.StatusCode, res.Header, v
}

// Two nodes on one PostgreSQL count the rate limits together: failed
// logins spread over both lock the address out of the account at the
// total one node allows, and so do a visitor's chats; the refusal comes
// from either node, with Retry-After.
func TestRateLimitsAreSharedByTheNodes(t *testing.T) {
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	url := pgtest.New(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, app.Options{Store: url, ExportsDir: t.TempDir(), Clock: c, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.EnsureAdminUser(ctx, "noam@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	admin, err := a.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	nodeA := httptest.NewServer(a.Handler())
	defer nodeA.Close()
	// The plugin and its queue exist before the follower starts, so that its
	// directory has it (configuration does not yet reach other nodes'
	// caches).
	status, _, plugin := callNode(t, nodeA, admin, "POST", "/api/v1/web-plugins", `{"name":"Shop","entry":"shop"}`)
	if status != 201 {
		t.Fatalf("create a plugin: %d %v", status, plugin)
	}
	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := callNode(t, nodeA, admin, "POST", "/api/v1/routing-rules",
		`{"name":"shop","enabled":true,"match":"entry","value":"shop","target":{"queue_id":`+strconv.FormatInt(q.ID, 10)+`}}`); status != 201 {
		t.Fatalf("a routing rule: %d %v", status, body)
	}
	leader := httptest.NewServer(a.API.ClusterHandler("s3cret"))
	defer leader.Close()
	fwd := &cluster.Forwarder{Leader: func(context.Context) (string, error) { return leader.URL, nil }, Secret: "s3cret", Clock: c}
	b, err := app.OpenFollower(ctx, app.Options{Store: url, ExportsDir: t.TempDir(), Clock: c, Logger: quiet}, fwd)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	nodeB := httptest.NewServer(b.Handler())
	defer nodeB.Close()

	refused := func(what string, status int, h http.Header, body map[string]any) {
		t.Helper()
		if status != 429 || h.Get("Retry-After") == "" {
			t.Errorf("%s: %d Retry-After %q %v, want 429 with Retry-After", what, status, h.Get("Retry-After"), body)
		}
	}

	// Logins: 3 failures on A and 2 on B are the per-address limit.
	login := func(srv *httptest.Server, password string) (int, http.Header, map[string]any) {
		return callNode(t, srv, "", "POST", "/api/v1/login", `{"email":"noam@example.com","password":"`+password+`"}`)
	}
	for i, srv := range []*httptest.Server{nodeA, nodeA, nodeA, nodeB, nodeB} {
		if status, _, body := login(srv, "wrong horse"); status != 401 {
			t.Fatalf("failure %d: %d %v, want 401", i+1, status, body)
		}
	}
	for name, srv := range map[string]*httptest.Server{"A": nodeA, "B": nodeB} {
		status, h, body := login(srv, "correct horse")
		refused("the right password on "+name+" after "+strconv.Itoa(webauth.MaxFailuresPerAccountAddress)+" failures over both", status, h, body)
		if want := strconv.Itoa(int(webauth.Window.Seconds())); h.Get("Retry-After") != want {
			t.Errorf("on %s: Retry-After %q, want %s", name, h.Get("Retry-After"), want)
		}
	}

	// Chats: one visitor starts 3 on A and 2 on B, ending each; the
	// next is refused on either node.
	status, _, v := callNode(t, nodeA, "", "POST", "/api/v1/widget/"+plugin["key"].(string)+"/visitor", `{}`)
	if status != 200 {
		t.Fatalf("a visitor: %d %v", status, v)
	}
	visitor := v["visitor_token"].(string)
	per := httpapi.DefaultChatLimits.PerVisitor
	for i := range per {
		srv := nodeA
		if i >= 3 {
			srv = nodeB
		}
		status, _, chat := callNode(t, srv, visitor, "POST", "/api/v1/sessions", `{}`)
		if status != 201 {
			t.Fatalf("chat %d: %d %v", i+1, status, chat)
		}
		id := strconv.Itoa(int(chat["session"].(map[string]any)["id"].(float64)))
		if status, _, body := callNode(t, srv, visitor, "POST", "/api/v1/sessions/"+id+"/end", `{}`); status != 200 {
			t.Fatalf("end chat %d: %d %v", i+1, status, body)
		}
	}
	for name, srv := range map[string]*httptest.Server{"A": nodeA, "B": nodeB} {
		status, h, body := callNode(t, srv, visitor, "POST", "/api/v1/sessions", `{}`)
		refused("chat "+strconv.Itoa(per+1)+" on "+name, status, h, body)
	}
}
