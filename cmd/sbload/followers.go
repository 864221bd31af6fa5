package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard/internal/loadclient"
)

// followers are visitors who each wait in a queue no agent serves and
// follow their queue position over Server-Sent Events
// (/api/v1/sessions/{id}/queue-position/stream) for the whole run.
type followers struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	connected atomic.Int64 // streams that sent their first position
	frames    atomic.Int64 // position frames after the first
	failed    atomic.Int64 // streams that could not start or ended early
	firstErr  atomic.Value // string
}

// followerStats is what the result reports of the followers.
type followerStats struct {
	Followers int   `json:"followers"`
	Connected int64 `json:"connected"`
	Frames    int64 `json:"frames"`
	Failed    int64 `json:"failed"`
	// ServerCPUPercent is the server's CPU time over the measured window,
	// as a share of one core (from /proc/PID/stat), with -server-pid.
	ServerCPUPercent *float64 `json:"server_cpu_percent,omitempty"`
	FirstError       string   `json:"first_follower_error,omitempty"`
}

// startFollowers creates n waiting chats in a queue of their own, with 64
// creators at a time, then opens a position stream for each and returns
// once every stream has sent its first position (or failed).
func startFollowers(c *loadclient.Client, addr string, n int) (*followers, error) {
	f := &followers{}
	if n == 0 {
		return f, nil
	}
	queue, err := c.Do(http.MethodPost, "/api/v1/queues", map[string]any{"name": fmt.Sprintf("Followers %d", time.Now().UnixNano()), "priority": 1})
	if err != nil {
		return nil, fmt.Errorf("create the followers' queue: %w", err)
	}
	ids := make([]int64, n)
	next := atomic.Int64{}
	var create sync.WaitGroup
	var createErr atomic.Value
	for range 64 {
		create.Add(1)
		go func() {
			defer create.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				out, err := c.Do(http.MethodPost, "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": queue["id"],
					"end_user": map[string]any{"name": "Waiting visitor"}})
				if err != nil {
					createErr.Store(err)
					return
				}
				ids[i] = int64(out["session"].(map[string]any)["id"].(float64))
			}
		}()
	}
	create.Wait()
	if err, ok := createErr.Load().(error); ok {
		return nil, fmt.Errorf("create a follower's chat: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	// Streams get their own connections, never shared with the commands.
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableKeepAlives: true}}
	started := make(chan struct{}, n)
	for _, id := range ids {
		f.wg.Add(1)
		go f.follow(ctx, hc, "http://"+addr, c.Token, id, started)
	}
	timeout := time.After(60 * time.Second)
	for range n {
		select {
		case <-started:
		case <-timeout:
			return f, fmt.Errorf("only %d of %d followers started within 60 s", f.connected.Load(), n)
		}
	}
	return f, nil
}

func (f *followers) fail(err error) {
	f.failed.Add(1)
	f.firstErr.CompareAndSwap(nil, err.Error())
}

// follow reads one position stream until ctx ends, counting the frames.
func (f *followers) follow(ctx context.Context, hc *http.Client, base, token string, id int64, started chan<- struct{}) {
	defer f.wg.Done()
	once := sync.OnceFunc(func() { started <- struct{}{} })
	defer once()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/sessions/"+strconv.FormatInt(id, 10)+"/queue-position/stream", nil)
	if err != nil {
		f.fail(err)
		return
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := hc.Do(req)
	if err != nil {
		f.fail(err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		f.fail(fmt.Errorf("session %d: queue-position stream: %s", id, res.Status))
		return
	}
	rd := bufio.NewReaderSize(res.Body, 512)
	first := true
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			if ctx.Err() == nil {
				f.fail(fmt.Errorf("session %d: stream ended: %w", id, err))
			}
			return
		}
		if strings.HasPrefix(line, "event: position") {
			if first {
				first = false
				f.connected.Add(1)
				once()
			} else {
				f.frames.Add(1)
			}
		}
	}
}

// stop closes every stream.
func (f *followers) stop() {
	if f.cancel != nil {
		f.cancel()
	}
	f.wg.Wait()
}

func (f *followers) stats(n int) followerStats {
	st := followerStats{Followers: n, Connected: f.connected.Load(), Frames: f.frames.Load(), Failed: f.failed.Load()}
	if s, ok := f.firstErr.Load().(string); ok {
		st.FirstError = s
	}
	return st
}

// cpuTicks reads a process's user and system time, in clock ticks, from
// /proc/PID/stat.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from after it.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %q %q", pid, fields[11], fields[12])
	}
	return utime + stime, nil
}

// clockTicks is USER_HZ, 100 on Linux.
const clockTicks = 100
