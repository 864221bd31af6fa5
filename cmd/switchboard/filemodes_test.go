package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDataDirectoryIsPrivate runs the real server under a umask that lets
// everything through (000) and checks that whatever it creates under the
// data directory is still its user's alone: directories 0700, files 0600.
func TestDataDirectoryIsPrivate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	wrapper := filepath.Join(t.TempDir(), "switchboard-umask0")
	script := "#!/bin/sh\numask 000\nexec " + bin + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, wrapper, data, "--metadata-delay", "0s")
	srv.must("POST", "/api/v1/queues", map[string]any{"name": "Support", "priority": 2}, 201)
	var created struct {
		Session struct{ ID int64 } `json:"session"`
	}
	json.Unmarshal(srv.must("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1}, 201), &created)
	id := created.Session.ID
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://%s/api/v1/sessions/%d/attachments?name=notes.txt", srv.addr, id),
		bytes.NewReader([]byte("a plain text note\n")))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "text/plain")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	srv.must("POST", fmt.Sprintf("/api/v1/sessions/%d/end", id), map[string]any{"disconnected_by": "end_user"}, 200)
	metadata := filepath.Join(data, "exports", fmt.Sprint(id), "metadata.json")
	waitFor(t, func() bool { _, err := os.Stat(metadata); return err == nil })

	seen := map[string]bool{}
	err = filepath.WalkDir(data, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		seen[filepath.ToSlash(rel)] = true
		want := fs.FileMode(0o600)
		if de.IsDir() {
			want = 0o700
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %o, want %o", rel, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".", "switchboard.db", "switchboard.db-wal", "switchboard.db-shm", "switchboard.lock",
		"exports", fmt.Sprintf("exports/%d/metadata.json", id), "files/attachments"} {
		if !seen[p] {
			t.Errorf("%s was not created; the data directory holds %v", p, seen)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-srv.done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
}
