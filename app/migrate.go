package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/report"
)

// MigrateReport is what Migrate copied, rebuilt and checked.
type MigrateReport struct {
	Sessions        int `json:"sessions"`
	Events          int `json:"events"`
	Sequences       int `json:"sequences"`
	ConfigDocs      int `json:"config_documents"`
	Tokens          int `json:"tokens"`
	Users           int `json:"users"`
	Logins          int `json:"logins"`
	ServerKeys      int `json:"server_keys"`
	OfflineMessages int `json:"offline_messages"`
	Attachments     int `json:"attachments"`
	Timers          int `json:"timers"`
	Outbox          int `json:"outbox"`
	IdempotencyKeys int `json:"idempotency_keys"`
	// QueueThresholdSeconds is the report rollups' queue threshold copied.
	QueueThresholdSeconds float64 `json:"queue_threshold_seconds"`
	// FactsRebuilt counts the sessions whose report facts were derived
	// again from the copied log.
	FactsRebuilt int `json:"facts_rebuilt"`
	// Verify is the check of the copy (Verify without fix).
	Verify VerifyReport `json:"verify"`
	// Copy, Rebuild and Total are the seconds each step took.
	CopySeconds    float64 `json:"copy_seconds"`
	RebuildSeconds float64 `json:"rebuild_seconds"`
	TotalSeconds   float64 `json:"total_seconds"`
}

// Migrate copies the store from into the empty store to (switchboard
// migrate): the event log with its event IDs, and everything else that is
// not derived from it (see sb.Copier), in one transaction of to. It then
// derives what is: the projections (written with the copied logs), the
// history-search index of message text and the report facts; and checks
// the copy as Verify does. Either store may be SQLite or PostgreSQL.
//
// The caller keeps both stores from being written meanwhile (the data
// directory's lock, the cluster's leader lease). When to is not empty
// Migrate refuses (ECONFLICT) and changes nothing; when a later step
// fails, the copied data stays and the error says which step failed.
func Migrate(ctx context.Context, from, to Store, log *slog.Logger) (MigrateReport, error) {
	var rep MigrateReport
	start := time.Now()
	src, ok := from.(sb.Copier)
	if !ok {
		return rep, fmt.Errorf("migrate: the source store cannot be copied")
	}
	dst, ok := to.(sb.Copier)
	if !ok {
		return rep, fmt.Errorf("migrate: the target store cannot be loaded")
	}
	err := dst.Load(ctx, func(l sb.Loader) error {
		return src.Dump(ctx, &countingLoader{Loader: l, rep: &rep})
	})
	if err != nil {
		return MigrateReport{}, fmt.Errorf("migrate: copy: %w", err)
	}
	rep.CopySeconds = time.Since(start).Seconds()
	log.Info("migrate: copied", "sessions", rep.Sessions, "events", rep.Events, "seconds", rep.CopySeconds)

	rebuild := time.Now()
	if ix, ok := to.(messageIndexer); ok {
		if err := ix.IndexMessages(ctx); err != nil {
			return rep, fmt.Errorf("migrate: index message text: %w", err)
		}
	}
	p := &report.Projector{Events: to, Reports: to, Log: log}
	if rep.FactsRebuilt, err = p.Rebuild(ctx); err != nil {
		return rep, fmt.Errorf("migrate: rebuild report facts: %w", err)
	}
	rep.RebuildSeconds = time.Since(rebuild).Seconds()
	log.Info("migrate: rebuilt report facts", "sessions", rep.FactsRebuilt, "seconds", rep.RebuildSeconds)

	if rep.Verify, err = Verify(ctx, to, false); err != nil {
		return rep, fmt.Errorf("migrate: verify: %w", err)
	}
	rep.TotalSeconds = time.Since(start).Seconds()
	if v := rep.Verify; len(v.Mismatch) > 0 || v.Orphans != 0 || v.Sessions != rep.Sessions || v.Events != rep.Events {
		return rep, fmt.Errorf("migrate: the copy does not verify: %d sessions and %d events read back of %d and %d copied, "+
			"%d projections differ from their log, %d session rows without a log",
			v.Sessions, v.Events, rep.Sessions, rep.Events, len(v.Mismatch), v.Orphans)
	}
	return rep, nil
}

// countingLoader counts what passes through it into rep.
type countingLoader struct {
	sb.Loader
	rep *MigrateReport
}

// count passes err through and counts one more into n when it is nil.
func count(n *int, err error) error {
	if err == nil {
		*n++
	}
	return err
}

func (c *countingLoader) LoadSessions(ctx context.Context, logs [][]sb.Event) error {
	if err := c.Loader.LoadSessions(ctx, logs); err != nil {
		return err
	}
	c.rep.Sessions += len(logs)
	for _, l := range logs {
		c.rep.Events += len(l)
	}
	return nil
}

func (c *countingLoader) LoadSequence(ctx context.Context, name string, last int64) error {
	return count(&c.rep.Sequences, c.Loader.LoadSequence(ctx, name, last))
}

func (c *countingLoader) LoadConfig(ctx context.Context, kind string, id int64, doc []byte) error {
	return count(&c.rep.ConfigDocs, c.Loader.LoadConfig(ctx, kind, id, doc))
}

func (c *countingLoader) LoadToken(ctx context.Context, t sb.Token) error {
	return count(&c.rep.Tokens, c.Loader.LoadToken(ctx, t))
}

func (c *countingLoader) LoadUser(ctx context.Context, u sb.User) error {
	return count(&c.rep.Users, c.Loader.LoadUser(ctx, u))
}

func (c *countingLoader) LoadLogin(ctx context.Context, l sb.Login) error {
	return count(&c.rep.Logins, c.Loader.LoadLogin(ctx, l))
}

func (c *countingLoader) LoadServerKey(ctx context.Context, name string, key []byte) error {
	return count(&c.rep.ServerKeys, c.Loader.LoadServerKey(ctx, name, key))
}

func (c *countingLoader) LoadOfflineMessage(ctx context.Context, m sb.OfflineMessage) error {
	return count(&c.rep.OfflineMessages, c.Loader.LoadOfflineMessage(ctx, m))
}

func (c *countingLoader) LoadAttachment(ctx context.Context, a sb.Attachment) error {
	return count(&c.rep.Attachments, c.Loader.LoadAttachment(ctx, a))
}

func (c *countingLoader) LoadTimer(ctx context.Context, t sb.Timer) error {
	return count(&c.rep.Timers, c.Loader.LoadTimer(ctx, t))
}

func (c *countingLoader) LoadOutbox(ctx context.Context, o sb.OutboxItem) error {
	return count(&c.rep.Outbox, c.Loader.LoadOutbox(ctx, o))
}

func (c *countingLoader) LoadIdempotency(ctx context.Context, r sb.IdempotencyRecord) error {
	return count(&c.rep.IdempotencyKeys, c.Loader.LoadIdempotency(ctx, r))
}

func (c *countingLoader) LoadQueueThreshold(ctx context.Context, d time.Duration) error {
	if err := c.Loader.LoadQueueThreshold(ctx, d); err != nil {
		return err
	}
	c.rep.QueueThresholdSeconds = d.Seconds()
	return nil
}
