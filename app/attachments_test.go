package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// The server keeps attachments in the files directory beside the
// exports, never among them.
func TestAttachmentsLiveBesideTheExports(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, exports := app.DataPaths(dir)
	a, err := app.Open(ctx, app.Options{DBPath: dbPath, ExportsDir: exports, FilesDir: app.FilesPath(dir),
		Clock: clock.NewVirtual(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	secret, err := a.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/sessions/1/attachments?name=notes.txt", strings.NewReader("call back at 5\n"))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	b, err := os.ReadFile(filepath.Join(dir, "files", "attachments", "1", "1"))
	if err != nil || string(b) != "call back at 5\n" || res.Session.ID != 1 {
		t.Errorf("stored file %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(exports, "attachments")); !os.IsNotExist(err) {
		t.Errorf("attachments leaked into the exports: %v", err)
	}
}
