package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

type latencyResult struct {
	Rate       int     `json:"rate"`
	Seconds    float64 `json:"seconds"`
	Sent       int64   `json:"sent"`
	Received   int     `json:"received"`
	Errors     int64   `json:"errors"`
	PerSecond  float64 `json:"messages_per_second"`
	P50Millis  float64 `json:"p50_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	EchoP50    float64 `json:"echo_p50_ms"`
	EchoP99    float64 `json:"echo_p99_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

// runLatency sends o.rate messages a second from visitor connections to
// o.sessions chats and times each until the agent's connection has it.
func runLatency(o options) error {
	if err := checkLoopback(o.addr); err != nil {
		return err
	}
	a := &api{Base: "http://" + o.addr, Token: o.token, HTTP: &http.Client{Timeout: 30 * time.Second}}
	agentToken, ids, seqs, err := setup(a, o.sessions)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	itok, err := a.Do("POST", "/api/v1/tokens", map[string]any{"name": "load visitors", "role": "integration"})
	if err != nil {
		return err
	}
	visitorToken := itok["secret"].(string)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	start := time.Now()
	measureFrom, stop := start.Add(o.warmup), start.Add(o.warmup+o.duration)
	var mu sync.Mutex
	var lat, echo []time.Duration
	record := func(dst *[]time.Duration, sentAt int64) {
		now := time.Now()
		if time.Unix(0, sentAt).Before(measureFrom) || time.Unix(0, sentAt).After(stop) {
			return
		}
		mu.Lock()
		*dst = append(*dst, now.Sub(time.Unix(0, sentAt)))
		mu.Unlock()
	}

	// Agents: each follows its share of the sessions.
	var ready sync.WaitGroup
	for g := 0; g < o.agents; g++ {
		c, err := dial(ctx, o.addr, agentToken)
		if err != nil {
			return fmt.Errorf("agent connection: %w", err)
		}
		defer c.CloseNow()
		n := 0
		for k := g; k < len(ids); k += o.agents {
			b, _ := json.Marshal(map[string]any{"op": "subscribe", "session_id": ids[k], "after_seq": seqs[k]})
			if err := c.Write(ctx, websocket.MessageText, b); err != nil {
				return err
			}
			n++
		}
		ready.Add(1)
		go func() {
			subscribed := 0
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					if subscribed < n {
						ready.Done()
					}
					return
				}
				var f frame
				if json.Unmarshal(b, &f) != nil {
					continue
				}
				switch f.Op {
				case "subscribed":
					if subscribed++; subscribed == n {
						ready.Done()
					}
				case "event":
					var e struct {
						Type string `json:"type"`
						Data struct {
							From string `json:"from"`
							Text string `json:"text"`
						} `json:"data"`
					}
					if json.Unmarshal(f.Event, &e) == nil && e.Type == "message_sent" && e.Data.From == "end_user" {
						if v, ok := strings.CutPrefix(e.Data.Text, "t:"); ok {
							if ns, err := strconv.ParseInt(v, 10, 64); err == nil {
								record(&lat, ns)
							}
						}
					}
				}
			}
		}()
	}
	ready.Wait()

	// Visitors: each sends to its share of the sessions at its share of the rate.
	var sent, errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) * float64(o.visitors) / float64(o.rate))
	for v := 0; v < o.visitors; v++ {
		c, err := dial(ctx, o.addr, visitorToken)
		if err != nil {
			return fmt.Errorf("visitor connection: %w", err)
		}
		defer c.CloseNow()
		var mine []int64
		for k := v % len(ids); k < len(ids); k += o.visitors {
			mine = append(mine, ids[k])
		}
		if len(mine) == 0 {
			mine = []int64{ids[v%len(ids)]}
		}
		go func() {
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return
				}
				// Results carry the whole session: look at the op only, so
				// that the tool leaves the CPU to the server.
				if bytes.HasPrefix(b, []byte(`{"op":"error"`)) {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, string(b))
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the senders over the interval, then keep a fixed pace.
			next := time.Now().Add(interval * time.Duration(v) / time.Duration(o.visitors))
			for i := 0; ; i++ {
				time.Sleep(time.Until(next))
				if time.Now().After(stop) {
					return
				}
				now := time.Now().UnixNano()
				b := fmt.Appendf(nil, `{"op":"command","session_id":%d,"command":"message","body":{"from":"end_user","text":"t:%d"}}`, mine[i%len(mine)], now)
				if err := c.Write(ctx, websocket.MessageText, b); err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
				if time.Unix(0, now).After(measureFrom) {
					sent.Add(1)
				}
				next = next.Add(interval)
			}
		}()
	}

	// The ceiling: ping/pong round trips on a connection of its own.
	ec, err := dial(ctx, o.addr, visitorToken)
	if err != nil {
		return err
	}
	defer ec.CloseNow()
	go func() {
		for {
			_, b, err := ec.Read(ctx)
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(b, &f) == nil && f.Op == "pong" {
				if ns, err := strconv.ParseInt(f.Ref, 10, 64); err == nil {
					record(&echo, ns)
				}
			}
		}
	}()
	go func() {
		for t := time.NewTicker(5 * time.Millisecond); time.Now().Before(stop); <-t.C {
			ec.Write(ctx, websocket.MessageText, fmt.Appendf(nil, `{"op":"ping","ref":"%d"}`, time.Now().UnixNano()))
		}
	}()
	wg.Wait()
	time.Sleep(time.Second) // the last messages arrive
	mu.Lock()
	defer mu.Unlock()
	return report(o, sent.Load(), errs.Load(), lat, echo, &firstErr, [3]string{
		fmt.Sprintf("rate %d/s for %.0f s: %%d sent, %%d received by the agent (%%.0f/s), %%d errors", o.rate, o.duration.Seconds()),
		"visitor send -> agent receipt", "ping -> pong on the same server (ceiling)"})
}

// report prints the result of a latency run, as JSON with o.json: lat
// are the send-to-receipt latencies, echo those of the ceiling's round
// trips, and say the run's summary line (taking sent, received, their rate
// and errors) and the two latencies' names.
func report(o options, sent, errs int64, lat, echo []time.Duration, firstErr *atomic.Value, say [3]string) error {
	r := latencyResult{Rate: o.rate, Seconds: o.duration.Seconds(), Sent: sent, Received: len(lat), Errors: errs,
		PerSecond: float64(len(lat)) / o.duration.Seconds(), P50Millis: percentileMS(lat, 0.5), P99Millis: percentileMS(lat, 0.99), MaxMillis: percentileMS(lat, 1),
		EchoP50: percentileMS(echo, 0.5), EchoP99: percentileMS(echo, 0.99)}
	if v := firstErr.Load(); v != nil {
		r.FirstError = v.(string)
	}
	if o.json {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return nil
	}
	fmt.Printf(say[0]+"\n", r.Sent, r.Received, r.PerSecond, r.Errors)
	fmt.Printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", say[1], r.P50Millis, r.P99Millis, r.MaxMillis)
	fmt.Printf("%s: p50 %.2f ms, p99 %.2f ms\n", say[2], r.EchoP50, r.EchoP99)
	if r.FirstError != "" {
		fmt.Println("first error:", r.FirstError)
	}
	return nil
}

// percentileMS sorts d and returns its p-th quantile (0 to 1) in
// milliseconds, 0 for none.
func percentileMS(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return float64(d[int(p*float64(len(d)-1))].Microseconds()) / 1000
}
