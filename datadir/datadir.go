// Package datadir owns a Switchboard data directory: it keeps the directory
// private to the user the server runs as, and locks it so that one process
// at a time writes to it.
//
// The lock is an exclusive flock(2) on the file switchboard.lock inside the
// directory, held for the life of the process that took it and released by
// the kernel when that process exits, however it exits: no stale lock
// survives a crash. The file holds the holder's process ID, so a second
// process can say which one is in its way.
package datadir

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// LockName is the lock file's name inside a data directory.
const LockName = "switchboard.lock"

// Modes of what Switchboard creates under a data directory: the store holds
// visitor-token keys, identity secrets and personal data.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// InUseError is returned by Acquire when another process holds the lock.
type InUseError struct {
	Dir string
	// PID is the holder's process ID, 0 when it has not written it yet.
	PID int
}

// Error implements the error interface.
func (e *InUseError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("data directory %s is in use by %s (a running switchboard server or command); stop it first", e.Dir, who)
}

// Lock is an exclusive lock on a data directory.
type Lock struct {
	dir string
	f   *os.File
}

// Prepare creates dir if needed and makes it private (DirMode): a
// directory created by an earlier version with wider permissions is
// narrowed, which closes everything under it to other users.
func Prepare(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if fi.Mode().Perm()&^DirMode != 0 {
		if err := os.Chmod(dir, DirMode); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	return nil
}

// Acquire prepares dir (see Prepare) and takes its lock without waiting.
// It returns an *InUseError naming the holder when another process has
// it. Keep the Lock for as long as the process uses the directory.
func Acquire(dir string) (*Lock, error) {
	if err := Prepare(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	locked, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if !locked {
		b, _ := os.ReadFile(path)
		f.Close()
		pid, _ := strconv.Atoi(string(bytes.TrimSpace(b)))
		return nil, &InUseError{Dir: dir, PID: pid}
	}
	if err := writePID(f); err != nil {
		unlock(f)
		f.Close()
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return &Lock{dir: dir, f: f}, nil
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		return err
	}
	return f.Sync()
}

// Dir returns the locked directory.
func (l *Lock) Dir() string { return l.dir }

// Release gives the lock up. The file stays (removing it would race with a
// process opening it); it is emptied so that it names no holder.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	if e := unlock(l.f); e != nil && err == nil {
		err = e
	}
	if e := l.f.Close(); e != nil && err == nil {
		err = e
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("unlock data directory: %w", err)
	}
	return nil
}

// IsInUse reports whether err says that another process holds the lock.
func IsInUse(err error) bool {
	var e *InUseError
	return errors.As(err, &e)
}
