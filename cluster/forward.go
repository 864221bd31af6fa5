package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// Forwarder runs session commands on the leader: it is the
// service.Commands of a node that does not hold the lease. A command that
// cannot reach the leader (none elected yet, the leader gone, a leader
// that has just lost its lease) is sent again to whoever leads next, for
// up to Patience. Every forwarded command carries an idempotency key — the
// client's, else one the forwarder makes — so a command sent again after
// its first try reached a leader never runs twice.
type Forwarder struct {
	// Leader returns the base URL of the leader's cluster listener.
	Leader func(ctx context.Context) (string, error)
	// Secret is the cluster's shared secret.
	Secret string
	// Client sends the requests (default: a client with a 30 s timeout).
	Client *http.Client
	// Clock times the pauses between tries; Patience is how long a
	// command keeps trying (default 15 s), Pause the wait between tries
	// (default 250 ms).
	Clock    sb.Clock
	Patience time.Duration
	Pause    time.Duration
}

var _ service.Commands = (*Forwarder)(nil)

// Create implements service.Commands.
func (f *Forwarder) Create(ctx context.Context, c service.Caller, cmd *lifecycle.Create, opt service.RunOptions) (engine.Result, error) {
	return f.forward(ctx, c, 0, cmd, "create", opt)
}

// Run implements service.Commands.
func (f *Forwarder) Run(ctx context.Context, c service.Caller, id int64, cmd lifecycle.Command, opt service.RunOptions) (engine.Result, error) {
	return f.forward(ctx, c, id, cmd, cmd.Name(), opt)
}

func (f *Forwarder) forward(ctx context.Context, c service.Caller, id int64, cmd lifecycle.Command, name string, opt service.RunOptions) (engine.Result, error) {
	body, err := json.Marshal(cmd)
	if err != nil {
		return engine.Result{}, fmt.Errorf("forward %s: %w", name, err)
	}
	req := Request{Caller: c, SessionID: id, Command: name, Body: body, IfMatch: opt.IfMatch, IdempotencyKey: opt.IdempotencyKey}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = newKey()
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return engine.Result{}, fmt.Errorf("forward %s: %w", name, err)
	}
	patience, pause := f.Patience, f.Pause
	if patience <= 0 {
		patience = 15 * time.Second
	}
	if pause <= 0 {
		pause = 250 * time.Millisecond
	}
	start := f.Clock.Now()
	for {
		res, err := f.try(ctx, payload)
		if err == nil || !errors.Is(err, errNoLeader) {
			return res, err
		}
		if f.Clock.Now().Sub(start) >= patience {
			return engine.Result{}, sb.Errorf(sb.EUNAVAILABLE, "no leader answered for %s: %v", patience, err)
		}
		wait := make(chan struct{})
		t := clock.AfterFunc(f.Clock, pause, func() { close(wait) })
		select {
		case <-wait:
		case <-ctx.Done():
			t.Stop()
			return engine.Result{}, ctx.Err()
		}
	}
}

// errNoLeader marks a try that found no leader to run the command: it may
// be sent again.
var errNoLeader = errors.New("no leader")

// try sends the command once.
func (f *Forwarder) try(ctx context.Context, payload []byte) (engine.Result, error) {
	base, err := f.Leader(ctx)
	if err != nil {
		return engine.Result{}, fmt.Errorf("%w: %v", errNoLeader, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, base+CommandPath, bytes.NewReader(payload))
	if err != nil {
		return engine.Result{}, fmt.Errorf("forward: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set(SecretHeader, f.Secret)
	client := f.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return engine.Result{}, ctx.Err()
		}
		return engine.Result{}, fmt.Errorf("%w: %v", errNoLeader, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return engine.Result{}, fmt.Errorf("%w: read the answer: %v", errNoLeader, err)
	}
	if resp.StatusCode == http.StatusOK {
		var res Result
		if err := json.Unmarshal(data, &res); err != nil || res.Session == nil {
			return engine.Result{}, fmt.Errorf("forward: the leader's answer: %v", err)
		}
		return engine.Result{Session: res.Session, Events: res.Events, Replayed: res.Replayed}, nil
	}
	var eb errorBody
	if err := json.Unmarshal(data, &eb); err != nil || eb.Error.Code == "" {
		return engine.Result{}, fmt.Errorf("%w: the leader answered %s", errNoLeader, resp.Status)
	}
	e := &sb.Error{Code: eb.Error.Code, Message: eb.Error.Message, Detail: eb.Error.Detail}
	if resp.StatusCode == http.StatusMisdirectedRequest || e.Code == sb.EUNAVAILABLE {
		// Not the leader (any more), or its store cannot write for now.
		return engine.Result{}, fmt.Errorf("%w: %w", errNoLeader, e)
	}
	return engine.Result{}, e
}

// newKey makes an idempotency key for a command the client sent without
// one.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "fwd-" + hex.EncodeToString(b)
}
