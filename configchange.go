package switchboard

import "context"

// KindToken is the ConfigChange kind of API tokens: one was created or
// revoked.
const KindToken = "token"

// KindLogin is the ConfigChange kind of browser logins ended before their
// time; the change's ID is the user's.
const KindLogin = "login"

// ConfigChange says that a configuration document or an API token was
// written: created, replaced or deleted (a token: created or revoked). It
// names what changed, not how: the reader reads it again.
type ConfigChange struct {
	// Kind is the document's config kind (as given to PutConfig),
	// KindToken or KindLogin. "" is a resync: anything may have changed.
	Kind string
	// ID is the document's or the token's ID; 0 in a resync.
	ID int64
}

// Resync reports whether c says that anything may have changed: the feed
// (re)connected, or could not tell what a change was.
func (c ConfigChange) Resync() bool { return c.Kind == "" }

// ConfigChanges is a feed of the writes to a ConfigStore that several
// processes share, so that each can drop what it caches. A ConfigStore
// that only one process uses (SQLite) need not implement it.
type ConfigChanges interface {
	// WatchConfig listens for changes and calls fn, on the goroutine that
	// called WatchConfig and one change at a time, for every change
	// committed by any process, this one included, after it began
	// listening. Its first call of fn is a resync, made once it listens:
	// whatever was written before then, a read made after fn returns sees
	// it. Rolled-back writes are not reported; a change may be reported
	// more than once, or as a resync. fn should return quickly: changes
	// wait for it.
	//
	// WatchConfig returns when ctx ends, with ctx.Err(), or when the feed
	// breaks (its connection lost), with the error: changes may then be
	// missed, and the caller calls WatchConfig again, after a backoff,
	// which begins with a new resync.
	WatchConfig(ctx context.Context, fn func(ConfigChange)) error
}
