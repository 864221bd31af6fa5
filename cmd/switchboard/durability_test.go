package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/internal/s3test"
	"github.com/switchboardhq/switchboard/lifecycle"
)

const adminToken = "sbt_durability-test-admin-token"

// server is a switchboard process started by a test.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	done chan error
	// startLog is what the server wrote up to its "listening" line.
	startLog string
}

// binDir holds the binary the tests build, once per run; TestMain removes
// it, and stops the PostgreSQL and S3 servers the tests started.
var (
	binDir   string
	binOnce  sync.Once
	binErr   error
	binBuilt string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	pgtest.StopShared()
	s3test.StopShared()
	os.Exit(code)
}

// buildBinary builds the switchboard command once for all the tests of a run.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "switchboard-test-bin-"); binErr != nil {
			return
		}
		bin := filepath.Join(binDir, "switchboard")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		binBuilt = bin
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binBuilt
}

var listening = regexp.MustCompile(`msg="switchboard listening" addr=(\S+)`)

func startServer(t *testing.T, bin, data string, flags ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "info"}, flags...)...)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_ADMIN_TOKEN="+adminToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, done: make(chan error, 1)}
	rd := bufio.NewReader(stderr)
	found, startLog := make(chan string, 1), make(chan string, 1)
	go func() {
		var log strings.Builder
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				found <- "exited: " + log.String()
				return
			}
			log.WriteString(line)
			if m := listening.FindStringSubmatch(line); m != nil {
				startLog <- log.String()
				found <- m[1]
				io.Copy(io.Discard, rd)
				return
			}
		}
	}()
	select {
	case addr := <-found:
		if strings.HasPrefix(addr, "exited: ") {
			t.Fatalf("server %s", addr)
		}
		s.addr = addr
		s.startLog = <-startLog
	case <-time.After(time.Minute): // a safety net against a hung start, not a timing assumption
		cmd.Process.Kill()
		t.Fatal("server did not start listening within a minute")
	}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}

func (s *server) call(method, path string, body any) (int, []byte, error) {
	return s.callKeyed(method, path, body, "")
}

// callKeyed is call with an Idempotency-Key, when key is set.
func (s *server) callKeyed(method, path string, body any, key string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+path, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func (s *server) must(method, path string, body any, want int) []byte {
	s.t.Helper()
	code, b, err := s.call(method, path, body)
	if err != nil || code != want {
		s.t.Fatalf("%s %s: %d %v: %s", method, path, code, err, b)
	}
	return b
}

// acked is a command the server acknowledged: the events it answered with.
type acked struct {
	session int64
	seq     int64
	typ     string
}

// TestAcknowledgedCommandsSurviveSIGKILL drives the real server with
// concurrent commands, kills it with SIGKILL in the middle, restarts it on
// the same data, and checks that every acknowledged event is in the log and
// that every projection equals a rebuild from its log.
func TestAcknowledgedCommandsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	srv := startServer(t, bin, data)
	srv.must("POST", "/api/v1/agents", map[string]any{"name": "Noam B", "email": "noam@example.com"}, 201)
	srv.must("POST", "/api/v1/queues", map[string]any{"name": "Support", "priority": 2}, 201)

	const workers, killAfter = 16, 1500
	var (
		mu     sync.Mutex
		acks   []acked
		count  atomic.Int64
		killed = make(chan struct{})
		once   sync.Once
		wg     sync.WaitGroup
	)
	steps := []struct {
		path string
		body any
	}{
		{"/assign", map[string]any{"agent_id": 1}},
		{"/connect", nil},
		{"/hold", nil},
		{"/resume", nil},
		{"/events", map[string]any{"type": "sentiment_score", "data": map[string]any{"score": 52}}},
		{"/end", map[string]any{"disconnected_by": "end_user"}},
		{"/wrap-up", map[string]any{"code": "resolved"}},
	}
	record := func(b []byte) bool {
		var res struct {
			Events []sb.Event `json:"events"`
		}
		if json.Unmarshal(b, &res) != nil {
			return false
		}
		mu.Lock()
		for _, e := range res.Events {
			acks = append(acks, acked{e.SessionID, e.Seq, string(e.Type)})
		}
		mu.Unlock()
		if count.Add(1) == killAfter {
			once.Do(func() {
				srv.cmd.Process.Signal(syscall.SIGKILL)
				close(killed)
			})
		}
		return true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				code, b, err := srv.call("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1})
				if err != nil || code != 201 || !record(b) {
					return // the server is gone
				}
				var created struct {
					Session struct{ ID int64 } `json:"session"`
				}
				json.Unmarshal(b, &created)
				for _, st := range steps {
					code, b, err := srv.call("POST", fmt.Sprintf("/api/v1/sessions/%d%s", created.Session.ID, st.path), st.body)
					if err != nil || code != 200 || !record(b) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("the load ended before the kill: %d commands", count.Load())
	}
	<-srv.done
	t.Logf("killed after %d acknowledged commands (%d events)", count.Load(), len(acks))

	srv = startServer(t, bin, data, "--metadata-delay", "0s")
	bySession := map[int64][]acked{}
	for _, a := range acks {
		bySession[a.session] = append(bySession[a.session], a)
	}
	for id, want := range bySession {
		var page struct {
			Events []sb.Event `json:"events"`
		}
		json.Unmarshal(srv.must("GET", fmt.Sprintf("/api/v1/sessions/%d/events?limit=1000", id), nil, 200), &page)
		have := map[int64]string{}
		for _, e := range page.Events {
			have[e.Seq] = string(e.Type)
		}
		for _, a := range want {
			if have[a.seq] != a.typ {
				t.Errorf("session %d: acknowledged event %d (%s) is missing after the crash (found %q)", id, a.seq, a.typ, have[a.seq])
			}
		}
		folded, err := lifecycle.Fold(page.Events)
		if err != nil {
			t.Fatalf("session %d: %v", id, err)
		}
		var stored map[string]any
		json.Unmarshal(srv.must("GET", fmt.Sprintf("/api/v1/sessions/%d", id), nil, 200), &stored)
		for _, viewOnly := range []string{"status_code", "display_name", "duration_since"} {
			delete(stored, viewOnly) // computed for the reader, beside the projection
		}
		var rebuilt map[string]any
		b, _ := json.Marshal(folded)
		json.Unmarshal(b, &rebuilt)
		if fmt.Sprint(stored) != fmt.Sprint(rebuilt) {
			t.Errorf("session %d: stored projection differs from the rebuild of its log", id)
		}
	}
	// The server still works after the crash: a new session's metadata file
	// is written by the server's own timer loop and outbox worker.
	var created struct {
		Session struct{ ID int64 } `json:"session"`
	}
	json.Unmarshal(srv.must("POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": 1}, 201), &created)
	srv.must("POST", fmt.Sprintf("/api/v1/sessions/%d/end", created.Session.ID), map[string]any{"disconnected_by": "end_user"}, 200)
	file := filepath.Join(data, "exports", fmt.Sprint(created.Session.ID), "metadata.json")
	waitFor(t, func() bool { _, err := os.Stat(file); return err == nil })
	var meta map[string]any
	b, _ := os.ReadFile(file)
	if err := json.Unmarshal(b, &meta); err != nil || meta["id"] != float64(created.Session.ID) || meta["status"] != "finished" {
		t.Errorf("metadata file: %v: %s", err, b)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-srv.done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
	out, err := exec.Command(bin, "verify", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"mismatch":null`) {
		t.Fatalf("verify: %v: %s", err, out)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline. It
// waits for another process to act, not for time to pass.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("condition not met within 30 s")
		}
	}
}
