package switchboard

import (
	"context"
	"strconv"
)

// Attachment kinds.
const (
	AttachmentImage = "image"
	AttachmentFile  = "file"
)

// EUNSUPPORTED is the error code of an upload whose type is not allowed,
// or whose content is not what its declared type says.
const EUNSUPPORTED = "unsupported_media_type"

// AttachmentStore keeps the records of uploaded attachments; their bytes
// are in a BlobStore under AttachmentKey and ThumbnailKey.
type AttachmentStore interface {
	// CreateAttachment stores a new record and sets its ID.
	CreateAttachment(ctx context.Context, a *Attachment) error
	// Attachment returns one record, or an ENOTFOUND error.
	Attachment(ctx context.Context, id int64) (Attachment, error)
	// SessionAttachments returns a session's attachments by ascending ID.
	SessionAttachments(ctx context.Context, sessionID int64) ([]Attachment, error)
	// DeleteAttachment removes a record (an upload whose bytes could not
	// be stored). Deleting a missing record is not an error.
	DeleteAttachment(ctx context.Context, id int64) error
}

// AttachmentKey is where an attachment's bytes are kept in the blob store.
func AttachmentKey(sessionID, id int64) string {
	return "attachments/" + strconv.FormatInt(sessionID, 10) + "/" + strconv.FormatInt(id, 10)
}

// ThumbnailKey is where an image attachment's thumbnail is kept.
func ThumbnailKey(sessionID, id int64) string { return AttachmentKey(sessionID, id) + ".thumb" }
