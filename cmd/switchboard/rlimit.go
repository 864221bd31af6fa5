//go:build unix

package main

import (
	"log/slog"
	"syscall"
)

// raiseFileLimit lets the server hold as many connections as the system
// allows: each WebSocket or stream is an open file. It raises the soft
// limit on open files to the hard one, and the hard one too when the
// process may (as root).
func raiseFileLimit(log *slog.Logger) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		log.Warn("read the open-file limit", "err", err)
		return
	}
	const want = 1 << 20
	if l.Max < want {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: want, Max: want}); err == nil {
			log.Debug("open-file limit raised", "limit", want)
			return
		}
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			log.Warn("raise the open-file limit", "err", err)
			return
		}
	}
	log.Debug("open-file limit", "limit", l.Cur)
}
