//go:build !unix

package main

import "log/slog"

// raiseFileLimit does nothing where open files have no such limit.
func raiseFileLimit(*slog.Logger) {}
