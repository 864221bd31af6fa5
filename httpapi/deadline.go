package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Defaults of the network deadlines (see Config).
const (
	DefaultBodyTimeout        = 30 * time.Second
	DefaultUploadTimeout      = 10 * time.Minute
	DefaultStreamWriteTimeout = 30 * time.Second
)

// The network deadlines are set on the connection, which keeps time by
// the wall clock: they alone read it, never the logic.
func wallDeadline(d time.Duration) time.Time { return time.Now().Add(d) }

// limitBody gives the body of r, if it has one, until BodyTimeout
// (UploadTimeout on the upload route) to arrive in full; a body that
// arrives too slowly fails its read with ETIMEOUT, and the connection is
// closed after the answer. Requests without a body get no read deadline:
// net/http then watches the connection for the client going away, as
// long-lived streams need.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, pattern string) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return
	}
	limit := s.BodyTimeout
	if pattern == uploadRoute {
		limit = s.UploadTimeout
	}
	if err := http.NewResponseController(w).SetReadDeadline(wallDeadline(limit)); err != nil {
		return // a writer without deadlines (tests' recorders)
	}
	r.Body = timedBody{ReadCloser: r.Body, limit: limit}
}

// timedBody turns a read past the body's deadline into ETIMEOUT.
type timedBody struct {
	io.ReadCloser
	limit time.Duration
}

func (b timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = sb.Errorf(sb.ETIMEOUT, "the request body did not arrive within %s", b.limit)
	}
	return n, err
}

// streamWriter writes an event stream, giving each write and flush until
// StreamWriteTimeout to reach the client: a stream lives as long as its
// client keeps reading, and one that stops is cut off.
type streamWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	limit time.Duration
}

func (s *Server) streamWriter(w http.ResponseWriter) *streamWriter {
	return &streamWriter{w: w, rc: http.NewResponseController(w), limit: s.StreamWriteTimeout}
}

func (sw *streamWriter) renew() {
	_ = sw.rc.SetWriteDeadline(wallDeadline(sw.limit)) // unsupported: no deadline
}

// Write implements io.Writer.
func (sw *streamWriter) Write(b []byte) (int, error) {
	sw.renew()
	return sw.w.Write(b)
}

// Flush sends what is buffered.
func (sw *streamWriter) Flush() error {
	sw.renew()
	return sw.rc.Flush()
}
