package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.OfflineStore = (*DB)(nil)

const offlineColumns = `id, plugin_id, template_id, visitor_id, session_id, queue_id, name, email, phone, fields,
	content, status, assignee_id, note, created_at, updated_at, processed_at`

func scanOffline(row pgx.CollectableRow) (sb.OfflineMessage, error) {
	var m sb.OfflineMessage
	var fields []byte
	var created, updated int64
	var processed *int64
	if err := row.Scan(&m.ID, &m.PluginID, &m.TemplateID, &m.VisitorID, &m.SessionID, &m.QueueID, &m.Name, &m.Email,
		&m.Phone, &fields, &m.Content, &m.Status, &m.AssigneeID, &m.Note, &created, &updated, &processed); err != nil {
		return m, err
	}
	if len(fields) > 0 {
		if err := json.Unmarshal(fields, &m.Fields); err != nil {
			return m, fmt.Errorf("offline message %d fields: %w", m.ID, err)
		}
	}
	m.CreatedAt, m.UpdatedAt, m.ProcessedAt = fromMS(created), fromMS(updated), fromNullMS(processed)
	return m, nil
}

// offlineFields is the fields column: NULL when there are none.
func offlineFields(m *sb.OfflineMessage) ([]byte, error) {
	if len(m.Fields) == 0 {
		return nil, nil
	}
	return json.Marshal(m.Fields)
}

// CreateOfflineMessage implements sb.OfflineStore.
func (db *DB) CreateOfflineMessage(ctx context.Context, m *sb.OfflineMessage) (err error) {
	defer classify(&err)
	fields, err := offlineFields(m)
	if err != nil {
		return fmt.Errorf("create offline message: %w", err)
	}
	err = db.pool.QueryRow(ctx, `INSERT INTO offline_messages (plugin_id, template_id, visitor_id, session_id,
		queue_id, name, email, phone, fields, content, status, assignee_id, note, created_at, updated_at, processed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.ProcessedAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("create offline message: %w", err)
	}
	return nil
}

// OfflineMessage implements sb.OfflineStore.
func (db *DB) OfflineMessage(ctx context.Context, id int64) (_ sb.OfflineMessage, err error) {
	defer classify(&err)
	return db.offlineMessage(ctx, db.pool, `SELECT `+offlineColumns+` FROM offline_messages WHERE id = $1`, id)
}

func (db *DB) offlineMessage(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, id int64) (sb.OfflineMessage, error) {
	rows, err := q.Query(ctx, sql, id)
	if err != nil {
		return sb.OfflineMessage{}, fmt.Errorf("offline message %d: %w", id, err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanOffline)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, sb.Errorf(sb.ENOTFOUND, "offline message %d not found", id)
	}
	if err != nil {
		return m, fmt.Errorf("offline message %d: %w", id, err)
	}
	return m, nil
}

// OfflineMessages implements sb.OfflineStore. The query ignores the case
// of ASCII letters (ILIKE; in a database of the C locale only those).
func (db *DB) OfflineMessages(ctx context.Context, f sb.OfflineFilter) (_ []sb.OfflineMessage, err error) {
	defer classify(&err)
	var w where
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Assignee != nil {
		w.add("assignee_id = ?", *f.Assignee)
	}
	if f.Query != "" {
		p := w.param(likePattern(f.Query))
		w.add(`(content ILIKE ` + p + ` ESCAPE '\' OR name ILIKE ` + p + ` ESCAPE '\' OR email ILIKE ` + p +
			` ESCAPE '\' OR phone ILIKE ` + p + ` ESCAPE '\')`)
	}
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	q := `SELECT ` + offlineColumns + ` FROM offline_messages` + w.sql() + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + w.param(f.Limit)
	}
	rows, err := db.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("offline messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanOffline)
	if err != nil {
		return nil, fmt.Errorf("offline messages: %w", err)
	}
	return out, nil
}

// CountOfflineMessages implements sb.OfflineStore: one query, each count
// a filter of it.
func (db *DB) CountOfflineMessages(ctx context.Context, agentID int64) (_ sb.OfflineCounts, err error) {
	defer classify(&err)
	var c sb.OfflineCounts
	err = db.pool.QueryRow(ctx, `SELECT COUNT(*),
			COUNT(*) FILTER (WHERE status = $1),
			COUNT(*) FILTER (WHERE status = $2),
			COUNT(*) FILTER (WHERE status = $3),
			COUNT(*) FILTER (WHERE assignee_id = 0),
			COUNT(*) FILTER (WHERE assignee_id = $4 AND $4 > 0)
		FROM offline_messages`, sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed, agentID).
		Scan(&c.All, &c.Unprocessed, &c.Processing, &c.Processed, &c.Unassigned, &c.Mine)
	if err != nil {
		return c, fmt.Errorf("count offline messages: %w", err)
	}
	return c, nil
}

// UpdateOfflineMessage implements sb.OfflineStore: the row is read for
// update, so that concurrent updates of a message apply one after the
// other.
func (db *DB) UpdateOfflineMessage(ctx context.Context, id int64, change func(m *sb.OfflineMessage) error) (_ sb.OfflineMessage, err error) {
	defer classify(&err)
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return sb.OfflineMessage{}, fmt.Errorf("update offline message %d: %w", id, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	old, err := db.offlineMessage(ctx, tx, `SELECT `+offlineColumns+` FROM offline_messages WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return old, err
	}
	m := old
	m.Fields = maps.Clone(old.Fields)
	if err := change(&m); err != nil {
		return old, err
	}
	m.ID, m.CreatedAt = old.ID, old.CreatedAt
	fields, err := offlineFields(&m)
	if err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE offline_messages SET plugin_id = $1, template_id = $2, visitor_id = $3,
		session_id = $4, queue_id = $5, name = $6, email = $7, phone = $8, fields = $9, content = $10, status = $11,
		assignee_id = $12, note = $13, updated_at = $14, processed_at = $15 WHERE id = $16`,
		m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.UpdatedAt), nullMS(m.ProcessedAt), id); err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
	}
	return m, nil
}
