package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.OfflineStore = (*DB)(nil)

const offlineColumns = `id, plugin_id, template_id, visitor_id, session_id, queue_id, name, email, phone, fields,
	content, status, assignee_id, note, created_at, updated_at, processed_at`

func scanOffline(row interface{ Scan(...any) error }) (sb.OfflineMessage, error) {
	var m sb.OfflineMessage
	var fields []byte
	var created, updated int64
	var processed sql.NullInt64
	if err := row.Scan(&m.ID, &m.PluginID, &m.TemplateID, &m.VisitorID, &m.SessionID, &m.QueueID, &m.Name, &m.Email,
		&m.Phone, &fields, &m.Content, &m.Status, &m.AssigneeID, &m.Note, &created, &updated, &processed); err != nil {
		return m, err
	}
	if len(fields) > 0 {
		if err := json.Unmarshal(fields, &m.Fields); err != nil {
			return m, fmt.Errorf("offline message %d fields: %w", m.ID, err)
		}
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	if processed.Valid {
		p := fromMS(processed.Int64)
		m.ProcessedAt = &p
	}
	return m, nil
}

func offlineFields(m *sb.OfflineMessage) ([]byte, error) {
	if len(m.Fields) == 0 {
		return nil, nil
	}
	return json.Marshal(m.Fields)
}

// CreateOfflineMessage implements sb.OfflineStore.
func (db *DB) CreateOfflineMessage(ctx context.Context, m *sb.OfflineMessage) (err error) {
	defer db.classify(&err)
	fields, err := offlineFields(m)
	if err != nil {
		return fmt.Errorf("create offline message: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `INSERT INTO offline_messages (plugin_id, template_id, visitor_id, session_id,
		queue_id, name, email, phone, fields, content, status, assignee_id, note, created_at, updated_at, processed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.ProcessedAt))
	if err != nil {
		return fmt.Errorf("create offline message: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create offline message: %w", err)
	}
	return nil
}

// OfflineMessage implements sb.OfflineStore.
func (db *DB) OfflineMessage(ctx context.Context, id int64) (sb.OfflineMessage, error) {
	m, err := scanOffline(db.read.QueryRowContext(ctx, `SELECT `+offlineColumns+` FROM offline_messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, sb.Errorf(sb.ENOTFOUND, "offline message %d not found", id)
	}
	if err != nil {
		return m, fmt.Errorf("offline message %d: %w", id, err)
	}
	return m, nil
}

// likePattern returns a LIKE pattern that matches values containing q.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// OfflineMessages implements sb.OfflineStore.
func (db *DB) OfflineMessages(ctx context.Context, f sb.OfflineFilter) ([]sb.OfflineMessage, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Assignee != nil {
		where, args = append(where, "assignee_id = ?"), append(args, *f.Assignee)
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		where = append(where, `(content LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\' OR phone LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p, p)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	q := `SELECT ` + offlineColumns + ` FROM offline_messages`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("offline messages: %w", err)
	}
	defer rows.Close()
	var out []sb.OfflineMessage
	for rows.Next() {
		m, err := scanOffline(rows)
		if err != nil {
			return nil, fmt.Errorf("offline messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("offline messages: %w", err)
	}
	return out, nil
}

// CountOfflineMessages implements sb.OfflineStore. Each count reads an
// index only.
func (db *DB) CountOfflineMessages(ctx context.Context, agentID int64) (sb.OfflineCounts, error) {
	var c sb.OfflineCounts
	rows, err := db.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM offline_messages GROUP BY status`)
	if err != nil {
		return c, fmt.Errorf("count offline messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return c, fmt.Errorf("count offline messages: %w", err)
		}
		c.All += n
		switch status {
		case sb.OfflineUnprocessed:
			c.Unprocessed = n
		case sb.OfflineProcessing:
			c.Processing = n
		case sb.OfflineProcessed:
			c.Processed = n
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("count offline messages: %w", err)
	}
	const byAssignee = `SELECT COUNT(*) FROM offline_messages WHERE assignee_id = ?`
	if err := db.read.QueryRowContext(ctx, byAssignee, 0).Scan(&c.Unassigned); err != nil {
		return c, fmt.Errorf("count offline messages: %w", err)
	}
	if agentID > 0 {
		if err := db.read.QueryRowContext(ctx, byAssignee, agentID).Scan(&c.Mine); err != nil {
			return c, fmt.Errorf("count offline messages: %w", err)
		}
	}
	return c, nil
}

// UpdateOfflineMessage implements sb.OfflineStore.
func (db *DB) UpdateOfflineMessage(ctx context.Context, id int64, change func(m *sb.OfflineMessage) error) (_ sb.OfflineMessage, err error) {
	defer db.classify(&err)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return sb.OfflineMessage{}, fmt.Errorf("update offline message %d: %w", id, err)
	}
	defer tx.Rollback()
	old, err := scanOffline(tx.QueryRowContext(ctx, `SELECT `+offlineColumns+` FROM offline_messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return old, sb.Errorf(sb.ENOTFOUND, "offline message %d not found", id)
	}
	if err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
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
	if _, err := tx.ExecContext(ctx, `UPDATE offline_messages SET plugin_id = ?, template_id = ?, visitor_id = ?,
		session_id = ?, queue_id = ?, name = ?, email = ?, phone = ?, fields = ?, content = ?, status = ?, assignee_id = ?,
		note = ?, updated_at = ?, processed_at = ? WHERE id = ?`,
		m.PluginID, m.TemplateID, m.VisitorID, m.SessionID, m.QueueID, m.Name, m.Email, m.Phone, fields, m.Content,
		m.Status, m.AssigneeID, m.Note, ms(m.UpdatedAt), nullMS(m.ProcessedAt), id); err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return old, fmt.Errorf("update offline message %d: %w", id, err)
	}
	return m, nil
}
