package engine

import (
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/recent"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Idempotency makes a command run once per key: the same command sent
// again with the key (a client retrying after a lost answer, or a node
// retrying across a failover) gets the first answer, and nothing runs
// twice. The key is recorded in the commit of the command's change.
type Idempotency struct {
	// Key is the client's key, scoped by the caller (the service does it).
	Key string
	// Fingerprint identifies the request; the same key with another
	// request is refused with ECONFLICT.
	Fingerprint string
	// Fresh says the key was made for this request and never sent
	// before: it cannot have run, and is not looked up.
	Fresh bool
}

// recentKeys is how many committed keys the writer remembers without
// asking the store.
const recentKeys = 4096

// keyedBatch is what a batch knows of the keys of its requests.
type keyedBatch struct {
	// staged are the keys whose commands this batch runs.
	staged map[string]bool
	// again are the requests that repeat a key staged in this batch; they
	// are answered once the batch is committed.
	again []*request
}

// repeat answers r when its key has run before: with the first answer,
// or a conflict when the request differs. It reports whether r is
// answered (or waits for the batch, when the key runs in it).
func (e *Engine) repeat(r *request, kb *keyedBatch) bool {
	k := r.idem
	if kb.staged[k.Key] {
		kb.again = append(kb.again, r)
		return true
	}
	rec, ok := e.keys.Get(k.Key)
	if !ok && r.unkeyed && e.keyPuts.Load()-r.puts < recentKeys {
		// The store had no such key when the request came, and every key
		// committed since is still in keys: it has not run.
		return false
	}
	if !ok {
		var err error
		rec, err = e.store.Idempotency(r.ctx, k.Key)
		switch {
		case sb.ErrorCode(err) == sb.ENOTFOUND:
			return false
		case err != nil:
			r.res <- result{err: err}
			return true
		}
	}
	r.res <- e.replay(r, rec)
	return true
}

// replay is the answer of the command rec recorded, as it was: the
// session at the version the command left it and the events it (and the
// follow-ups on that session) appended.
func (e *Engine) replay(r *request, rec sb.IdempotencyRecord) result {
	if rec.Fingerprint != r.idem.Fingerprint {
		return result{err: sb.Errorf(sb.ECONFLICT, "the idempotency key was used for another request (on session %d); use a new key for a new request", rec.SessionID)}
	}
	var log []sb.Event
	for int64(len(log)) < rec.ToSeq {
		page, err := e.store.SessionEvents(r.ctx, rec.SessionID, int64(len(log)), int(rec.ToSeq)-len(log))
		if err != nil {
			return result{err: fmt.Errorf("replay idempotent command: %w", err)}
		}
		if len(page) == 0 {
			return result{err: fmt.Errorf("replay idempotent command: session %d has %d events, the record says %d", rec.SessionID, len(log), rec.ToSeq)}
		}
		log = append(log, page...)
	}
	log = log[:rec.ToSeq]
	s, err := lifecycle.Fold(log)
	if err != nil {
		return result{err: fmt.Errorf("replay idempotent command: %w", err)}
	}
	return result{change: &sb.Change{Session: s, Events: log[rec.FromSeq:]}, replayed: true}
}

// keyCache is the writer's memory of recently committed keys.
type keyCache = recent.Cache[string, sb.IdempotencyRecord]

// lookUpKey asks the store for r's key before the writer takes r, on the
// caller's goroutine: most keys are new, and the writer then need not ask
// the store one key at a time, which on a networked store would bound
// keyed commands by its round trip (every command forwarded by a cluster
// node carries a key). A key committed after the look is one this engine
// committed, so it is in keys while fewer than recentKeys were put since;
// repeat trusts the look only then. Any error leaves the look to repeat.
func (e *Engine) lookUpKey(r *request) {
	puts := e.keyPuts.Load()
	if r.idem.Fresh {
		r.unkeyed, r.puts = true, puts
		return
	}
	if _, err := e.store.Idempotency(r.ctx, r.idem.Key); sb.ErrorCode(err) == sb.ENOTFOUND {
		r.unkeyed, r.puts = true, puts
	}
}

// remember notes the batch's committed keys and answers the requests that
// repeated one of them.
func (e *Engine) remember(all []*sb.Change, kb *keyedBatch) {
	for _, ch := range all {
		if ch.Idempotency != nil {
			e.keys.Put(ch.Idempotency.Key, *ch.Idempotency)
			e.keyPuts.Add(1)
		}
	}
	for _, r := range kb.again {
		if !e.repeat(r, &keyedBatch{}) {
			r.res <- result{err: fmt.Errorf("idempotency key %q: its command was committed but is not recorded", r.idem.Key)}
		}
	}
}
