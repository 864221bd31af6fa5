package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.AttachmentStore = (*DB)(nil)

const attachmentColumns = `id, session_id, name, content_type, size, sha256, kind, width, height, uploaded_by, agent_id, created_at`

// CreateAttachment implements sb.AttachmentStore. The record of a session
// that does not exist is refused (ENOTFOUND), by the foreign key.
func (db *DB) CreateAttachment(ctx context.Context, a *sb.Attachment) (err error) {
	defer classify(&err)
	err = db.pool.QueryRow(ctx, `INSERT INTO attachments (session_id, name, content_type, size, sha256, kind,
		width, height, uploaded_by, agent_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`,
		a.SessionID, a.Name, a.ContentType, a.Size, a.SHA256, a.Kind, a.Width, a.Height, a.UploadedBy, a.AgentID,
		ms(a.CreatedAt)).Scan(&a.ID)
	if pgCode(err) == "23503" { // foreign_key_violation
		return fmt.Errorf("%w: %w", sb.Errorf(sb.ENOTFOUND, "session %d not found", a.SessionID), err)
	}
	if err != nil {
		return fmt.Errorf("create attachment: %w", err)
	}
	return nil
}

func scanAttachment(row pgx.CollectableRow) (sb.Attachment, error) {
	var a sb.Attachment
	var created int64
	err := row.Scan(&a.ID, &a.SessionID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Kind, &a.Width, &a.Height,
		&a.UploadedBy, &a.AgentID, &created)
	a.CreatedAt = fromMS(created)
	return a, err
}

// Attachment implements sb.AttachmentStore.
func (db *DB) Attachment(ctx context.Context, id int64) (_ sb.Attachment, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id)
	if err != nil {
		return sb.Attachment{}, fmt.Errorf("attachment %d: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanAttachment)
	if errors.Is(err, pgx.ErrNoRows) {
		return sb.Attachment{}, sb.Errorf(sb.ENOTFOUND, "attachment %d not found", id)
	}
	if err != nil {
		return sb.Attachment{}, fmt.Errorf("attachment %d: %w", id, err)
	}
	return a, nil
}

// SessionAttachments implements sb.AttachmentStore.
func (db *DB) SessionAttachments(ctx context.Context, sessionID int64) (_ []sb.Attachment, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE session_id = $1 ORDER BY id`, sessionID)
	if err != nil {
		return nil, fmt.Errorf("attachments of session %d: %w", sessionID, err)
	}
	out, err := pgx.CollectRows(rows, scanAttachment)
	if err != nil {
		return nil, fmt.Errorf("attachments of session %d: %w", sessionID, err)
	}
	return out, nil
}

// DeleteAttachment implements sb.AttachmentStore.
func (db *DB) DeleteAttachment(ctx context.Context, id int64) (err error) {
	defer classify(&err)
	if _, err := db.pool.Exec(ctx, `DELETE FROM attachments WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete attachment %d: %w", id, err)
	}
	return nil
}
