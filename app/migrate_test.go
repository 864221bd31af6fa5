package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
)

// dumpRecord is everything a store's Dump hands over.
type dumpRecord struct {
	Sessions    [][]sb.Event
	Sequences   map[string]int64
	Config      []string
	Tokens      []sb.Token
	Users       []sb.User
	Logins      []sb.Login
	Keys        map[string][]byte
	Offline     []sb.OfflineMessage
	Attachments []sb.Attachment
	Timers      []sb.Timer
	Outbox      []sb.OutboxItem
	Idempotency []sb.IdempotencyRecord
	Threshold   time.Duration
}

// recorder is a Loader that records what it is given.
type recorder struct{ r dumpRecord }

func (c *recorder) LoadSessions(_ context.Context, logs [][]sb.Event) error {
	c.r.Sessions = append(c.r.Sessions, logs...)
	return nil
}
func (c *recorder) LoadSequence(_ context.Context, name string, last int64) error {
	if c.r.Sequences == nil {
		c.r.Sequences = map[string]int64{}
	}
	c.r.Sequences[name] = last
	return nil
}
func (c *recorder) LoadConfig(_ context.Context, kind string, id int64, doc []byte) error {
	c.r.Config = append(c.r.Config, kind+":"+string(doc))
	return nil
}
func (c *recorder) LoadToken(_ context.Context, t sb.Token) error {
	c.r.Tokens = append(c.r.Tokens, t)
	return nil
}
func (c *recorder) LoadUser(_ context.Context, u sb.User) error {
	c.r.Users = append(c.r.Users, u)
	return nil
}
func (c *recorder) LoadLogin(_ context.Context, l sb.Login) error {
	c.r.Logins = append(c.r.Logins, l)
	return nil
}
func (c *recorder) LoadServerKey(_ context.Context, name string, key []byte) error {
	if c.r.Keys == nil {
		c.r.Keys = map[string][]byte{}
	}
	c.r.Keys[name] = key
	return nil
}
func (c *recorder) LoadOfflineMessage(_ context.Context, m sb.OfflineMessage) error {
	c.r.Offline = append(c.r.Offline, m)
	return nil
}
func (c *recorder) LoadAttachment(_ context.Context, a sb.Attachment) error {
	c.r.Attachments = append(c.r.Attachments, a)
	return nil
}
func (c *recorder) LoadTimer(_ context.Context, t sb.Timer) error {
	c.r.Timers = append(c.r.Timers, t)
	return nil
}
func (c *recorder) LoadOutbox(_ context.Context, o sb.OutboxItem) error {
	c.r.Outbox = append(c.r.Outbox, o)
	return nil
}
func (c *recorder) LoadIdempotency(_ context.Context, r sb.IdempotencyRecord) error {
	c.r.Idempotency = append(c.r.Idempotency, r)
	return nil
}
func (c *recorder) LoadQueueThreshold(_ context.Context, d time.Duration) error {
	c.r.Threshold = d
	return nil
}

func dump(t *testing.T, db app.Store) dumpRecord {
	t.Helper()
	var rec recorder
	if err := db.(sb.Copier).Dump(context.Background(), &rec); err != nil {
		t.Fatalf("dump: %v", err)
	}
	return rec.r
}

// populateAll is populate and a record of every other kind the store
// keeps beside the log.
func populateAll(t *testing.T, url string) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := populate(t, url)
	db := openStore(t, url)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tok := &sb.Token{Name: "ci", Role: sb.RoleIntegration, Hash: []byte("hash-1"), CreatedAt: t0}
	must(db.CreateToken(ctx, tok))
	must(db.CreateToken(ctx, &sb.Token{Name: "old", Role: sb.RoleAdmin, Hash: []byte("hash-2"), CreatedAt: t0}))
	must(db.RevokeToken(ctx, tok.ID, t0.Add(time.Hour)))
	u := &sb.User{Email: "Ann@Example.com", Name: "Ann", Role: sb.RoleAdmin, PasswordHash: "$argon2id$x", CreatedAt: t0, UpdatedAt: t0}
	must(db.CreateUser(ctx, u))
	must(db.CreateLogin(ctx, &sb.Login{UserID: u.ID, Hash: []byte("cookie"), CSRFToken: "csrf", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}))
	if _, err := db.ServerKey(ctx, "visitor", []byte("0123456789abcdef")); err != nil {
		t.Fatal(err)
	}
	must(db.CreateOfflineMessage(ctx, &sb.OfflineMessage{Name: "Bo", Content: "call me", Status: sb.OfflineUnprocessed,
		Fields: map[string]string{"city": "Oslo"}, CreatedAt: t0, UpdatedAt: t0}))
	must(db.CreateAttachment(ctx, &sb.Attachment{SessionID: ids[0], Name: "a.png", ContentType: "image/png", Size: 3,
		SHA256: "abc", Kind: sb.AttachmentImage, Width: 1, Height: 1, UploadedBy: "end_user", CreatedAt: t0}))
	// A pending timer, a delivery and an idempotency key, committed on
	// the queued session without new events.
	s, err := db.Session(ctx, ids[2])
	must(err)
	must(db.Commit(ctx, []*sb.Change{{Session: s, ExpectedSeq: s.Seq,
		SetTimers:   []sb.Timer{{SessionID: s.ID, Kind: "queue_timeout", DueAt: t0.Add(2 * time.Hour), Data: []byte(`{"n":1}`)}},
		Outbox:      []sb.OutboxItem{{Kind: "webhook", SessionID: s.ID, Key: "k-1", Payload: []byte("{}"), CreatedAt: t0, NextAttemptAt: t0}},
		Idempotency: &sb.IdempotencyRecord{Key: "admin:abc", Fingerprint: "fp", SessionID: s.ID, FromSeq: 1, ToSeq: s.Seq, CreatedAt: t0},
	}}))
	must(db.SetQueueThreshold(ctx, 45*time.Second))
	return ids
}

// Migrate copies every record, with its ID, in either direction; the copy
// verifies, numbers what comes next after the copied records, and a
// second migration into it is refused without a change.
func TestMigrate(t *testing.T) {
	sqliteURL := func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "sb.db") }
	for _, c := range []struct {
		name     string
		from, to func(t *testing.T) string
	}{
		{"sqlite_to_postgres", sqliteURL, func(t *testing.T) string { return pgtest.New(t) }},
		{"postgres_to_sqlite", func(t *testing.T) string { return pgtest.New(t) }, sqliteURL},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			fromURL := c.from(t)
			ids := populateAll(t, fromURL)
			toURL := c.to(t)
			from, to := openStore(t, fromURL), openStore(t, toURL)
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			rep, err := app.Migrate(ctx, from, to, log)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sessions != len(ids) || rep.Tokens != 2 || rep.Users != 1 || rep.Logins != 1 || rep.ServerKeys != 1 ||
				rep.OfflineMessages != 1 || rep.Attachments != 1 || rep.Timers < 1 || rep.Outbox < 1 || rep.IdempotencyKeys != 1 ||
				rep.ConfigDocs < 2 || rep.FactsRebuilt != len(ids) || rep.QueueThresholdSeconds != 45 {
				t.Errorf("report %+v", rep)
			}
			want, got := dump(t, from), dump(t, to)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the copy differs:\n got %+v\nwant %+v", got, want)
			}
			// The source's facts, derived from its log as a server does.
			if _, err := (&report.Projector{Events: from, Reports: from, Log: log}).Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				f1, err := from.Facts(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				f2, err := to.Facts(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(f1, f2) {
					t.Errorf("session %d: facts %+v, want %+v", id, f2, f1)
				}
				s1, _ := from.StoredProjection(ctx, id)
				s2, _ := to.StoredProjection(ctx, id)
				if string(s1) != string(s2) {
					t.Errorf("session %d: projection %s, want %s", id, s2, s1)
				}
			}

			// What comes next is numbered after the copy, as on the source.
			last, _ := from.LastEventID(ctx)
			if got, _ := to.LastEventID(ctx); got != last {
				t.Errorf("last event %d, want %d", got, last)
			}
			wantNext, _ := from.ReserveSessionIDs(ctx, 1)
			if next, err := to.ReserveSessionIDs(ctx, 1); err != nil || next != wantNext {
				t.Errorf("next session ID %d (%v), want %d", next, err, wantNext)
			}
			wantQueue, _ := from.NextConfigID(ctx, "queue")
			if next, err := to.NextConfigID(ctx, "queue"); err != nil || next != wantQueue {
				t.Errorf("next queue ID %d (%v), want %d", next, err, wantQueue)
			}
			tok := &sb.Token{Name: "new", Role: sb.RoleAdmin, Hash: []byte("hash-3"), CreatedAt: t0}
			if err := to.CreateToken(ctx, tok); err != nil || tok.ID != 3 {
				t.Errorf("new token ID %d (%v), want 3", tok.ID, err)
			}
			m := &sb.OfflineMessage{Content: "x", Status: sb.OfflineUnprocessed, CreatedAt: t0, UpdatedAt: t0}
			if err := to.CreateOfflineMessage(ctx, m); err != nil || m.ID != 2 {
				t.Errorf("new offline message ID %d (%v), want 2", m.ID, err)
			}
			if ok, err := to.Session(ctx, ids[1]); err != nil || ok.Agent == nil {
				t.Errorf("session %d: %+v, %v", ids[1], ok, err)
			}

			// Not empty now: refused, and nothing changes.
			before := dump(t, to)
			_, err = app.Migrate(ctx, from, to, log)
			if sb.ErrorCode(err) != sb.ECONFLICT {
				t.Errorf("a second migration: %v, want %s", err, sb.ECONFLICT)
			}
			if after := dump(t, to); !reflect.DeepEqual(after, before) {
				t.Errorf("a refused migration changed the target")
			}
		})
	}
}

// A session waiting in a queue when the store is copied still times out
// on the copy: its durable timer is copied with it and fires there.
func TestMigratedTimerFires(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fromURL, toURL := "sqlite:"+filepath.Join(t.TempDir(), "sb.db"), pgtest.New(t)
	openApp := func(url string, c *clock.Virtual) *app.App {
		t.Helper()
		a, err := app.Open(ctx, app.Options{Store: url, ExportsDir: filepath.Join(t.TempDir(), "exports"), Clock: c, Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	c := clock.NewVirtual(t0)
	a := openApp(fromURL, c)
	q, err := a.Directory.SaveQueue(ctx, sb.Queue{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	rs := a.Directory.RoutingSettings()
	rs.QueueTimeoutSeconds = 600
	if _, err := a.Directory.SaveRoutingSettings(ctx, rs); err != nil {
		t.Fatal(err)
	}
	res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Session.ID
	pending, ok, err := a.DB.NextTimer(ctx)
	if err != nil || !ok || pending.SessionID != id || pending.Kind != "queue_timeout" {
		t.Fatalf("pending timer %+v %v %v, want the queue timeout of session %d", pending, ok, err, id)
	}
	a.Close()

	if _, err := app.Migrate(ctx, openStore(t, fromURL), openStore(t, toURL), log); err != nil {
		t.Fatal(err)
	}

	c = clock.NewVirtual(t0.Add(time.Minute))
	b := openApp(toURL, c)
	defer b.Close()
	next, ok, err := b.DB.NextTimer(ctx)
	if err != nil || !ok || !reflect.DeepEqual(next, pending) {
		t.Fatalf("the copy's next timer %+v %v %v, want %+v", next, ok, err, pending)
	}
	c.Set(next.DueAt)
	if err := b.Engine.FireTimer(ctx, next); err != nil {
		t.Fatal(err)
	}
	s, err := b.DB.Session(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.EndedAt == nil || !s.EndedAt.Equal(pending.DueAt) {
		t.Errorf("session %d after its queue timeout on the copy: status %v, ended %v; want ended at %s", id, s.Status, s.EndedAt, pending.DueAt)
	}
	left, _ := b.DB.DueTimers(ctx, next.DueAt, 0)
	for _, tm := range left {
		if tm.Kind == pending.Kind {
			t.Errorf("the queue timeout is still pending after it fired: %+v", tm)
		}
	}
}
