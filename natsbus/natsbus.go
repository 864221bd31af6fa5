// Package natsbus carries committed events between the nodes of a cluster
// over NATS JetStream. The leader's publisher hands each commit's events
// to its own node's broker and then sends them to a stream, one message
// per event with the event's global position as the message ID (so a
// resend is dropped by JetStream's duplicate window). Every other node
// relays the stream into its own broker.
//
// The store stays the truth: the stream is a fast carrier and a doorbell.
// A relay hands on events in position order, none twice; when it sees a
// position past the next one it expects (a message lost, the stream
// trimmed, NATS down for a while), it reads the missing events from the
// store first, and it looks at the store's last position on its own every
// poll interval, so an event the stream never carried still arrives.
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
)

// Options configure a Bus.
type Options struct {
	// Stream is the JetStream stream's name (default SWITCHBOARD_EVENTS)
	// and Subject the prefix of its subjects (default
	// switchboard.events): events go to Subject.<session id>. Contact
	// centers sharing one NATS take a stream and subject each.
	Stream  string
	Subject string
	// Namespace names the store the events come from: events go to
	// Subject.<namespace>.<session id> with message IDs
	// <namespace>:<position>, and a relay reads only its namespace. Give
	// each store its own (node.Open reads one from the store), so that a
	// new or restored database, whose positions start again, is not taken
	// for resends of the old one's events within the duplicate window,
	// and clusters sharing one NATS do not see each other's events. ""
	// leaves it out.
	Namespace string
	// MaxAge is how long the stream keeps events (default one hour): the
	// store keeps them for good, relays only need the recent ones.
	MaxAge time.Duration
	// Replicas is the stream's replica count on a NATS cluster (default 1).
	Replicas int
	// Queue is how many commits the publisher holds while NATS is slow
	// (default 1024); beyond it a commit is not sent, and relays read it
	// from the store.
	Queue  int
	Logger *slog.Logger
}

// Bus is a connection to the stream.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	opt    Options
	log    *slog.Logger
}

// Connect connects to the NATS server at url (nats://host:port, or a
// comma-separated list of them) and creates or updates the stream.
func Connect(ctx context.Context, url string, opt Options) (*Bus, error) {
	if opt.Stream == "" {
		opt.Stream = "SWITCHBOARD_EVENTS"
	}
	if opt.Subject == "" {
		opt.Subject = "switchboard.events"
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = time.Hour
	}
	if opt.Replicas <= 0 {
		opt.Replicas = 1
	}
	if opt.Queue <= 0 {
		opt.Queue = 1024
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	nc, err := nats.Connect(url, nats.Name("switchboard"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("bus: connect to NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: %w", err)
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: opt.Stream, Subjects: []string{opt.Subject + ".>"}, Storage: jetstream.FileStorage,
		MaxAge: opt.MaxAge, Replicas: opt.Replicas, Duplicates: 2 * time.Minute, Discard: jetstream.DiscardOld,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: stream %s: %w", opt.Stream, err)
	}
	return &Bus{nc: nc, js: js, stream: st, opt: opt, log: opt.Logger}, nil
}

// subject is the subject prefix of the bus's events, namespace included.
func (b *Bus) subject() string {
	if b.opt.Namespace == "" {
		return b.opt.Subject
	}
	return b.opt.Subject + "." + b.opt.Namespace
}

// msgID is event e's message ID, for JetStream's duplicate window.
func (b *Bus) msgID(e sb.Event) string {
	id := strconv.FormatInt(e.ID, 10)
	if b.opt.Namespace == "" {
		return id
	}
	return b.opt.Namespace + ":" + id
}

// Close closes the connection; a publisher's queued commits are dropped
// (relays read them from the store).
func (b *Bus) Close() { b.nc.Close() }

// Publisher returns the leader's publisher: it hands each commit's events
// to local (this node's broker) at once, then queues them for the stream.
// Publish never waits for NATS. Close the publisher to stop its sender.
func (b *Bus) Publisher(local sb.Publisher) *Publisher {
	p := &Publisher{bus: b, local: local, queue: make(chan []sb.Event, b.opt.Queue), done: make(chan struct{})}
	go p.send()
	return p
}

// Publisher is the leader's sb.Publisher.
type Publisher struct {
	bus   *Bus
	local sb.Publisher
	queue chan []sb.Event
	done  chan struct{}
	once  sync.Once
	// dropped counts commits not sent because the queue was full.
	mu      sync.Mutex
	dropped int
}

var _ sb.Publisher = (*Publisher)(nil)

// Publish implements sb.Publisher.
func (p *Publisher) Publish(events []sb.Event) {
	p.local.Publish(events)
	select {
	case p.queue <- events:
	default:
		p.mu.Lock()
		p.dropped++
		p.mu.Unlock()
	}
}

// Dropped returns how many commits were not sent for a full queue.
func (p *Publisher) Dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Close stops the sender once the queued commits are sent.
func (p *Publisher) Close() {
	p.once.Do(func() { close(p.queue) })
	<-p.done
}

func (p *Publisher) send() {
	defer close(p.done)
	for events := range p.queue {
		for _, e := range events {
			data, err := json.Marshal(e)
			if err != nil {
				p.bus.log.Error("bus: encode event", "event", e.ID, "err", err)
				continue
			}
			msg := &nats.Msg{Subject: p.bus.subject() + "." + strconv.FormatInt(e.SessionID, 10), Data: data, Header: nats.Header{}}
			msg.Header.Set(jetstream.MsgIDHeader, p.bus.msgID(e))
			if _, err := p.bus.js.PublishMsgAsync(msg); err != nil {
				p.bus.log.Warn("bus: send event", "event", e.ID, "err", err)
			}
		}
	}
	select {
	case <-p.bus.js.PublishAsyncComplete():
	case <-time.After(5 * time.Second): // on shutdown only; relays read the rest from the store
	}
}

// Relay hands every event after position after to local, in position
// order, none twice: the stream's, and the store's where the stream has a
// gap. It reads the store's last position every poll on c as well. It
// returns the position it reached when ctx ends, or an error if the store
// fails.
func (b *Bus) Relay(ctx context.Context, store sb.EventStore, local sb.Publisher, after int64, c sb.Clock, poll time.Duration) (int64, error) {
	cons, err := b.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy,
		FilterSubjects: []string{b.subject() + ".>"}})
	if err != nil {
		return after, fmt.Errorf("bus: follow the stream: %w", err)
	}
	r := &relay{store: store, local: local, last: after}
	// Catch up from the store first: the consumer delivers what is
	// published from now on, and anything before it the store has.
	if err := r.fill(ctx, 0); err != nil {
		return r.last, err
	}
	msgs, err := cons.Messages()
	if err != nil {
		return r.last, fmt.Errorf("bus: follow the stream: %w", err)
	}
	defer msgs.Stop()
	in := make(chan sb.Event, 256)
	go func() {
		defer close(in)
		for {
			m, err := msgs.Next()
			if err != nil {
				if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					b.log.Warn("bus: stream", "err", err)
				}
				return
			}
			var e sb.Event
			if err := json.Unmarshal(m.Data(), &e); err != nil {
				b.log.Error("bus: decode event", "subject", m.Subject(), "err", err)
				continue
			}
			select {
			case in <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	tick := make(chan struct{}, 1)
	var arm func()
	arm = func() {
		clock.AfterFunc(c, poll, func() {
			select {
			case tick <- struct{}{}:
			default:
			}
			if ctx.Err() == nil {
				arm()
			}
		})
	}
	arm()
	for {
		select {
		case <-ctx.Done():
			return r.last, nil
		case <-tick:
			if err := r.fill(ctx, 0); err != nil {
				return r.last, err
			}
		case e, ok := <-in:
			if !ok {
				msgs.Stop()
				<-ctx.Done()
				return r.last, nil
			}
			if err := r.event(ctx, e); err != nil {
				return r.last, err
			}
		}
	}
}

// relay is a Relay's position.
type relay struct {
	store sb.EventStore
	local sb.Publisher
	last  int64
}

// event hands e on after anything the store has between the last
// position and it.
func (r *relay) event(ctx context.Context, e sb.Event) error {
	if e.ID <= r.last {
		return nil // handed on already, from the store or a resend
	}
	if e.ID > r.last+1 {
		if err := r.fill(ctx, e.ID-1); err != nil {
			return err
		}
		if e.ID <= r.last {
			return nil
		}
	}
	r.local.Publish([]sb.Event{e})
	r.last = e.ID
	return nil
}

// fill hands on the store's events after the last position, up to upto
// (0: all there are).
func (r *relay) fill(ctx context.Context, upto int64) error {
	for {
		events, err := r.store.Events(ctx, r.last, 500)
		if err != nil {
			return fmt.Errorf("bus: read the store: %w", err)
		}
		if upto > 0 {
			for i, e := range events {
				if e.ID > upto {
					events = events[:i]
					break
				}
			}
		}
		if len(events) == 0 {
			return nil
		}
		r.local.Publish(events)
		r.last = events[len(events)-1].ID
		if upto > 0 && r.last >= upto {
			return nil
		}
	}
}
