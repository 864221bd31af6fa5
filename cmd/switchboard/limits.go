package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/httpapi"
)

// DefaultHeaderTimeout is how long a client may take to send a request's
// headers.
const DefaultHeaderTimeout = 10 * time.Second

// limits are the serve flags that bound what clients may hold and do.
type limits struct {
	header, body, upload, streamWrite time.Duration
	chats                             httpapi.ChatLimits
}

// addLimitFlags defines the limit flags on fs, with their environment
// variables as defaults.
func addLimitFlags(fs *flag.FlagSet) *limits {
	l := &limits{}
	fs.DurationVar(&l.header, "header-timeout", envDuration("SWITCHBOARD_HEADER_TIMEOUT", DefaultHeaderTimeout), "how long a client may take to send a request's headers (env SWITCHBOARD_HEADER_TIMEOUT)")
	fs.DurationVar(&l.body, "body-timeout", envDuration("SWITCHBOARD_BODY_TIMEOUT", httpapi.DefaultBodyTimeout), "how long a request body may take to arrive after its headers (env SWITCHBOARD_BODY_TIMEOUT)")
	fs.DurationVar(&l.upload, "upload-timeout", envDuration("SWITCHBOARD_UPLOAD_TIMEOUT", httpapi.DefaultUploadTimeout), "the same for an attachment upload (env SWITCHBOARD_UPLOAD_TIMEOUT)")
	fs.DurationVar(&l.streamWrite, "stream-write-timeout", envDuration("SWITCHBOARD_STREAM_WRITE_TIMEOUT", httpapi.DefaultStreamWriteTimeout), "how long each write of an event stream may take to reach the client (env SWITCHBOARD_STREAM_WRITE_TIMEOUT)")
	d := httpapi.DefaultChatLimits
	fs.IntVar(&l.chats.PerVisitor, "chats-per-visitor", envInt("SWITCHBOARD_CHATS_PER_VISITOR", d.PerVisitor), "chats one visitor may start per chat window (env SWITCHBOARD_CHATS_PER_VISITOR)")
	fs.IntVar(&l.chats.PerAddress, "chats-per-address", envInt("SWITCHBOARD_CHATS_PER_ADDRESS", d.PerAddress), "chats visitors may start from one client address per chat window (env SWITCHBOARD_CHATS_PER_ADDRESS)")
	fs.IntVar(&l.chats.PerPlugin, "chats-per-plugin", envInt("SWITCHBOARD_CHATS_PER_PLUGIN", d.PerPlugin), "chats visitors may start through one web plugin per chat window (env SWITCHBOARD_CHATS_PER_PLUGIN)")
	fs.DurationVar(&l.chats.Window, "chat-window", envDuration("SWITCHBOARD_CHAT_WINDOW", d.Window), "the window of the chat limits (env SWITCHBOARD_CHAT_WINDOW)")
	return l
}

// check refuses limits that are not positive.
func (l *limits) check() error {
	for name, d := range map[string]time.Duration{"header-timeout": l.header, "body-timeout": l.body,
		"upload-timeout": l.upload, "stream-write-timeout": l.streamWrite, "chat-window": l.chats.Window} {
		if d <= 0 {
			return fmt.Errorf("%s must be a positive duration such as 30s", name)
		}
	}
	if l.chats.PerVisitor < 1 || l.chats.PerAddress < 1 || l.chats.PerPlugin < 1 {
		return fmt.Errorf("chats-per-visitor, chats-per-address and chats-per-plugin must be at least 1")
	}
	return nil
}

// httpServer serves h. Headers must arrive within headerTimeout; bodies
// and streams are bounded by the API itself (httpapi.Config), per request,
// so that the long-lived streams are not cut off by a server-wide timeout.
func httpServer(h http.Handler, headerTimeout time.Duration, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: headerTimeout, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

// envInt is the integer in the environment variable name, def when it is
// unset, and -1, which the checks refuse, when it is no integer.
func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	return def
}

// envDuration is the duration in the environment variable name, def when
// it is unset, and -1, which the checks refuse, when it is no duration.
func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return -1
		}
		return d
	}
	return def
}
