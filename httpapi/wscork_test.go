package httpapi

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// recordingConn is a socket that records each write and its deadline.
type recordingConn struct {
	net.Conn
	writes   [][]byte
	deadline time.Time
	fail     error
}

func (c *recordingConn) Write(p []byte) (int, error) {
	if c.fail != nil {
		return 0, c.fail
	}
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *recordingConn) SetWriteDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// Corked, frames collect and go out in one write with a deadline;
// uncorked, writes pass through at once with none; a corked batch past
// the limit is written as it grows; a failed write is reported.
func TestCorkWriterWritesABatchOnce(t *testing.T) {
	conn := &recordingConn{}
	w := &corkWriter{conn: conn}
	if _, err := w.Write([]byte("a")); err != nil || len(conn.writes) != 1 {
		t.Fatalf("uncorked write: %d writes, %v", len(conn.writes), err)
	}
	if err := w.cork(); err != nil {
		t.Fatal(err)
	}
	if !conn.deadline.After(time.Now()) {
		t.Errorf("corked without a write deadline: %v", conn.deadline)
	}
	for _, s := range []string{"b", "c", "d"} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if len(conn.writes) != 1 {
		t.Fatalf("corked frames were written: %q", conn.writes)
	}
	if err := w.uncork(); err != nil {
		t.Fatal(err)
	}
	if len(conn.writes) != 2 || string(conn.writes[1]) != "bcd" || !conn.deadline.IsZero() {
		t.Fatalf("after uncork: writes %q, deadline %v; want one write of bcd and no deadline", conn.writes, conn.deadline)
	}
	if err := w.uncork(); err != nil || len(conn.writes) != 2 {
		t.Fatalf("an empty uncork wrote: %q, %v", conn.writes, err)
	}

	big := strings.Repeat("x", corkLimit-10)
	w.cork()
	w.Write([]byte(big))
	w.Write([]byte(strings.Repeat("y", 20)))
	if len(conn.writes) != 3 || string(conn.writes[2]) != big {
		t.Fatalf("past the limit: %d writes", len(conn.writes))
	}
	w.uncork()
	if len(conn.writes) != 4 || len(conn.writes[3]) != 20 {
		t.Fatalf("the rest: %d writes", len(conn.writes))
	}

	conn.fail = errors.New("broken pipe")
	w.cork()
	if _, err := w.Write([]byte("z")); err != nil {
		t.Fatalf("a corked write failed early: %v", err)
	}
	if err := w.uncork(); err == nil {
		t.Fatal("uncork hid a failed write")
	}
}
