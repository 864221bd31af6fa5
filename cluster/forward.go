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
	"net"
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
	// Client sends the requests (default: defaultClient).
	Client *http.Client
	// Clock times the pauses between tries; Patience is how long a
	// command keeps trying (default 15 s), Pause the wait between tries
	// (default 250 ms).
	Clock    sb.Clock
	Patience time.Duration
	Pause    time.Duration
	// Here, if set, is asked before every try of a command or a proxied
	// request whether this node runs the writer now (it became leader
	// while the request waited, or it leads alone and was starting): a
	// command then runs on the commands it returns, a proxied request on
	// the local handler, instead of being sent.
	Here func() (service.Commands, bool)
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
	made := req.IdempotencyKey == ""
	if made {
		req.IdempotencyKey = newKey()
	}
	var res Result
	var local *engine.Result
	first := true
	err = f.retry(ctx, true, func() error {
		// Only the first try of a key made here is fresh: any later one
		// may follow one that ran.
		req.FreshKey, first = made && first, false
		if cmds, ok := f.here(); ok {
			r, err := runHere(ctx, cmds, c, &req, cmd)
			if err == nil {
				local = &r
			}
			return err
		}
		payload, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("forward %s: %w", name, err)
		}
		return f.try(ctx, CommandPath, payload, &res)
	})
	if err != nil {
		return engine.Result{}, err
	}
	if local != nil {
		return *local, nil
	}
	if res.Session == nil {
		return engine.Result{}, fmt.Errorf("forward %s: the leader's answer has no session", name)
	}
	return engine.Result{Session: res.Session, Events: res.Events, Replayed: res.Replayed}, nil
}

// here reports whether this node runs the writer now, with its commands.
func (f *Forwarder) here() (service.Commands, bool) {
	if f.Here == nil {
		return nil, false
	}
	return f.Here()
}

// runHere runs the forwarded command req (cmd, decoded) on this node's
// own commands. A writer that is stopping is no leader: the command goes
// to the next one.
func runHere(ctx context.Context, cmds service.Commands, c service.Caller, req *Request, cmd lifecycle.Command) (r engine.Result, err error) {
	opt := service.RunOptions{IfMatch: req.IfMatch, IdempotencyKey: req.IdempotencyKey, FreshKey: req.FreshKey}
	if create, ok := cmd.(*lifecycle.Create); ok && req.Command == "create" {
		r, err = cmds.Create(ctx, c, create, opt)
	} else {
		r, err = cmds.Run(ctx, c, req.SessionID, cmd, opt)
	}
	if sb.ErrorCode(err) == sb.EUNAVAILABLE {
		return r, fmt.Errorf("%w: %w", errNoLeader, err)
	}
	return r, err
}

// call sends req to the leader's path and decodes its answer into out,
// trying again while no leader takes it, for up to Patience. A request
// that may have reached a leader before its answer was lost (a timeout, a
// connection cut mid-way) is tried again only when resend is set: when
// running it twice is harmless (a read, or a command under its
// idempotency key).
func (f *Forwarder) call(ctx context.Context, path string, req, out any, resend bool) error {
	payload, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("forward %s: %w", path, err)
	}
	return f.retry(ctx, resend, func() error { return f.try(ctx, path, payload, out) })
}

// retry runs try until it succeeds or fails for good: again while no
// leader ran it (errNoLeader), and after a lost answer (errLost) only when
// resend is set, pausing between tries, for up to Patience.
func (f *Forwarder) retry(ctx context.Context, resend bool, try func() error) error {
	patience, pause := f.Patience, f.Pause
	if patience <= 0 {
		patience = 15 * time.Second
	}
	if pause <= 0 {
		pause = 250 * time.Millisecond
	}
	start := f.Clock.Now()
	for {
		err := try()
		if err == nil || !errors.Is(err, errNoLeader) && !(resend && errors.Is(err, errLost)) {
			return err
		}
		if f.Clock.Now().Sub(start) >= patience {
			return sb.Errorf(sb.EUNAVAILABLE, "no leader answered for %s: %v", patience, err)
		}
		wait := make(chan struct{})
		t := clock.AfterFunc(f.Clock, pause, func() { close(wait) })
		select {
		case <-wait:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// errNoLeader marks a try that no leader ran: none was found, the
// connection was refused, or the node answered that it does not lead (or
// cannot write) now. It may be sent again.
var errNoLeader = errors.New("no leader")

// errLost marks a try whose request may have reached the leader but
// whose answer did not come back.
var errLost = errors.New("the leader's answer was lost")

// try sends the request once.
func (f *Forwarder) try(ctx context.Context, path string, payload []byte, out any) error {
	base, err := f.Leader(ctx)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoLeader, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("forward: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set(SecretHeader, f.Secret)
	resp, err := f.client().Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if notSent(err) {
			return fmt.Errorf("%w: %v", errNoLeader, err)
		}
		return fmt.Errorf("%w: %v", errLost, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%w: read the answer: %v", errLost, err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("forward: the leader's answer: %w", err)
		}
		return nil
	}
	var eb errorBody
	if err := json.Unmarshal(data, &eb); err != nil || eb.Error.Code == "" {
		return fmt.Errorf("%w: the leader answered %s", errLost, resp.Status)
	}
	e := &sb.Error{Code: eb.Error.Code, Message: eb.Error.Message, Detail: eb.Error.Detail}
	if resp.StatusCode == http.StatusMisdirectedRequest || e.Code == sb.EUNAVAILABLE {
		// Not the leader (any more), or its store cannot write for now:
		// refused before anything ran.
		return fmt.Errorf("%w: %w", errNoLeader, e)
	}
	return e
}

func (f *Forwarder) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return defaultClient
}

// defaultClient sends forwarded requests: straight to the leader (no
// proxy from the environment: this is traffic between the nodes), keeping
// enough connections open to it for every client of a busy node — the
// default transport keeps two per host, so under load nearly every
// forwarded command would dial anew.
var defaultClient = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
	DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	MaxIdleConns:        1024,
	MaxIdleConnsPerHost: 1024,
	IdleConnTimeout:     90 * time.Second,
}}

// notSent reports whether a request's error came before any of it was
// sent: the connection could not be made.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// newKey makes an idempotency key for a command the client sent without
// one.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "fwd-" + hex.EncodeToString(b)
}
