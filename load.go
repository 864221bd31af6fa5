package switchboard

import (
	"context"
	"fmt"
	"time"
)

// Loader fills an empty store with the records of another, as they are
// there: with their IDs, times and states (switchboard migrate). Only
// what is not derived from the event log is loaded; the store derives
// the rest (projections, the agent and customer indexes) from the logs
// it is given, and the report facts are rebuilt afterwards.
//
// A Loader writes inside the transaction of Copier.Load: nothing is seen
// by others, nor kept, until Load returns without error.
type Loader interface {
	// LoadSessions stores whole sessions, each given as its log (every
	// event, in Seq order, with the ID it had). The store writes the
	// events with those IDs and the projection it folds from them
	// (lifecycle.Fold), with the indexes a commit keeps of it.
	LoadSessions(ctx context.Context, logs [][]Event) error
	// LoadSequence raises the ID sequence name ("session", or
	// "config:<kind>") to at least last, so that the IDs handed out
	// before are never handed out again.
	LoadSequence(ctx context.Context, name string, last int64) error
	// LoadConfig stores a configuration document under its kind and ID.
	LoadConfig(ctx context.Context, kind string, id int64, doc []byte) error
	// LoadToken stores an API token with its ID, hash and revocation.
	LoadToken(ctx context.Context, t Token) error
	// LoadUser stores a user with its ID and password hash.
	LoadUser(ctx context.Context, u User) error
	// LoadLogin stores a browser login with its ID; its user must have
	// been loaded.
	LoadLogin(ctx context.Context, l Login) error
	// LoadServerKey stores a signing key under its name.
	LoadServerKey(ctx context.Context, name string, key []byte) error
	// LoadOfflineMessage stores an offline message with its ID.
	LoadOfflineMessage(ctx context.Context, m OfflineMessage) error
	// LoadAttachment stores an attachment's record with its ID (its bytes
	// are in the blob store, under a key made of the IDs); its session
	// must have been loaded.
	LoadAttachment(ctx context.Context, a Attachment) error
	// LoadTimer stores a pending durable timer.
	LoadTimer(ctx context.Context, t Timer) error
	// LoadOutbox stores a delivery with its ID, state and attempts.
	LoadOutbox(ctx context.Context, o OutboxItem) error
	// LoadIdempotency stores the record of an idempotency key.
	LoadIdempotency(ctx context.Context, r IdempotencyRecord) error
	// LoadQueueThreshold sets the queue threshold of the report rollups.
	LoadQueueThreshold(ctx context.Context, d time.Duration) error
}

// Copier is a store that can be copied to another, of either kind: Dump
// reads it, Load fills it.
type Copier interface {
	// Dump reads everything the store keeps that is not derived from the
	// event log, in one consistent view, and hands it to l in an order
	// that loads (a login after its user, an attachment after its
	// session): sequences, configuration, tokens, users, logins, server
	// keys, sessions, attachments, offline messages, timers, outbox,
	// idempotency keys, queue threshold. Sessions are handed over in
	// batches, by ascending ID.
	Dump(ctx context.Context, l Loader) error
	// Load runs fn with a Loader that writes into the store, in one
	// transaction, and commits when fn returns nil: all or nothing. It
	// refuses (ECONFLICT), changing nothing, when the store is not empty:
	// when it holds a session, an event, a configuration document, a
	// token, a user, a server key, an offline message, an attachment, a
	// timer, a delivery or an idempotency key. Before the commit it moves
	// the store's counters (event position, ID sequences) past what was
	// loaded, so that new sessions, events and records are numbered after
	// the loaded ones.
	Load(ctx context.Context, fn func(Loader) error) error
}

// DumpSource reads a store's records for Copier.Dump, one kind at a time,
// handing them to a Loader; DumpAll runs them in the order Dump promises.
type DumpSource interface {
	Sequences(Loader) error
	Config(Loader) error
	Tokens(Loader) error
	Users(Loader) error
	Logins(Loader) error
	ServerKeys(Loader) error
	Sessions(Loader) error
	Attachments(Loader) error
	OfflineMessages(Loader) error
	Timers(Loader) error
	Outbox(Loader) error
	IdempotencyKeys(Loader) error
	QueueThreshold(Loader) error
}

// DumpAll hands l every record src reads, kind by kind, in an order that
// loads (a login after its user, an attachment after its session).
func DumpAll(src DumpSource, l Loader) error {
	steps := []struct {
		what string
		run  func(Loader) error
	}{
		{"sequences", src.Sequences},
		{"configuration", src.Config},
		{"tokens", src.Tokens},
		{"users", src.Users},
		{"logins", src.Logins},
		{"server keys", src.ServerKeys},
		{"sessions", src.Sessions},
		{"attachments", src.Attachments},
		{"offline messages", src.OfflineMessages},
		{"timers", src.Timers},
		{"outbox", src.Outbox},
		{"idempotency keys", src.IdempotencyKeys},
		{"queue threshold", src.QueueThreshold},
	}
	for _, s := range steps {
		if err := s.run(l); err != nil {
			return fmt.Errorf("dump %s: %w", s.what, err)
		}
	}
	return nil
}
