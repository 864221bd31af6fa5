package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestCentrifugoTokenIsAnHS256JWTForTheUser(t *testing.T) {
	exp := time.Unix(1_900_000_000, 0)
	tok := centrifugoToken("s3cret", "sub-1", exp)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: want three parts", tok)
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if got := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); got != parts[2] {
		t.Fatalf("signature %s, want %s", parts[2], got)
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	if header["alg"] != "HS256" || claims["sub"] != "sub-1" || claims["exp"] != float64(exp.Unix()) {
		t.Fatalf("header %v, claims %v", header, claims)
	}
}

func TestSplitRepliesReadsEveryLineOfAFrame(t *testing.T) {
	frame := []byte(`{"id":1,"connect":{"client":"x"}}` + "\n" + `{}` + "\n" +
		`{"push":{"channel":"chat3","pub":{"data":{"t":42}}}}` + "\n" + `{"id":2,"error":{"code":103,"message":"permission denied"}}`)
	var got []string
	err := splitReplies(frame, func(r cfReply) error {
		switch {
		case r.Error != nil:
			got = append(got, fmt.Sprintf("error %d %d", r.ID, r.Error.Code))
		case r.Push != nil:
			got = append(got, "push "+r.Push.Channel+" "+string(r.Push.Pub.Data))
		case r.ID != 0:
			got = append(got, fmt.Sprintf("reply %d", r.ID))
		default:
			got = append(got, "ping")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"reply 1", "ping", `push chat3 {"t":42}`, "error 2 103"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := splitReplies([]byte("{not json"), func(cfReply) error { return nil }); err == nil {
		t.Fatal("a malformed reply: want an error")
	}
}

// fakeCentrifugo speaks as much of Centrifugo's JSON protocol as the mode
// uses: connect with a token, subscribe, publish to the channel's
// subscribers, batching replies into frames one a line.
type fakeCentrifugo struct {
	mu   sync.Mutex
	subs map[string][]*websocket.Conn
	wmu  map[*websocket.Conn]*sync.Mutex
}

func (f *fakeCentrifugo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	f.mu.Lock()
	f.wmu[c] = &sync.Mutex{}
	f.mu.Unlock()
	write := func(to *websocket.Conn, s string) {
		f.mu.Lock()
		m := f.wmu[to]
		f.mu.Unlock()
		m.Lock()
		to.Write(context.Background(), websocket.MessageText, []byte(s))
		m.Unlock()
	}
	for {
		_, b, err := c.Read(r.Context())
		if err != nil {
			return
		}
		var cmd struct {
			ID        uint32 `json:"id"`
			Connect   *struct{ Token string }
			Subscribe *struct{ Channel string }
			Publish   *struct {
				Channel string
				Data    json.RawMessage
			}
		}
		if json.Unmarshal(b, &cmd) != nil || cmd.ID == 0 {
			continue
		}
		switch {
		case cmd.Connect != nil:
			write(c, fmt.Sprintf(`{"id":%d,"connect":{"client":"c"}}`+"\n{}", cmd.ID))
		case cmd.Subscribe != nil:
			f.mu.Lock()
			f.subs[cmd.Subscribe.Channel] = append(f.subs[cmd.Subscribe.Channel], c)
			f.mu.Unlock()
			write(c, fmt.Sprintf(`{"id":%d,"subscribe":{}}`, cmd.ID))
		case cmd.Publish != nil:
			f.mu.Lock()
			to := f.subs[cmd.Publish.Channel]
			f.mu.Unlock()
			for _, s := range to {
				write(s, fmt.Sprintf(`{"push":{"channel":%q,"pub":{"data":%s}}}`, cmd.Publish.Channel, cmd.Publish.Data))
			}
			write(c, fmt.Sprintf(`{"id":%d,"publish":{}}`, cmd.ID))
		}
	}
}

func TestCentrifugoModeTimesEveryPublication(t *testing.T) {
	f := &fakeCentrifugo{subs: map[string][]*websocket.Conn{}, wmu: map[*websocket.Conn]*sync.Mutex{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	stdout := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	err := runCentrifugo(options{addr: strings.TrimPrefix(srv.URL, "http://"), secret: "s", json: true,
		rate: 200, agents: 2, sessions: 10, visitors: 5, duration: 300 * time.Millisecond})
	w.Close()
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	var res latencyResult
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Sent == 0 || res.Received != int(res.Sent) || res.Errors != 0 || res.P99Millis <= 0 || res.EchoP99 <= 0 {
		t.Fatalf("got %+v, want every publication received and timed, no errors", res)
	}
}

func TestCentrifugoModeNeedsASecret(t *testing.T) {
	if err := runCentrifugo(options{addr: "127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "hmac-secret") {
		t.Fatalf("got %v, want a refusal", err)
	}
}
