package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.Copier = (*DB)(nil)

// dumpBatch is how many sessions Dump hands to LoadSessions at a time.
const dumpBatch = 500

// Dump implements sb.Copier: every table that is not derived from the
// log, read in one read transaction, so in one snapshot of the file.
func (db *DB) Dump(ctx context.Context, l sb.Loader) (err error) {
	defer db.classify(&err)
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("dump: begin: %w", err)
	}
	defer tx.Rollback()
	d := dumper{ctx: ctx, tx: tx}
	return sb.DumpAll(d, l)
}

// dumper reads the tables of Dump in its transaction.
type dumper struct {
	ctx context.Context
	tx  *sql.Tx
}

// each runs q and calls fn with every row.
func (d dumper) each(q string, fn func(*sql.Rows) error) error {
	rows, err := d.tx.QueryContext(d.ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (d dumper) Sequences(l sb.Loader) error {
	return d.each(`SELECT name, last FROM id_sequences ORDER BY name`, func(r *sql.Rows) error {
		var name string
		var last int64
		if err := r.Scan(&name, &last); err != nil {
			return err
		}
		return l.LoadSequence(d.ctx, name, last)
	})
}

func (d dumper) Config(l sb.Loader) error {
	return d.each(`SELECT kind, id, doc FROM config ORDER BY kind, id`, func(r *sql.Rows) error {
		var kind string
		var id int64
		var doc []byte
		if err := r.Scan(&kind, &id, &doc); err != nil {
			return err
		}
		return l.LoadConfig(d.ctx, kind, id, doc)
	})
}

func (d dumper) Tokens(l sb.Loader) error {
	return d.each(`SELECT id, name, role, agent_id, hash, created_at, revoked_at FROM tokens ORDER BY id`, func(r *sql.Rows) error {
		t, err := scanToken(r)
		if err != nil {
			return err
		}
		return l.LoadToken(d.ctx, *t)
	})
}

func (d dumper) Users(l sb.Loader) error {
	return d.each(`SELECT `+userColumns+` FROM users ORDER BY id`, func(r *sql.Rows) error {
		u, err := scanUser(r)
		if err != nil {
			return err
		}
		return l.LoadUser(d.ctx, *u)
	})
}

func (d dumper) Logins(l sb.Loader) error {
	return d.each(`SELECT id, user_id, hash, csrf_token, created_at, expires_at, revoked_at FROM logins ORDER BY id`, func(r *sql.Rows) error {
		var lg sb.Login
		var created, expires int64
		var revoked sql.NullInt64
		if err := r.Scan(&lg.ID, &lg.UserID, &lg.Hash, &lg.CSRFToken, &created, &expires, &revoked); err != nil {
			return err
		}
		lg.CreatedAt, lg.ExpiresAt = fromMS(created), fromMS(expires)
		if revoked.Valid {
			t := fromMS(revoked.Int64)
			lg.RevokedAt = &t
		}
		return l.LoadLogin(d.ctx, lg)
	})
}

func (d dumper) ServerKeys(l sb.Loader) error {
	return d.each(`SELECT name, key FROM server_keys ORDER BY name`, func(r *sql.Rows) error {
		var name string
		var key []byte
		if err := r.Scan(&name, &key); err != nil {
			return err
		}
		return l.LoadServerKey(d.ctx, name, key)
	})
}

// Sessions hands every session's log over, dumpBatch sessions at a time.
func (d dumper) Sessions(l sb.Loader) error {
	var batch [][]sb.Event
	var cur []sb.Event
	flush := func() error {
		if len(cur) > 0 {
			batch, cur = append(batch, cur), nil
		}
		if len(batch) == 0 {
			return nil
		}
		err := l.LoadSessions(d.ctx, batch)
		batch = nil
		return err
	}
	err := d.each(`SELECT id, session_id, seq, type, v, time, actor, data FROM events ORDER BY session_id, seq`, func(r *sql.Rows) error {
		var e sb.Event
		var t int64
		var actor, data []byte
		if err := r.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Type, &e.Version, &t, &actor, &data); err != nil {
			return err
		}
		e.Time, e.Data = fromMS(t), data
		if err := json.Unmarshal(actor, &e.Actor); err != nil {
			return fmt.Errorf("event %d: decode actor: %w", e.ID, err)
		}
		if len(cur) > 0 && cur[0].SessionID != e.SessionID {
			batch, cur = append(batch, cur), nil
			if len(batch) == dumpBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		cur = append(cur, e)
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func (d dumper) Attachments(l sb.Loader) error {
	return d.each(`SELECT `+attachmentColumns+` FROM attachments ORDER BY id`, func(r *sql.Rows) error {
		a, err := scanAttachment(r)
		if err != nil {
			return err
		}
		return l.LoadAttachment(d.ctx, a)
	})
}

func (d dumper) OfflineMessages(l sb.Loader) error {
	return d.each(`SELECT `+offlineColumns+` FROM offline_messages ORDER BY id`, func(r *sql.Rows) error {
		m, err := scanOffline(r)
		if err != nil {
			return err
		}
		return l.LoadOfflineMessage(d.ctx, m)
	})
}

func (d dumper) Timers(l sb.Loader) error {
	return d.each(`SELECT session_id, kind, due_at, data FROM timers ORDER BY due_at, session_id, kind`, func(r *sql.Rows) error {
		var tm sb.Timer
		var due int64
		var data []byte
		if err := r.Scan(&tm.SessionID, &tm.Kind, &due, &data); err != nil {
			return err
		}
		tm.DueAt, tm.Data = fromMS(due), data
		return l.LoadTimer(d.ctx, tm)
	})
}

func (d dumper) Outbox(l sb.Loader) error {
	return d.each(`SELECT `+outboxColumns+` FROM outbox ORDER BY id`, func(r *sql.Rows) error {
		o, err := scanOutbox(r)
		if err != nil {
			return err
		}
		return l.LoadOutbox(d.ctx, o)
	})
}

func (d dumper) IdempotencyKeys(l sb.Loader) error {
	return d.each(`SELECT key, fingerprint, session_id, from_seq, to_seq, created_at FROM idempotency_keys ORDER BY key`, func(r *sql.Rows) error {
		var rec sb.IdempotencyRecord
		var created int64
		if err := r.Scan(&rec.Key, &rec.Fingerprint, &rec.SessionID, &rec.FromSeq, &rec.ToSeq, &created); err != nil {
			return err
		}
		rec.CreatedAt = fromMS(created)
		return l.LoadIdempotency(d.ctx, rec)
	})
}

func (d dumper) QueueThreshold(l sb.Loader) error {
	var v int64
	if err := d.tx.QueryRowContext(d.ctx, `SELECT queue_threshold FROM report_state WHERE id = 1`).Scan(&v); err != nil {
		return err
	}
	return l.LoadQueueThreshold(d.ctx, time.Duration(v)*time.Millisecond)
}
