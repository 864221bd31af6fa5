package main

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runBin runs the binary to its end; a safety net kills a process that
// does not exit within a minute (a second server that started serving).
func runBin(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Errorf("%v did not exit within a minute: %s", args, out)
	}
	return string(out), err
}

// TestASecondProcessOnTheDataDirectoryExits starts a server, then every
// command that writes on the same data directory: each must exit at once,
// naming the server's PID, while read-only commands run beside it. Once
// the server has exited the directory is free again.
func TestASecondProcessOnTheDataDirectoryExits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	srv.must("POST", "/api/v1/queues", map[string]any{"name": "Support", "priority": 2}, 201)
	holder := "in use by process " + strconv.Itoa(srv.cmd.Process.Pid)
	for _, args := range [][]string{
		{"serve", "--addr", "127.0.0.1:0", "--data", data},
		{"verify", "--data", data, "--fix"},
		{"reports", "rebuild", "--data", data},
		{"reports", "threshold", "--data", data, "--seconds", "30"},
		{"generate", "--data", data, "--sessions", "1", "--quiet"},
		{"admin", "reset-password", "--data", data, "admin@localhost"},
	} {
		out, err := runBin(t, bin, args...)
		if err == nil || !strings.Contains(out, holder) {
			t.Errorf("%v beside a running server: %v: %s", args, err, out)
		}
	}
	for _, args := range [][]string{
		{"verify", "--data", data},
		{"reports", "threshold", "--data", data},
	} {
		if out, err := runBin(t, bin, args...); err != nil {
			t.Errorf("read-only %v beside a running server: %v: %s", args, err, out)
		}
	}
	// The server is alone with its data: a create works.
	srv.must("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1}, 201)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-srv.done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	if out, err := runBin(t, bin, "verify", "--data", data, "--fix"); err != nil {
		t.Fatalf("verify --fix after the server exited: %v: %s", err, out)
	}
	srv = startServer(t, bin, data)
	srv.must("GET", "/readyz", nil, 200)
}
