package httpapi

import (
	"net"
	"sync"
	"time"
)

// corkLimit is the most a corked connection collects before it writes.
const corkLimit = 64 << 10

// corkBufs holds the buffers of corked connections, so that an idle
// connection keeps none.
var corkBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// corkWriter sits between a WebSocket connection's write buffer and its
// socket. Uncorked, it passes writes through. Corked — while the
// connection's writer sends a batch of frames — it collects what the
// library writes, and uncork sends it in one write: a batch of frames
// costs one system call rather than one per frame. Frames written by
// other goroutines meanwhile (the library's pings, pongs and close frames)
// keep their place in the byte stream.
type corkWriter struct {
	conn net.Conn

	// wmu orders interrupt with the start and end of socket writes: an
	// interrupt fails the write under way only, never a later one (the
	// close frame that follows it).
	wmu         sync.Mutex
	writing     bool // a write to the socket is under way
	interrupted bool // its deadline was moved to the past

	mu     sync.Mutex
	corked bool
	buf    *[]byte // from corkBufs, while corked and written to
}

// Write implements io.Writer.
func (w *corkWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.corked || len(p) > corkLimit {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
		return w.write(p)
	}
	if w.buf != nil && len(*w.buf)+len(p) > corkLimit {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	if w.buf == nil {
		w.buf = corkBufs.Get().(*[]byte)
	}
	*w.buf = append(*w.buf, p...)
	return len(p), nil
}

func (w *corkWriter) write(p []byte) (int, error) {
	w.wmu.Lock()
	w.writing = true
	w.wmu.Unlock()
	n, err := w.conn.Write(p)
	w.wmu.Lock()
	w.writing = false
	if w.interrupted {
		// The interrupt was for this write: the next ones (the close
		// frame) have their own deadlines.
		w.interrupted = false
		if derr := w.conn.SetWriteDeadline(time.Time{}); err == nil && derr != nil {
			err = derr
		}
	}
	w.wmu.Unlock()
	return n, err
}

// cork starts collecting writes. The socket writes until uncork must be
// done within wsWriteTimeout.
func (w *corkWriter) cork() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.corked = true
	return w.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
}

// uncork writes what was collected and passes writes through again.
func (w *corkWriter) uncork() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.flushLocked()
	w.corked = false
	if e := w.conn.SetWriteDeadline(time.Time{}); err == nil {
		err = e
	}
	return err
}

func (w *corkWriter) flushLocked() error {
	if w.buf == nil {
		return nil
	}
	var err error
	if b := *w.buf; len(b) > 0 {
		_, err = w.write(b)
	}
	*w.buf = (*w.buf)[:0]
	if cap(*w.buf) <= corkLimit {
		corkBufs.Put(w.buf)
	}
	w.buf = nil
	return err
}

// interrupt makes a socket write under way fail at once: the connection
// is being closed.
func (w *corkWriter) interrupt() {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.writing {
		w.interrupted = true
		_ = w.conn.SetWriteDeadline(time.Unix(1, 0))
	}
}
