package main

import (
	"bufio"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client that trickles its headers is cut off once the header timeout
// passes. The limit is short: network deadlines are wall-clock.
func TestSlowHeadersAreCutOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpServer(http.NotFoundHandler(), 200*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second)) // far past the limit
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: switchboard\r\n")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte("X")); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	_, err = io.ReadAll(bufio.NewReader(conn))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still waits for the headers after %v", time.Since(start))
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cut off after %v, the limit is 200ms", took)
	}
}

func TestLimitFlags(t *testing.T) {
	parse := func(args ...string) (*limits, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		l := addLimitFlags(fs)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return l, l.check()
	}
	l, err := parse()
	if err != nil || l.header != DefaultHeaderTimeout || l.body != 30*time.Second || l.upload != 10*time.Minute ||
		l.streamWrite != 30*time.Second || l.chats.PerVisitor != 5 || l.chats.PerAddress != 20 || l.chats.PerPlugin != 1000 ||
		l.chats.Window != 10*time.Minute {
		t.Errorf("defaults %+v, %v", l, err)
	}
	t.Setenv("SWITCHBOARD_BODY_TIMEOUT", "5s")
	if l, err := parse("--chats-per-address", "3"); err != nil || l.body != 5*time.Second || l.chats.PerAddress != 3 {
		t.Errorf("from the environment and flags: %+v, %v", l, err)
	}
	for _, args := range [][]string{{"--body-timeout", "0s"}, {"--chats-per-plugin", "0"}, {"--chat-window", "-1m"}} {
		if _, err := parse(args...); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[0], "--")) {
			t.Errorf("%v: %v, want a refusal naming the flag", args, err)
		}
	}
	t.Setenv("SWITCHBOARD_UPLOAD_TIMEOUT", "soon")
	if _, err := parse(); err == nil {
		t.Error("an upload timeout that is no duration was accepted")
	}
}
