package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// loadedTables are the tables Load requires empty: every one that holds
// what a Loader writes.
var loadedTables = []string{"sessions", "events", "config", "tokens", "users", "logins", "server_keys",
	"offline_messages", "attachments", "timers", "outbox", "idempotency_keys"}

// Load implements sb.Copier, in one write transaction.
func (db *DB) Load(ctx context.Context, fn func(sb.Loader) error) (err error) {
	defer db.classify(&err)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, t := range loadedTables {
		var found bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&found); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		if found {
			return sb.Errorf(sb.ECONFLICT, "the store is not empty: its table %s has rows", t)
		}
	}
	event, err := tx.PrepareContext(ctx, `INSERT INTO events (id, session_id, seq, type, v, time, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	defer event.Close()
	l := &loader{db: db, tx: tx, event: event}
	if err := fn(l); err != nil {
		return err
	}
	if err := l.advance(ctx); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load: commit: %w", err)
	}
	db.textPending.Store(true) // the loaded messages are not indexed yet
	db.committed()
	return nil
}

// loader is the sb.Loader of one Load.
type loader struct {
	db    *DB
	tx    *sql.Tx
	event *sql.Stmt
}

func (l *loader) exec(ctx context.Context, what, q string, args ...any) error {
	if _, err := l.tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("load %s: %w", what, err)
	}
	return nil
}

// advance raises the session and configuration sequences to the largest
// IDs loaded. Other records take the next free rowid.
func (l *loader) advance(ctx context.Context) error {
	rows, err := l.tx.QueryContext(ctx, `SELECT 'session', MAX(id) FROM sessions HAVING MAX(id) IS NOT NULL
		UNION ALL SELECT 'config:' || kind, MAX(id) FROM config GROUP BY kind`)
	if err != nil {
		return err
	}
	type seq struct {
		name string
		last int64
	}
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.name, &s.last); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range seqs {
		if err := advanceSequence(ctx, l.tx, s.name, s.last); err != nil {
			return err
		}
	}
	return nil
}

// LoadSessions implements sb.Loader: the rows a commit creating each
// session with its whole log writes, with the events' own IDs, and every
// agent of its handles in session_agents.
func (l *loader) LoadSessions(ctx context.Context, logs [][]sb.Event) error {
	st := func(name string) *sql.Stmt { return l.tx.StmtContext(ctx, l.db.stmts[name]) }
	for _, events := range logs {
		s, err := lifecycle.Fold(events)
		if err != nil {
			return fmt.Errorf("load session %d: %w", events[0].SessionID, err)
		}
		state, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("load session %d: %w", s.ID, err)
		}
		var agentID, queueID int64
		if s.Agent != nil {
			agentID = s.Agent.ID
		}
		if s.Queue != nil {
			queueID = s.Queue.ID
		}
		if _, err := st("insertSession").ExecContext(ctx, s.ID, s.UUID, string(s.Type), string(s.Medium), int(s.Status), s.Seq,
			nullID(agentID), nullID(queueID), ms(s.CreatedAt), ms(s.UpdatedAt), nullMS(s.EndedAt), state, string(s.Channel),
			sql.NullString{String: s.EndUser.Identifier, Valid: s.EndUser.Identifier != ""}); err != nil {
			return fmt.Errorf("load session %d: %w", s.ID, err)
		}
		for _, h := range s.Handles {
			if _, err := st("indexAgent").ExecContext(ctx, h.Agent.ID, s.ID); err != nil {
				return fmt.Errorf("load session %d: index agent: %w", s.ID, err)
			}
		}
		if err := indexCustomer(ctx, st, &sb.Change{Session: s}, false); err != nil {
			return fmt.Errorf("load session %d: %w", s.ID, err)
		}
		for i := range events {
			e := &events[i]
			if e.Type == textEvent {
				if err := checkMessage(e); err != nil {
					return err
				}
			}
			actor, err := json.Marshal(e.Actor)
			if err != nil {
				return fmt.Errorf("load event %d: %w", e.ID, err)
			}
			if _, err := l.event.ExecContext(ctx, e.ID, e.SessionID, e.Seq, string(e.Type), e.Version, ms(e.Time), actor, []byte(e.Data)); err != nil {
				return fmt.Errorf("load event %d: %w", e.ID, err)
			}
		}
	}
	return nil
}

// LoadSequence implements sb.Loader.
func (l *loader) LoadSequence(ctx context.Context, name string, last int64) error {
	if err := advanceSequence(ctx, l.tx, name, last); err != nil {
		return fmt.Errorf("load sequence %s: %w", name, err)
	}
	return nil
}

// LoadConfig implements sb.Loader.
func (l *loader) LoadConfig(ctx context.Context, kind string, id int64, doc []byte) error {
	return l.exec(ctx, "configuration", `INSERT INTO config (kind, id, doc) VALUES (?, ?, ?)`, kind, id, doc)
}

// LoadToken implements sb.Loader.
func (l *loader) LoadToken(ctx context.Context, t sb.Token) error {
	return l.exec(ctx, "token", `INSERT INTO tokens (id, name, role, agent_id, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.Role, t.AgentID, t.Hash, ms(t.CreatedAt), nullMS(t.RevokedAt))
}

// LoadUser implements sb.Loader.
func (l *loader) LoadUser(ctx context.Context, u sb.User) error {
	return l.exec(ctx, "user", `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, ms(u.CreatedAt), ms(u.UpdatedAt))
}

// LoadLogin implements sb.Loader.
func (l *loader) LoadLogin(ctx context.Context, lg sb.Login) error {
	return l.exec(ctx, "login", `INSERT INTO logins (id, user_id, hash, csrf_token, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, lg.ID, lg.UserID, lg.Hash, lg.CSRFToken, ms(lg.CreatedAt), ms(lg.ExpiresAt), nullMS(lg.RevokedAt))
}

// LoadServerKey implements sb.Loader.
func (l *loader) LoadServerKey(ctx context.Context, name string, key []byte) error {
	return l.exec(ctx, "server key", `INSERT INTO server_keys (name, key) VALUES (?, ?)`, name, key)
}

// LoadOfflineMessage implements sb.Loader.
func (l *loader) LoadOfflineMessage(ctx context.Context, m sb.OfflineMessage) error {
	fields, err := offlineFields(&m)
	if err != nil {
		return fmt.Errorf("load offline message %d: %w", m.ID, err)
	}
	return l.exec(ctx, "offline message", `INSERT INTO offline_messages (`+offlineColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.ProcessedAt))
}

// LoadAttachment implements sb.Loader.
func (l *loader) LoadAttachment(ctx context.Context, a sb.Attachment) error {
	return l.exec(ctx, "attachment", `INSERT INTO attachments (`+attachmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.SessionID, a.Name, a.ContentType, a.Size, a.SHA256, a.Kind, a.Width, a.Height, a.UploadedBy, a.AgentID, ms(a.CreatedAt))
}

// LoadTimer implements sb.Loader.
func (l *loader) LoadTimer(ctx context.Context, t sb.Timer) error {
	return l.exec(ctx, "timer", `INSERT INTO timers (session_id, kind, due_at, data) VALUES (?, ?, ?, ?)`,
		t.SessionID, t.Kind, ms(t.DueAt), []byte(t.Data))
}

// LoadOutbox implements sb.Loader.
func (l *loader) LoadOutbox(ctx context.Context, o sb.OutboxItem) error {
	payload := o.Payload
	if payload == nil {
		payload = []byte{}
	}
	return l.exec(ctx, "delivery", `INSERT INTO outbox (`+outboxColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Kind, o.SessionID, o.Key, payload, o.State, o.Attempts, ms(o.CreatedAt), ms(o.NextAttemptAt),
		nullMS(o.DeliveredAt), o.LastError)
}

// LoadIdempotency implements sb.Loader.
func (l *loader) LoadIdempotency(ctx context.Context, r sb.IdempotencyRecord) error {
	return l.exec(ctx, "idempotency key", `INSERT INTO idempotency_keys (key, fingerprint, session_id, from_seq, to_seq, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.Key, r.Fingerprint, r.SessionID, r.FromSeq, r.ToSeq, ms(r.CreatedAt))
}

// LoadQueueThreshold implements sb.Loader. No facts are stored yet, so no
// rollup needs rebuilding.
func (l *loader) LoadQueueThreshold(ctx context.Context, d time.Duration) error {
	if d < 0 || d > 24*time.Hour || d%time.Millisecond != 0 {
		return sb.Errorf(sb.EINVALID, "the queue threshold must be whole milliseconds from 0 to 24 hours")
	}
	return l.exec(ctx, "queue threshold", `UPDATE report_state SET queue_threshold = ? WHERE id = 1`, d.Milliseconds())
}
