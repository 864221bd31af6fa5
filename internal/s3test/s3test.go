// Package s3test gives tests a real S3 server of their own: versitygw
// (github.com/versity/versitygw) with its POSIX backend in a temporary
// directory, listening on a loopback port, and a new bucket for each test
// that asks.
//
// The server binary is built once per machine with go install into the
// cache directory $SWITCHBOARD_TEST_BIN (default: the user's cache
// directory's switchboard-test-bin), where .ci/run builds it too. Where it
// cannot be built or started the tests skip with a message saying so;
// under CI=true that is a failure, so that CI never passes by skipping.
// Call Main from TestMain so that the server stops with the test binary.
package s3test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Version is the versitygw release the tests run.
const Version = "v1.8.0"

// Module is the package path of versitygw's command.
const Module = "github.com/versity/versitygw/cmd/versitygw"

// The root account of the server.
const (
	AccessKey = "switchboard-test"
	SecretKey = "switchboard-test-secret"
	Region    = "us-east-1"
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's URL, http://127.0.0.1:PORT.
	Endpoint string
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
	buckets  atomic.Int64

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

// ErrUnavailable wraps the reasons the server could not be had: the
// binary could not be built, or did not start.
var ErrUnavailable = errors.New("no versitygw server")

// Shared returns the shared server, starting it on first use. It skips
// the test when the server cannot be built or started, unless CI=true.
func Shared(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, err0 = Start() })
	if err0 != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("S3 tests skipped: %v", err0)
		}
		t.Fatalf("S3: %v", err0)
	}
	return shared
}

// NewBucket returns the name of a new, empty bucket on the shared server,
// starting it on first use (see Shared).
func NewBucket(t testing.TB) (*Server, string) {
	t.Helper()
	s := Shared(t)
	name, err := s.CreateBucket(context.Background())
	if err != nil {
		t.Fatalf("S3: %v", err)
	}
	return s, name
}

// CacheDir is where the server binary is built: $SWITCHBOARD_TEST_BIN,
// else the user's cache directory's switchboard-test-bin.
func CacheDir() (string, error) {
	if d := os.Getenv("SWITCHBOARD_TEST_BIN"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "switchboard-test-bin"), nil
}

// Binary returns the path of the versitygw binary, building it with go
// install into CacheDir()/versitygw-VERSION when it is not there yet.
// The build needs only the Go module proxy (or a warm module cache).
func Binary() (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no cache directory to build it in: %v", ErrUnavailable, err)
	}
	bindir := filepath.Join(cache, "versitygw-"+Version)
	bin := filepath.Join(bindir, "versitygw")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	gocmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("%w: %s is not built and there is no go command to build it: %v", ErrUnavailable, bin, err)
	}
	if err := os.MkdirAll(bindir, 0o755); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	cmd := exec.Command(gocmd, "install", Module+"@"+Version)
	// Outside any module, so that the build uses versitygw's own
	// requirements and not the project's.
	cmd.Dir = bindir
	cmd.Env = append(os.Environ(), "GOBIN="+bindir, "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w: go install %s@%s: %v\n%s", ErrUnavailable, Module, Version, err, out)
	}
	return bin, nil
}

// Start builds the binary if needed and starts a server on a free
// loopback port, its buckets in a new temporary directory.
func Start() (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "switchboard-s3-")
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &Server{Endpoint: "http://" + addr, dir: dir, exited: make(chan struct{})}
	// Root credentials given as flags, no IAM service (one account), and
	// the POSIX backend: buckets are directories under root, object
	// metadata in extended attributes.
	s.cmd = exec.Command(bin,
		"--port", addr,
		"--access", AccessKey, "--secret", SecretKey,
		"--region", Region,
		"--health", "/health",
		"posix", root)
	s.cmd.Dir = dir
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The server's environment holds no credentials of the caller's.
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: start %s: %v", ErrUnavailable, bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	if err := s.wait(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		s.Stop()
		return nil, fmt.Errorf("%w: versitygw did not start: %v\n%s", ErrUnavailable, err, log)
	}
	return s, nil
}

// wait polls the health endpoint until the server answers.
func (s *Server) wait(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.Endpoint + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("health check: %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-s.exited:
			return errors.New("the server exited")
		case <-time.After(50 * time.Millisecond): // polling a real process's start, not test logic
		}
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

// Client returns a client of the server with the root credentials.
func (s *Server) Client() (*minio.Client, error) {
	return minio.New(s.Endpoint[len("http://"):], &minio.Options{
		Creds:        credentials.NewStaticV4(AccessKey, SecretKey, ""),
		Region:       Region,
		BucketLookup: minio.BucketLookupPath,
	})
}

// CreateBucket creates a new, empty bucket and returns its name.
func (s *Server) CreateBucket(ctx context.Context) (string, error) {
	c, err := s.Client()
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("test-%d-%d", os.Getpid(), s.buckets.Add(1))
	if err := c.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: Region}); err != nil {
		return "", fmt.Errorf("create bucket %s: %w", name, err)
	}
	return name, nil
}

// URL returns the storage URL of bucket and prefix on the server, as an
// operator writes it.
func (s *Server) URL(bucket, prefix string) string {
	return "s3://" + bucket + "/" + prefix + "?endpoint=" + s.Endpoint + "&region=" + Region
}

// Stop stops the server and removes its files. It may be called again.
func (s *Server) Stop() {
	s.stopMu.Lock()
	defer s.stopMu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil && !s.stopped {
		s.stopped = true
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}
