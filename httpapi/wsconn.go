package httpapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
)

// wsBufferSize sizes a WebSocket connection's read and write buffers. Most
// frames are well under it; larger ones are read and written past the
// buffer. net/http's own buffers (4 KiB each) would be half of what an idle
// connection costs.
const wsBufferSize = 1024

// smallBuffers hands the WebSocket library a hijacked connection with
// buffers of wsBufferSize instead of net/http's, carrying over whatever
// either of those holds. The write buffer writes through a corkWriter,
// which Hijack leaves in out.
type smallBuffers struct {
	http.ResponseWriter
	out *corkWriter
}

// Hijack implements http.Hijacker.
func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil { // the 101 answer may wait there
		conn.Close()
		return nil, nil, fmt.Errorf("flush the handshake: %w", err)
	}
	br := bufio.NewReaderSize(conn, wsBufferSize)
	if n := brw.Reader.Buffered(); n > 0 {
		// What the client sent right after its request (net/http may have
		// read a byte ahead) must be in the new buffer itself: the
		// library keeps only what is buffered when it takes the reader.
		b, _ := brw.Reader.Peek(n)
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn), max(wsBufferSize, n))
		if _, err := br.Peek(n); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("carry over buffered input: %w", err)
		}
	}
	w.out = &corkWriter{conn: conn}
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(w.out, wsBufferSize)), nil
}
