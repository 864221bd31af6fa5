package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// loadedTables are the tables Load requires empty: every one that holds
// what a Loader writes.
var loadedTables = []string{"sessions", "events", "config", "tokens", "users", "logins", "server_keys",
	"offline_messages", "attachments", "timers", "outbox", "idempotency_keys"}

// identityTables are the tables whose IDs an identity column hands out:
// Load moves each past the largest ID loaded.
var identityTables = []string{"tokens", "users", "logins", "attachments", "offline_messages", "outbox"}

// Load implements sb.Copier, in one transaction that checks the leader's
// fence (SetFence) first, as Commit does.
func (db *DB) Load(ctx context.Context, fn func(sb.Loader) error) (err error) {
	defer classify(&err)
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if err := db.checkFence(ctx, tx); err != nil {
			return err
		}
		for _, t := range loadedTables {
			var found bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&found); err != nil {
				return fmt.Errorf("load: %w", err)
			}
			if found {
				return sb.Errorf(sb.ECONFLICT, "the store is not empty: its table %s has rows", t)
			}
		}
		if err := fn(&loader{tx: tx}); err != nil {
			return err
		}
		if err := advanceLoaded(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		return nil
	})
}

// advanceLoaded moves the event position, the session and configuration
// sequences and the identity columns past the largest IDs loaded.
func advanceLoaded(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE event_position SET last = (SELECT COALESCE(MAX(id), 0) FROM events) WHERE id = 1`); err != nil {
		return fmt.Errorf("event position: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO id_sequences (name, last)
		SELECT 'session', MAX(id) FROM sessions HAVING MAX(id) IS NOT NULL
		UNION ALL SELECT 'config:' || kind, MAX(id) FROM config GROUP BY kind
		ON CONFLICT (name) DO UPDATE SET last = GREATEST(id_sequences.last, excluded.last)`); err != nil {
		return fmt.Errorf("sequences: %w", err)
	}
	for _, t := range identityTables {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM `+t); err != nil {
			return fmt.Errorf("%s id: %w", t, err)
		}
	}
	return nil
}

// loader is the sb.Loader of one Load.
type loader struct {
	tx pgx.Tx
}

func (l *loader) exec(ctx context.Context, what, q string, args ...any) error {
	if _, err := l.tx.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("load %s: %w", what, err)
	}
	return nil
}

// insertLoadedEventsSQL inserts events with the IDs they carry.
const insertLoadedEventsSQL = `INSERT INTO events (id, session_id, seq, type, v, time, actor, data, text)
	SELECT id, session_id, seq, type, v, time, actor, data, NULLIF(text, '')
	FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::integer[], $6::bigint[], $7::bytea[], $8::bytea[], $9::text[])
		AS e(id, session_id, seq, type, v, time, actor, data, text)`

// LoadSessions implements sb.Loader: the rows a commit creating each
// session with its whole log writes, with the events' own IDs, and every
// agent of its handles in session_agents; one statement per table.
func (l *loader) LoadSessions(ctx context.Context, logs [][]sb.Event) error {
	var p commitPlan
	for _, events := range logs {
		s, err := lifecycle.Fold(events)
		if err != nil {
			return fmt.Errorf("load session %d: %w", events[0].SessionID, err)
		}
		if err := p.addSession(s, 0); err != nil {
			return err
		}
		for _, h := range s.Handles {
			p.agents.agent = append(p.agents.agent, h.Agent.ID)
			p.agents.session = append(p.agents.session, s.ID)
		}
		p.customers.index(&sb.Change{Session: s}, false)
		for i := range events {
			if err := p.addEvent(&events[i]); err != nil {
				return err
			}
		}
	}
	r := &p.inserts
	if len(r.id) == 0 {
		return nil
	}
	tag, err := l.tx.Exec(ctx, insertSessionsSQL, r.id, r.uuid, r.typ, r.medium, r.channel, r.status, r.seq, r.agent, r.queue,
		r.endUser, r.tags, r.created, r.updated, r.ended, r.state)
	if err != nil {
		return fmt.Errorf("load sessions: %w", err)
	}
	if tag.RowsAffected() != int64(len(r.id)) {
		return sb.Errorf(sb.ECONFLICT, "load sessions: a session of the batch exists already")
	}
	if len(p.agents.agent) > 0 {
		if err := l.exec(ctx, "session agents", insertAgentsSQL, p.agents.agent, p.agents.session); err != nil {
			return err
		}
	}
	if c := &p.customers; len(c.customer) > 0 {
		if err := l.exec(ctx, "customers", insertCustomersSQL, c.customer, c.session, c.agent, c.n, c.at); err != nil {
			return err
		}
	}
	ids := make([]int64, len(p.eventRefs))
	for i, e := range p.eventRefs {
		ids[i] = e.ID
	}
	e := &p.events
	return l.exec(ctx, "events", insertLoadedEventsSQL, ids, e.session, e.seq, e.typ, e.v, e.time, e.actor, e.data, e.text)
}

// LoadSequence implements sb.Loader.
func (l *loader) LoadSequence(ctx context.Context, name string, last int64) error {
	return l.exec(ctx, "sequence "+name, advanceSequenceSQL, name, last)
}

// LoadConfig implements sb.Loader.
func (l *loader) LoadConfig(ctx context.Context, kind string, id int64, doc []byte) error {
	return l.exec(ctx, "configuration", `INSERT INTO config (kind, id, doc) VALUES ($1, $2, $3)`, kind, id, doc)
}

// LoadToken implements sb.Loader.
func (l *loader) LoadToken(ctx context.Context, t sb.Token) error {
	return l.exec(ctx, "token", `INSERT INTO tokens (`+tokenColumns+`) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.Name, t.Role, t.AgentID, t.Hash, ms(t.CreatedAt), nullMS(t.RevokedAt))
}

// LoadUser implements sb.Loader.
func (l *loader) LoadUser(ctx context.Context, u sb.User) error {
	return l.exec(ctx, "user", `INSERT INTO users (`+userColumns+`) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, userMS(u.CreatedAt), userMS(u.UpdatedAt))
}

// LoadLogin implements sb.Loader.
func (l *loader) LoadLogin(ctx context.Context, lg sb.Login) error {
	return l.exec(ctx, "login", `INSERT INTO logins (id, user_id, hash, csrf_token, created_at, expires_at, revoked_at)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		lg.ID, lg.UserID, lg.Hash, lg.CSRFToken, ms(lg.CreatedAt), ms(lg.ExpiresAt), nullMS(lg.RevokedAt))
}

// LoadServerKey implements sb.Loader.
func (l *loader) LoadServerKey(ctx context.Context, name string, key []byte) error {
	return l.exec(ctx, "server key", `INSERT INTO server_keys (name, key) VALUES ($1, $2)`, name, key)
}

// LoadOfflineMessage implements sb.Loader.
func (l *loader) LoadOfflineMessage(ctx context.Context, m sb.OfflineMessage) error {
	fields, err := offlineFields(&m)
	if err != nil {
		return fmt.Errorf("load offline message %d: %w", m.ID, err)
	}
	return l.exec(ctx, "offline message", `INSERT INTO offline_messages (`+offlineColumns+`) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		m.ID, m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.ProcessedAt))
}

// LoadAttachment implements sb.Loader.
func (l *loader) LoadAttachment(ctx context.Context, a sb.Attachment) error {
	return l.exec(ctx, "attachment", `INSERT INTO attachments (`+attachmentColumns+`) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.ID, a.SessionID, a.Name, a.ContentType, a.Size, a.SHA256, a.Kind, a.Width, a.Height, a.UploadedBy, a.AgentID, ms(a.CreatedAt))
}

// LoadTimer implements sb.Loader.
func (l *loader) LoadTimer(ctx context.Context, t sb.Timer) error {
	return l.exec(ctx, "timer", `INSERT INTO timers (session_id, kind, due_at, data) VALUES ($1, $2, $3, $4)`,
		t.SessionID, t.Kind, ms(t.DueAt), []byte(t.Data))
}

// LoadOutbox implements sb.Loader.
func (l *loader) LoadOutbox(ctx context.Context, o sb.OutboxItem) error {
	payload := o.Payload
	if payload == nil {
		payload = []byte{}
	}
	return l.exec(ctx, "delivery", `INSERT INTO outbox (`+outboxColumns+`) OVERRIDING SYSTEM VALUE
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		o.ID, o.Kind, o.SessionID, o.Key, payload, o.State, o.Attempts, ms(o.CreatedAt), ms(o.NextAttemptAt),
		nullMS(o.DeliveredAt), o.LastError)
}

// LoadIdempotency implements sb.Loader.
func (l *loader) LoadIdempotency(ctx context.Context, r sb.IdempotencyRecord) error {
	return l.exec(ctx, "idempotency key", `INSERT INTO idempotency_keys (key, fingerprint, session_id, from_seq, to_seq, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.Key, r.Fingerprint, r.SessionID, r.FromSeq, r.ToSeq, ms(r.CreatedAt))
}

// LoadQueueThreshold implements sb.Loader. No facts are stored yet, so no
// rollup needs rebuilding.
func (l *loader) LoadQueueThreshold(ctx context.Context, d time.Duration) error {
	if d < 0 || d > 24*time.Hour || d%time.Millisecond != 0 {
		return sb.Errorf(sb.EINVALID, "the queue threshold must be whole milliseconds from 0 to 24 hours")
	}
	return l.exec(ctx, "queue threshold", `UPDATE report_state SET queue_threshold = $1 WHERE id = 1`, d.Milliseconds())
}
