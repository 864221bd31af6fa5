package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

type connsResult struct {
	Conns        int     `json:"conns"`
	Held         int     `json:"held"`
	OpenSeconds  float64 `json:"open_seconds"`
	HeapPerConn  int64   `json:"heap_bytes_per_conn"`
	StackPerConn int64   `json:"stack_bytes_per_conn"`
	RSSPerConn   int64   `json:"rss_bytes_per_conn"`
	HeapBefore   int64   `json:"heap_before"`
	HeapAfter    int64   `json:"heap_after"`
	RSSBefore    int64   `json:"rss_before"`
	RSSAfter     int64   `json:"rss_after"`
	FirstError   string  `json:"first_error,omitempty"`
	DialErrors   int64   `json:"dial_errors"`
}

// runConns opens o.conns connections, each subscribed to one of o.sessions
// sessions, pings every one, and reports the server's memory per
// connection.
func runConns(o options) error {
	if err := checkLoopback(o.addr); err != nil {
		return err
	}
	a := &api{Base: "http://" + o.addr, Token: o.token, HTTP: &http.Client{Timeout: 30 * time.Second}}
	token, ids, seqs, err := setup(a, o.sessions)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	time.Sleep(time.Second)
	heap0, stack0, rss0, err := serverMemory(o)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conns := make([]*websocket.Conn, o.conns)
	pongs := make(chan int, o.conns)
	var dialErrs atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
			c, err := dial(dctx, o.addr, token)
			dcancel()
			if err != nil {
				dialErrs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			if len(ids) > 0 {
				k := i % len(ids)
				sub, _ := json.Marshal(map[string]any{"op": "subscribe", "session_id": ids[k], "after_seq": seqs[k]})
				if err := c.Write(ctx, websocket.MessageText, sub); err != nil {
					dialErrs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					return
				}
			}
			conns[i] = c
			go func() { // the client reads every frame, as a widget would
				for {
					_, b, err := c.Read(ctx)
					if err != nil {
						if ctx.Err() == nil {
							dialErrs.Add(1)
							firstErr.CompareAndSwap(nil, "read: "+err.Error())
						}
						return
					}
					var f frame
					if json.Unmarshal(b, &f) == nil && f.Op == "error" {
						firstErr.CompareAndSwap(nil, string(b))
					}
					if json.Unmarshal(b, &f) == nil && f.Op == "pong" {
						pongs <- i
					}
				}
			}()
		}()
	}
	wg.Wait()
	opened := time.Since(start)
	time.Sleep(2 * time.Second) // let subscriptions settle
	heap1, stack1, rss1, err := serverMemory(o)
	if err != nil {
		return err
	}
	// Every connection must still answer.
	sent := 0
	for _, c := range conns {
		if c != nil && c.Write(ctx, websocket.MessageText, []byte(`{"op":"ping"}`)) == nil {
			sent++
		}
	}
	held := 0
	timeout := time.After(30 * time.Second)
wait:
	for held < sent {
		select {
		case <-pongs:
			held++
		case <-timeout:
			break wait
		}
	}
	r := connsResult{Conns: o.conns, Held: held, OpenSeconds: opened.Seconds(), DialErrors: dialErrs.Load(),
		HeapBefore: heap0, HeapAfter: heap1, RSSBefore: rss0, RSSAfter: rss1}
	if held > 0 {
		r.HeapPerConn = (heap1 - heap0) / int64(held)
		r.StackPerConn = (stack1 - stack0) / int64(held)
		r.RSSPerConn = (rss1 - rss0) / int64(held)
	}
	if v := firstErr.Load(); v != nil {
		r.FirstError = v.(string)
	}
	time.Sleep(o.hold)
	for _, c := range conns {
		if c != nil {
			c.CloseNow()
		}
	}
	if o.json {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return nil
	}
	fmt.Printf("connections %d opened in %.1f s, %d answer a ping, %d dial errors\n", r.Conns, r.OpenSeconds, r.Held, r.DialErrors)
	fmt.Printf("server per connection: heap %d B, goroutine stacks %d B, heap+stacks %d B, resident set %d B\n",
		r.HeapPerConn, r.StackPerConn, r.HeapPerConn+r.StackPerConn, r.RSSPerConn)
	if r.FirstError != "" {
		fmt.Println("first error:", r.FirstError)
	}
	return nil
}
