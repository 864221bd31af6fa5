package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

// callAs is a GET with another bearer token than the admin's.
func callAs(s *server, token, path string) (int, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return res.StatusCode, b.Bytes()
}

// TestMigrateGeneratedStoreToPostgres: a generated SQLite store moves to
// PostgreSQL with switchboard migrate, which refuses while the source
// serves, into the store it reads, and into a store that is not empty or
// whose cluster runs. The copy verifies, and a server on it answers as
// the source did: sessions, reports, configuration, a token made on the
// source; its next session takes the next ID.
func TestMigrateGeneratedStoreToPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	if out, err := runCmd("generate", "--data", data, "--sessions", "300", "--days", "2", "--seed", "7", "--quiet"); err != nil {
		t.Fatalf("generate: %v: %s", err, out)
	}
	pg := pgtest.New(t)

	src := startServer(t, bin, data)
	var tok struct {
		Secret string `json:"secret"`
	}
	json.Unmarshal(src.must("POST", "/api/v1/tokens", map[string]any{"name": "crm", "role": "integration"}, 201), &tok)
	if out, err := runCmd("migrate", "--data", data, "--to", pg, "--quiet"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("migrate beside the source's server: %v: %s", err, out)
	}
	var newest struct {
		Sessions []struct{ ID int64 } `json:"sessions"`
	}
	json.Unmarshal(src.must("GET", "/api/v1/sessions?limit=1", nil, 200), &newest)
	if len(newest.Sessions) != 1 {
		t.Fatalf("the source lists no session")
	}
	maxID := newest.Sessions[0].ID
	const span = "from=2026-01-05T00:00:00Z&to=2026-01-08T00:00:00Z"
	paths := []string{"/api/v1/queues", "/api/v1/agents", "/api/v1/session-tags", "/api/v1/tokens",
		"/api/v1/reports/agent-workload?" + span, "/api/v1/reports/channels?" + span, "/api/v1/reports/queues?" + span,
		"/api/v1/sessions?limit=50", "/api/v1/sessions/1"}
	for _, id := range []int64{2, maxID / 2, maxID} {
		paths = append(paths, fmt.Sprintf("/api/v1/sessions/%d", id), fmt.Sprintf("/api/v1/sessions/%d/events", id))
	}
	// The generated store has no report facts yet: the source's server
	// derives them when it starts.
	waitFor(t, func() bool {
		var r struct {
			Facts *struct{ Current bool } `json:"facts"` // absent when current
		}
		json.Unmarshal(src.must("GET", "/api/v1/reports/channels?"+span, nil, 200), &r)
		return r.Facts == nil || r.Facts.Current
	})
	want := map[string][]byte{}
	for _, p := range paths {
		want[p] = src.must("GET", p, nil, 200)
	}
	stop(t, src)

	dbPath, _ := app.DataPaths(data)
	if out, err := runCmd("migrate", "--data", data, "--to", "sqlite:"+dbPath, "--quiet"); err == nil || !strings.Contains(err.Error(), "same store") {
		t.Fatalf("migrate into the source: %v: %s", err, out)
	}
	out, err := runCmd("migrate", "--data", data, "--to", pg, "--quiet")
	if err != nil {
		t.Fatalf("migrate: %v: %s", err, out)
	}
	var rep app.MigrateReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("migrate printed no report: %v: %s", err, out)
	}
	if rep.Sessions != 300 || rep.Events == 0 || rep.ConfigDocs == 0 || rep.Tokens != 2 || rep.Users == 0 ||
		rep.FactsRebuilt != 300 || rep.Verify.Sessions != 300 {
		t.Errorf("report %+v", rep)
	}
	out, err = runCmd("verify", "--data", filepath.Join(t.TempDir(), "none"), "--store", pg)
	if err != nil {
		t.Fatalf("verify the copy: %v: %s", err, out)
	}
	if v := verifyReport(t, out); v.Sessions != 300 || v.Events != rep.Events || len(v.Mismatch) != 0 || v.Orphans != 0 {
		t.Errorf("verify the copy: %+v", v)
	}

	cp := startServer(t, bin, filepath.Join(t.TempDir(), "data"), "--store", pg)
	for _, p := range paths {
		if got := cp.must("GET", p, nil, 200); !bytes.Equal(got, want[p]) {
			t.Errorf("GET %s on the copy:\n got %.400s\nwant %.400s", p, got, want[p])
		}
	}
	if code, b := callAs(cp, tok.Secret, "/api/v1/sessions?limit=1"); code != 200 {
		t.Errorf("the source's token on the copy: %d %s", code, b)
	}
	var created struct {
		Session struct{ ID int64 } `json:"session"`
	}
	json.Unmarshal(cp.must("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1}, 201), &created)
	if created.Session.ID != maxID+1 {
		t.Errorf("a new session on the copy got ID %d, want %d", created.Session.ID, maxID+1)
	}
	if out, err := runCmd("migrate", "--data", data, "--to", pg, "--quiet"); err == nil || !strings.Contains(err.Error(), "leader lease") {
		t.Errorf("migrate into a running cluster: %v: %s", err, out)
	}
	stop(t, cp)
	if out, err := runCmd("migrate", "--data", data, "--to", pg, "--quiet"); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("migrate into a store that is not empty: %v: %s", err, out)
	}
}
