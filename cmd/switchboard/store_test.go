package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/internal/s3test"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/postgres"
)

// populateStore opens an App on the store at url and runs two sessions
// through it: one to its end, one assigned with messages. It returns
// their IDs.
func populateStore(t *testing.T, url string) []int64 {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	a, err := app.Open(ctx, app.Options{Store: url, ExportsDir: filepath.Join(t.TempDir(), "exports"), Clock: c,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := a.API.Config.Routing.SaveAgent(ctx, sb.Agent{Name: "Ann", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	system := sb.Actor{Kind: sb.ActorIntegration, ID: "1"}
	agent := sb.Actor{Kind: sb.ActorAgent, ID: fmt.Sprint(ag.ID)}
	do := func(id int64, cmd lifecycle.Command, by sb.Actor) {
		t.Helper()
		c.Advance(time.Minute)
		if _, err := a.Engine.Execute(ctx, id, cmd, by, nil); err != nil {
			t.Fatalf("%s on session %d: %v", cmd.Name(), id, err)
		}
	}
	connect, _ := lifecycle.NewStatusCommand("connect")
	var ids []int64
	for range 2 {
		res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, system)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Session.ID)
		do(res.Session.ID, &lifecycle.Assign{AgentID: ag.ID}, system)
	}
	do(ids[0], connect, agent)
	do(ids[0], &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser}, agent)
	do(ids[1], &lifecycle.Message{From: sb.FromEndUser, Text: "hello"}, agent)
	return ids
}

// runCmd runs a switchboard command in this process and returns its
// standard output and error together.
func runCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(args, &out, &out)
	return out.String(), err
}

// verifyReport parses the report verify prints.
func verifyReport(t *testing.T, out string) app.VerifyReport {
	t.Helper()
	var rep app.VerifyReport
	line := out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		t.Fatalf("verify printed no report: %v: %s", err, out)
	}
	return rep
}

// TestVerifyOnPostgres: verify --store postgres://… folds the cluster's
// logs and finds every projection intact; it needs no data directory.
func TestVerifyOnPostgres(t *testing.T) {
	url := pgtest.New(t)
	ids := populateStore(t, url)
	noData := filepath.Join(t.TempDir(), "none")
	out, err := runCmd("verify", "--data", noData, "--store", url)
	if err != nil {
		t.Fatalf("verify: %v: %s", err, out)
	}
	if rep := verifyReport(t, out); rep.Sessions != len(ids) || rep.Events == 0 || len(rep.Mismatch) != 0 {
		t.Errorf("report %+v, want %d sessions and no mismatch", rep, len(ids))
	}
	if _, err := os.Stat(noData); !os.IsNotExist(err) {
		t.Errorf("verify on PostgreSQL touched the data directory: %v", err)
	}
}

// TestWritingCommandsOnPostgresTakeTheLeaderLease: while another node
// holds the cluster's leader lease, every command that writes refuses,
// naming the node, and those that read run; once the lease is released
// verify --fix takes it, rewrites the projection that differs, and
// releases it when done.
func TestWritingCommandsOnPostgresTakeTheLeaderLease(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	ids := populateStore(t, url)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	victim, err := db.Session(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	bad := *victim
	bad.Status = sb.StatusFinished
	if err := db.ReplaceProjection(ctx, &bad); err != nil {
		t.Fatal(err)
	}

	nodeA := db.Lease(postgres.LeaderLease, "node-a", "http://127.0.0.1:7001", time.Minute, clock.Real{})
	term, ok, err := nodeA.Acquire(ctx)
	if err != nil || !ok {
		t.Fatalf("node-a acquire: %v %v", ok, err)
	}
	for _, args := range [][]string{
		{"verify", "--store", url, "--fix"},
		{"reports", "rebuild", "--store", url},
		{"reports", "threshold", "--store", url, "--seconds", "30"},
	} {
		out, err := runCmd(args...)
		if err == nil || !strings.Contains(err.Error(), "node-a") || !strings.Contains(err.Error(), "cluster is running") {
			t.Errorf("%v beside node-a: %v: %s", args, err, out)
		}
	}
	if s, _ := db.Session(ctx, ids[1]); s.Status != sb.StatusFinished {
		t.Errorf("a refused verify --fix rewrote the projection: %s", s.Status)
	}
	out, err := runCmd("verify", "--store", url)
	if err == nil || !strings.Contains(err.Error(), "1 projections differ") {
		t.Errorf("read-only verify beside node-a: %v: %s", err, out)
	}
	if out, err := runCmd("reports", "threshold", "--store", url); err != nil {
		t.Errorf("read-only reports threshold beside node-a: %v: %s", err, out)
	}

	if err := nodeA.Release(ctx, term); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd("verify", "--store", url, "--fix")
	if err != nil {
		t.Fatalf("verify --fix once node-a released the lease: %v: %s", err, out)
	}
	if rep := verifyReport(t, out); len(rep.Mismatch) != 1 || rep.Mismatch[0] != ids[1] {
		t.Errorf("verify --fix report %+v, want the mismatch of session %d", rep, ids[1])
	}
	if s, _ := db.Session(ctx, ids[1]); s.Status != victim.Status {
		t.Errorf("after verify --fix session %d is %s, want %s", ids[1], s.Status, victim.Status)
	}
	h, err := nodeA.Holder(ctx)
	if err != nil || !strings.HasPrefix(h.Node, "switchboard-cli") || h.Epoch != term.Epoch+1 || h.Expires.After(time.Now()) {
		t.Errorf("the lease after verify --fix: %+v %v, want the command's term, released", h, err)
	}
	if out, err := runCmd("reports", "rebuild", "--store", url); err != nil {
		t.Errorf("reports rebuild: %v: %s", err, out)
	}
}

// TestServeOnPostgresAndS3: serve --store postgres://… --files s3://…
// starts and is ready, keeps nothing in the data directory (no
// switchboard.db, no lock), and logs the store without its password.
func TestServeOnPostgresAndS3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server process")
	}
	bin := buildBinary(t)
	u, err := neturl.Parse(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	const password = "pg-secret-password" // the test server trusts loopback and ignores it
	u.User = neturl.UserPassword(u.User.Username(), password)
	s3, bucket := s3test.NewBucket(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	data := filepath.Join(t.TempDir(), "data")

	srv := startServer(t, bin, data, "--store", u.String(), "--files", s3.URL(bucket, "acme"))
	srv.must("GET", "/readyz", nil, 200)
	srv.must("POST", "/api/v1/queues", map[string]any{"name": "Support", "priority": 2}, 201)
	if strings.Contains(srv.startLog, password) || !strings.Contains(srv.startLog, "postgres://postgres:xxxxx@") {
		t.Errorf("the start log does not show the store with its password redacted:\n%s", srv.startLog)
	}
	dbPath, _ := app.DataPaths(data)
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Errorf("serve on PostgreSQL and S3 made %s: %v", dbPath, err)
	}
	stop(t, srv)
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("serve on PostgreSQL and S3 made the data directory: %v", err)
	}
}
