package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var _ sb.AttachmentStore = (*DB)(nil)

const attachmentColumns = `id, session_id, name, content_type, size, sha256, kind, width, height, uploaded_by, agent_id, created_at`

// CreateAttachment implements sb.AttachmentStore.
func (db *DB) CreateAttachment(ctx context.Context, a *sb.Attachment) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `INSERT INTO attachments (session_id, name, content_type, size, sha256, kind,
		width, height, uploaded_by, agent_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.SessionID, a.Name, a.ContentType, a.Size, a.SHA256, a.Kind, a.Width, a.Height, a.UploadedBy, a.AgentID, ms(a.CreatedAt))
	if err != nil {
		if isForeignKey(err) {
			return sb.Errorf(sb.ENOTFOUND, "session %d not found", a.SessionID)
		}
		return fmt.Errorf("create attachment: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("create attachment: %w", err)
	}
	return nil
}

func scanAttachment(row interface{ Scan(...any) error }) (sb.Attachment, error) {
	var a sb.Attachment
	var created int64
	err := row.Scan(&a.ID, &a.SessionID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Kind, &a.Width, &a.Height,
		&a.UploadedBy, &a.AgentID, &created)
	a.CreatedAt = fromMS(created)
	return a, err
}

// Attachment implements sb.AttachmentStore.
func (db *DB) Attachment(ctx context.Context, id int64) (sb.Attachment, error) {
	a, err := scanAttachment(db.read.QueryRowContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sb.Attachment{}, sb.Errorf(sb.ENOTFOUND, "attachment %d not found", id)
	}
	if err != nil {
		return sb.Attachment{}, fmt.Errorf("attachment %d: %w", id, err)
	}
	return a, nil
}

// SessionAttachments implements sb.AttachmentStore.
func (db *DB) SessionAttachments(ctx context.Context, sessionID int64) ([]sb.Attachment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("attachments of session %d: %w", sessionID, err)
	}
	defer rows.Close()
	var out []sb.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("attachments of session %d: %w", sessionID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteAttachment implements sb.AttachmentStore.
func (db *DB) DeleteAttachment(ctx context.Context, id int64) (err error) {
	defer db.classify(&err)
	if _, err := db.write.ExecContext(ctx, `DELETE FROM attachments WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete attachment %d: %w", id, err)
	}
	return nil
}

// isForeignKey reports whether err is SQLite refusing a row whose
// reference does not exist.
func isForeignKey(err error) bool {
	var e *msqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
