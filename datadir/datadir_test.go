package datadir_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/datadir"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestASecondLockIsRefusedWithTheHoldersPID(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	l, err := datadir.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, datadir.LockName))
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Fatalf("lock file holds %q (%v), want the PID %d", b, err, os.Getpid())
	}
	// flock excludes a second open file even within one process.
	_, err = datadir.Acquire(dir)
	if !datadir.IsInUse(err) || !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second lock: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := datadir.Acquire(dir)
	if err != nil {
		t.Fatalf("the lock is not free after its release: %v", err)
	}
	l2.Release()
}

func TestTheDirectoryAndLockFileArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // whatever the umask
	l, err := datadir.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if m := mode(t, dir); m != datadir.DirMode {
		t.Errorf("data directory mode %o, want %o", m, datadir.DirMode)
	}
	if m := mode(t, filepath.Join(dir, datadir.LockName)); m != datadir.FileMode {
		t.Errorf("lock file mode %o, want %o", m, datadir.FileMode)
	}
	fresh := filepath.Join(t.TempDir(), "a", "b")
	if err := datadir.Prepare(fresh); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, fresh); m != datadir.DirMode {
		t.Errorf("new data directory mode %o, want %o", m, datadir.DirMode)
	}
}
