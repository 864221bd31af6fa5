//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package datadir

import "os"

// tryLock cannot lock on this system: the lock file still records the
// process ID, but nothing keeps a second process out.
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlock(f *os.File) error { return nil }
