package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/s3test"
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

// With --files s3://…, the metadata files and the attachments go to the
// bucket, each under its folder of the URL's prefix, and the attachment
// downloads from there.
func TestFilesOnS3(t *testing.T) {
	ctx := context.Background()
	srv, bucket := s3test.NewBucket(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	dir := t.TempDir()
	dbPath, _ := app.DataPaths(dir)
	c := clock.NewVirtual(t0)
	a, err := app.Open(ctx, app.Options{DBPath: dbPath, Files: srv.URL(bucket, "acme"),
		Clock: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	system := sb.Actor{Kind: sb.ActorIntegration, ID: "1"}
	res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, system)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Session.ID
	web := httptest.NewServer(a.Handler())
	defer web.Close()
	call := func(method, path, ctype, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, web.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if resp := call("POST", fmt.Sprintf("/api/v1/sessions/%d/attachments?name=notes.txt", id), "text/plain", "回电 at 5\n"); resp.StatusCode != 201 {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	resp := call("GET", "/api/v1/attachments/1", "", "")
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != "回电 at 5\n" {
		t.Errorf("download: %d %q", resp.StatusCode, b)
	}
	if _, err := a.Engine.Execute(ctx, id, &lifecycle.Fail{Reason: "carrier_error"}, system, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Engine.FireDue(ctx); err != nil { // the metadata timer, due at once
		t.Fatal(err)
	}
	if n, err := a.Outbox.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("deliveries: %d %v, want the metadata file", n, err)
	}

	mc, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
	}
	want := []string{fmt.Sprintf("acme/exports/%d/metadata.json", id), fmt.Sprintf("acme/files/attachments/%d/1", id)}
	if !slices.Equal(keys, want) {
		t.Errorf("the bucket holds %q, want %q", keys, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "exports")); !os.IsNotExist(err) {
		t.Errorf("files were written to the data directory: %v", err)
	}
}
