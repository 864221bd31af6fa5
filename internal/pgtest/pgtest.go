// Package pgtest gives tests a real PostgreSQL server of their own: it
// finds the server binaries on the machine, creates a throwaway cluster
// with initdb in a temporary directory, starts it on a loopback port and
// hands each test a new, empty database in it.
//
// Where PostgreSQL is not installed the tests skip with a message saying
// so; under CI=true a missing server is a failure, so that CI never passes
// by skipping. Call Main from TestMain so that the server stops with the
// test binary.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running throwaway PostgreSQL cluster.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	// admin is the URL of the cluster's postgres database, for creating
	// the tests' databases.
	admin string
	dbs   atomic.Int64

	stopMu  sync.Mutex
	stopped bool
}

var (
	once   sync.Once
	shared *Server
	err0   error
)

// Main runs the tests and then stops the server, if one was started.
func Main(m interface{ Run() int }) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// StopShared stops the shared server, if one was started: for a TestMain
// that uses more than one kind of server.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// New returns the URL of a new, empty database on the shared server,
// starting the server on first use. It skips the test when PostgreSQL is
// not installed, unless CI=true.
func New(t testing.TB) string {
	t.Helper()
	once.Do(func() { shared, err0 = Start() })
	if err0 != nil {
		if errors.Is(err0, ErrNotInstalled) && os.Getenv("CI") != "true" {
			t.Skipf("PostgreSQL tests skipped: %v", err0)
		}
		t.Fatalf("PostgreSQL: %v", err0)
	}
	url, err := shared.NewDatabase(context.Background())
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	return url
}

// ErrNotInstalled says the machine has no PostgreSQL server binaries.
var ErrNotInstalled = errors.New("no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin")

// binDir finds the directory of initdb and postgres: $PG_BIN, then PATH,
// then the newest /usr/lib/postgresql/N/bin.
func binDir() (string, error) {
	if d := os.Getenv("PG_BIN"); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start creates and starts a new cluster. PostgreSQL refuses to run as
// root; as root, the cluster is the postgres user's (as the Debian
// package creates it), run through runuser.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "switchboard-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	var as []string // the command prefix that runs as the cluster's owner
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	run := func(name string, args ...string) *exec.Cmd {
		all := append(append(as[1:len(as):len(as)], filepath.Join(bin, name)), args...)
		if len(as) == 0 {
			return exec.Command(filepath.Join(bin, name), args...)
		}
		return exec.Command(as[0], all...)
	}
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.port = port
	// Loopback only, the socket in the cluster's own directory; fsync off
	// because a test cluster is thrown away (tests of crashes stop the
	// server themselves and do not need the machine's crash safety).
	s.cmd = run("postgres", "-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=64MB")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s.admin = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := s.wait(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		s.Stop()
		return nil, fmt.Errorf("postgres did not start: %w\n%s", err, log)
	}
	return s, nil
}

// wait polls until the server accepts connections.
func (s *Server) wait(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, s.admin)
		cancel()
		if err == nil {
			return c.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return err
		}
		if s.cmd.ProcessState != nil {
			return errors.New("the server exited")
		}
		time.Sleep(50 * time.Millisecond) // polling a real process's start, not test logic
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URL returns the URL of database name on the server.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Port is the server's loopback port.
func (s *Server) Port() int { return s.port }

// NewDatabase creates a new, empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.dbs.Add(1))
	c, err := pgx.Connect(ctx, s.admin)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return s.URL(name), nil
}

// Stop stops the server and removes its files. It may be called again.
func (s *Server) Stop() {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil && !s.stopped {
		s.stopped = true
		// SIGINT is PostgreSQL's fast shutdown; the process group takes
		// runuser and the server's children with it.
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	os.RemoveAll(s.dir)
}
