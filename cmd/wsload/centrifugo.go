package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Mode centrifugo measures the same thing as mode latency against a
// Centrifugo server (its JSON client protocol over WebSocket), the peer
// that keeps nothing: o.agents subscriber connections follow o.sessions
// channels between them, and o.visitors publisher connections publish to
// them at o.rate messages a second in all, open loop; latency runs from
// the publisher's send until a subscriber has the publication.
//
// The server is expected to accept connection tokens signed with
// o.secret (HMAC-SHA256) and to allow clients to subscribe and publish
// on channels without a namespace (scripts/bench-peer.sh configures it).

// centrifugoToken signs a connection token (a JWT, HS256) for user sub,
// valid until exp.
func centrifugoToken(secret, sub string, exp time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"sub": sub, "exp": exp.Unix()})
	unsigned := header + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// cfReply is one reply or push of Centrifugo's JSON protocol; a server
// may send several in one frame, one a line, and an empty object is its
// ping.
type cfReply struct {
	ID    uint32          `json:"id"`
	Error *cfError        `json:"error"`
	Push  *cfPush         `json:"push"`
	Conn  json.RawMessage `json:"connect"`
}

type cfError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type cfPush struct {
	Channel string `json:"channel"`
	Pub     *struct {
		Data json.RawMessage `json:"data"`
	} `json:"pub"`
}

// cfPayload is what the publishers send: the send time, in nanoseconds.
type cfPayload struct {
	T int64 `json:"t"`
}

// splitReplies calls fn for each reply in a frame, stopping at the first
// error fn returns.
func splitReplies(frame []byte, fn func(cfReply) error) error {
	for len(frame) > 0 {
		line := frame
		if i := bytes.IndexByte(frame, '\n'); i >= 0 {
			line, frame = frame[:i], frame[i+1:]
		} else {
			frame = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r cfReply
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("reply %q: %w", line, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// cfConn is a connected Centrifugo client.
type cfConn struct {
	c    *websocket.Conn
	next atomic.Uint32 // command ids
	wmu  sync.Mutex
}

// cfDial opens a WebSocket to addr and sends the connect command; the
// caller reads the replies (the first is the connect's).
func cfDial(ctx context.Context, addr, token string) (*cfConn, error) {
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/connection/websocket", nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	c.SetReadLimit(1 << 20)
	cc := &cfConn{c: c}
	if err := cc.send(ctx, "connect", map[string]any{"token": token, "name": "wsload"}); err != nil {
		c.CloseNow()
		return nil, err
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		c.CloseNow()
		return nil, fmt.Errorf("connect: %w", err)
	}
	err = splitReplies(b, func(r cfReply) error {
		if r.Error != nil {
			return fmt.Errorf("connect: %d %s", r.Error.Code, r.Error.Message)
		}
		return nil
	})
	if err != nil {
		c.CloseNow()
		return nil, err
	}
	return cc, nil
}

// send writes one command, {"id":N,"<method>":params}.
func (cc *cfConn) send(ctx context.Context, method string, params any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	b := fmt.Appendf(nil, `{"id":%d,%q:%s}`, cc.next.Add(1), method, p)
	return cc.write(ctx, b)
}

func (cc *cfConn) write(ctx context.Context, b []byte) error {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	if err := cc.c.Write(ctx, websocket.MessageText, b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// runCentrifugo publishes o.rate messages a second to o.sessions channels
// and times each until a subscriber has it.
func runCentrifugo(o options) error {
	if err := checkLoopback(o.addr); err != nil {
		return err
	}
	if o.secret == "" {
		return fmt.Errorf("-hmac-secret is required: the token secret the server is configured with")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	channel := func(k int) string { return "chat" + strconv.Itoa(k) }
	exp := time.Now().Add(time.Hour)

	start := time.Now()
	measureFrom, stop := start.Add(o.warmup), start.Add(o.warmup+o.duration)
	var mu sync.Mutex
	var lat, ack []time.Duration
	record := func(dst *[]time.Duration, sentAt int64) {
		now := time.Now()
		t := time.Unix(0, sentAt)
		if t.Before(measureFrom) || t.After(stop) {
			return
		}
		mu.Lock()
		*dst = append(*dst, now.Sub(t))
		mu.Unlock()
	}
	var errs atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		errs.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}

	// Subscribers: each follows its share of the channels.
	var ready sync.WaitGroup
	for g := 0; g < o.agents; g++ {
		cc, err := cfDial(ctx, o.addr, centrifugoToken(o.secret, "sub-"+strconv.Itoa(g), exp))
		if err != nil {
			return fmt.Errorf("subscriber connection: %w", err)
		}
		defer cc.c.CloseNow()
		n := 0
		for k := g; k < o.sessions; k += o.agents {
			if err := cc.send(ctx, "subscribe", map[string]any{"channel": channel(k)}); err != nil {
				return err
			}
			n++
		}
		ready.Add(1)
		go func() {
			answered := 0
			done := func() {
				if answered < n {
					answered = n
					ready.Done()
				}
			}
			defer done()
			for {
				_, b, err := cc.c.Read(ctx)
				if err != nil {
					return
				}
				err = splitReplies(b, func(r cfReply) error {
					switch {
					case r.ID != 0 && r.Error != nil:
						return fmt.Errorf("subscribe: %d %s", r.Error.Code, r.Error.Message)
					case r.ID != 0:
						if answered++; answered == n {
							ready.Done()
						}
					case r.Push != nil && r.Push.Pub != nil:
						var p cfPayload
						if json.Unmarshal(r.Push.Pub.Data, &p) == nil && p.T != 0 {
							record(&lat, p.T)
						}
					case r.Push == nil:
						return cc.write(ctx, []byte(`{}`)) // the server's ping
					}
					return nil
				})
				if err != nil {
					fail(err)
					if answered < n {
						return
					}
				}
			}
		}()
	}
	ready.Wait()
	if v := firstErr.Load(); v != nil {
		return fmt.Errorf("subscribers: %s", v)
	}

	// Publishers: each publishes to its share of the channels at its share of the rate.
	var sent atomic.Int64
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) * float64(o.visitors) / float64(o.rate))
	for v := 0; v < o.visitors; v++ {
		cc, err := cfDial(ctx, o.addr, centrifugoToken(o.secret, "pub-"+strconv.Itoa(v), exp))
		if err != nil {
			return fmt.Errorf("publisher connection: %w", err)
		}
		defer cc.c.CloseNow()
		var mine []string
		for k := v % o.sessions; k < o.sessions; k += o.visitors {
			mine = append(mine, channel(k))
		}
		if len(mine) == 0 {
			mine = []string{channel(v % o.sessions)}
		}
		var sentAt sync.Map // command id → send time, for the publish acks
		go func() {
			for {
				_, b, err := cc.c.Read(ctx)
				if err != nil {
					return
				}
				err = splitReplies(b, func(r cfReply) error {
					if r.ID == 0 {
						if r.Push == nil {
							return cc.write(ctx, []byte(`{}`))
						}
						return nil
					}
					if r.Error != nil {
						return fmt.Errorf("publish: %d %s", r.Error.Code, r.Error.Message)
					}
					if t, ok := sentAt.LoadAndDelete(r.ID); ok {
						record(&ack, t.(int64))
					}
					return nil
				})
				if err != nil {
					fail(err)
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := time.Now().Add(interval * time.Duration(v) / time.Duration(o.visitors))
			for i := 0; ; i++ {
				time.Sleep(time.Until(next))
				if time.Now().After(stop) {
					return
				}
				now := time.Now().UnixNano()
				id := cc.next.Add(1)
				sentAt.Store(id, now)
				b := fmt.Appendf(nil, `{"id":%d,"publish":{"channel":%q,"data":{"t":%d}}}`, id, mine[i%len(mine)], now)
				if err := cc.write(ctx, b); err != nil {
					fail(err)
					return
				}
				if time.Unix(0, now).After(measureFrom) {
					sent.Add(1)
				}
				next = next.Add(interval)
			}
		}()
	}
	wg.Wait()
	time.Sleep(time.Second) // the last publications arrive
	mu.Lock()
	defer mu.Unlock()
	return report(o, sent.Load(), errs.Load(), lat, ack, &firstErr, [3]string{
		fmt.Sprintf("centrifugo, rate %d/s for %.0f s: %%d published, %%d received by subscribers (%%.0f/s), %%d errors", o.rate, o.duration.Seconds()),
		"publish -> subscriber receipt", "publish -> its reply"})
}
