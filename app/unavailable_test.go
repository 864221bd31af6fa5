package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
)

// call sends an admin request and decodes the error code of the answer.
func call(t *testing.T, srv *httptest.Server, secret, method, path, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+secret)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	b, _ := io.ReadAll(res.Body)
	json.Unmarshal(b, &e)
	return res.StatusCode, e.Error.Code, e.Error.Message
}

// When the store cannot write (here SQLite's own "database or disk is
// full", under a page cap), writes answer 503 unavailable instead of 500,
// and so does /readyz; once there is room again both recover.
func TestAFullStoreAnswersUnavailable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, exports := app.DataPaths(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(maxPages int64) *app.App {
		a, err := app.Open(ctx, app.Options{DBPath: dbPath, ExportsDir: exports, Clock: clock.NewVirtual(t0), Logger: log, MaxPageCount: maxPages})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open(0)
	secret, err := a.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support", Priority: 2}); err != nil {
		t.Fatal(err)
	}
	a.Close() // checkpoints: the file holds every page
	fi, err := os.Stat(dbPath)
	if err != nil {
		t.Fatal(err)
	}

	a = open(fi.Size()/4096 + 40)
	srv := httptest.NewServer(a.Handler())
	if code, _, _ := call(t, srv, secret, "GET", "/readyz", ""); code != 200 {
		t.Fatalf("readyz before the store fills: %d", code)
	}
	created := 0
	for ; created < 10000; created++ {
		code, ecode, msg := call(t, srv, secret, "POST", "/api/v1/sessions",
			`{"type":"chat_web","queue_id":1,"end_user":{"name":"`+strings.Repeat("n", 100)+`"}}`)
		if code == 201 {
			continue
		}
		if code != 503 || ecode != sb.EUNAVAILABLE || !strings.Contains(msg, "full") {
			t.Fatalf("create into a full store: %d %s %q", code, ecode, msg)
		}
		break
	}
	if created == 0 || created == 10000 {
		t.Fatalf("%d sessions created before the store was full", created)
	}
	if code, ecode, msg := call(t, srv, secret, "GET", "/readyz", ""); code != 503 || ecode != sb.EUNAVAILABLE || !strings.Contains(msg, "full") {
		t.Errorf("readyz of a full store: %d %s %q", code, ecode, msg)
	}
	// Configuration writes too, once the little room left in partly filled
	// pages is used up.
	for i := 0; ; i++ {
		code, ecode, _ := call(t, srv, secret, "POST", "/api/v1/queues",
			fmt.Sprintf(`{"name":"Sales %d","priority":2,"greeting":"%s"}`, i, strings.Repeat("g", 900)))
		if code == 201 && i < 1000 {
			continue
		}
		if code != 503 || ecode != sb.EUNAVAILABLE {
			t.Errorf("configuration write %d into a full store: %d %s", i+1, code, ecode)
		}
		break
	}
	srv.Close()
	a.Close()

	// Room again (the cap lifted): ready, and writes work.
	a = open(0)
	defer a.Close()
	srv = httptest.NewServer(a.Handler())
	defer srv.Close()
	if code, _, msg := call(t, srv, secret, "GET", "/readyz", ""); code != 200 {
		t.Errorf("readyz with room again: %d %q", code, msg)
	}
	if code, ecode, msg := call(t, srv, secret, "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`); code != 201 {
		t.Errorf("create with room again: %d %s %q", code, ecode, msg)
	}
}
