package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/thumbnail"
)

// uploadRoute is the one route whose body may be larger than MaxBodyBytes;
// it applies the chat settings' MaxUploadBytes itself.
const uploadRoute = "POST /api/v1/sessions/{id}/attachments"

// thumbnailSlots bounds how many images are decoded at once: decoding is
// CPU-bound and an image within the pixel budget may take a few hundred
// megabytes while it is scaled.
var thumbnailSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

func (s *Server) attachmentRoutes() {
	s.handle(uploadRoute, s.authed(s.uploadAttachment, append([]string{sb.RoleVisitor}, operators...)...))
	s.handle("GET /api/v1/sessions/{id}/attachments", s.authed(s.listAttachments, append([]string{sb.RoleVisitor}, anyRole...)...))
	s.handle("GET /api/v1/attachments/{id}", s.authed(s.downloadAttachment, append([]string{sb.RoleVisitor}, anyRole...)...))
	s.handle("GET /api/v1/attachments/{id}/thumbnail", s.authed(s.attachmentThumbnail, append([]string{sb.RoleVisitor}, anyRole...)...))
}

// attachmentStores returns the record and file stores, or an unavailable
// error when the server was configured without them.
func (s *Server) attachmentStores() (sb.AttachmentStore, sb.BlobStore, error) {
	if s.Attachments == nil || s.Files == nil {
		return nil, nil, sb.Errorf(sb.EUNAVAILABLE, "attachments are not configured on this server")
	}
	return s.Attachments, s.Files, nil
}

// mayReadSession is the read rule of a session and what belongs to it:
// staff and integrations read every session; a visitor only its own.
func mayReadSession(p Principal, sess *sb.Session) error {
	if p.Role == sb.RoleVisitor {
		return visitorOwns(p, sess)
	}
	return nil
}

// uploader says who uploads for p, as Attachment.UploadedBy: an agent as
// itself, a visitor or an integration (which relays the visitor) as the
// end user, and supervisors and administrators as the system.
func uploader(p Principal) (string, int64) {
	switch p.Role {
	case sb.RoleAgent:
		return sb.FromAgent, p.AgentID
	case sb.RoleVisitor, sb.RoleIntegration:
		return sb.FromEndUser, 0
	}
	return sb.FromSystem, 0
}

func (s *Server) uploadAttachment(w http.ResponseWriter, r *http.Request) error {
	records, files, err := s.attachmentStores()
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if err := mayReadSession(p, sess); err != nil {
		return err
	}
	if p.Role == sb.RoleAgent {
		// The same rule as sending the message the file is for.
		if err := agentMay(p.AgentID, sess, &lifecycle.Message{From: sb.FromAgent, AgentID: p.AgentID}); err != nil {
			return err
		}
	}
	switch {
	case sess.Status.Terminal():
		return sb.Errorf(sb.ECONFLICT, "session %d has ended; it takes no more files", sess.ID)
	case sess.Medium != sb.MediumChat:
		return sb.Errorf(sb.ECONFLICT, "files are for chat sessions; session %d is a %s session", sess.ID, sess.Medium)
	}
	name, err := cleanFileName(r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	data, err := readUpload(w, r, s.Directory.ChatSettings().MaxUploadBytes)
	if err != nil {
		return err
	}
	ft, err := uploadType(r.Header.Get("Content-Type"), data)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	by, agentID := uploader(p)
	att := sb.Attachment{SessionID: sess.ID, Name: name, ContentType: ft.mediaType, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), Kind: sb.AttachmentFile, UploadedBy: by, AgentID: agentID,
		CreatedAt: s.Clock.Now().UTC().Truncate(time.Millisecond)}
	var thumb []byte
	if ft.image {
		att.Kind = sb.AttachmentImage
	}
	if ft.magic == magicWebP {
		att.Width, att.Height, _ = thumbnail.WebPSize(data)
	}
	if ft.thumbnail {
		t, err := makeThumbnail(r.Context(), data)
		if err != nil {
			return err
		}
		att.Width, att.Height, thumb = t.Source.Width, t.Source.Height, t.Data
	}
	if err := records.CreateAttachment(r.Context(), &att); err != nil {
		return err
	}
	if err := storeAttachment(r.Context(), files, att, data, thumb); err != nil {
		// The record must not name bytes that are not there. Use a
		// context that survives a client hanging up.
		if derr := records.DeleteAttachment(context.WithoutCancel(r.Context()), att.ID); derr != nil {
			s.log.Error("remove attachment record after a failed write", "attachment", att.ID, "err", derr)
		}
		return err
	}
	w.Header().Set("Location", "/api/v1/attachments/"+strconv.FormatInt(att.ID, 10))
	writeJSON(w, http.StatusCreated, att)
	return nil
}

// readUpload reads the raw request body, at most limit bytes.
func readUpload(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	tooLarge := sb.Errorf(sb.ETOOLARGE, "the file is larger than the limit of %d bytes", limit)
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge
		}
		if sb.ErrorCode(err) == sb.ETIMEOUT {
			return nil, err
		}
		return nil, sb.Errorf(sb.EINVALID, "could not read the file")
	}
	if len(data) == 0 {
		return nil, sb.Errorf(sb.EINVALID, "the file is empty; send its bytes as the request body")
	}
	return data, nil
}

// makeThumbnail decodes an image, waiting for a free decoding slot.
func makeThumbnail(ctx context.Context, data []byte) (*thumbnail.Thumbnail, error) {
	select {
	case thumbnailSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-thumbnailSlots }()
	t, err := thumbnail.Make(data, thumbnail.Options{})
	switch {
	case errors.Is(err, thumbnail.ErrTooLarge):
		return nil, sb.Errorf(sb.ETOOLARGE, "the image has more than %d megapixels", thumbnail.DefaultMaxPixels/1_000_000)
	case err != nil:
		return nil, sb.Errorf(sb.EINVALID, "the image could not be read: it is damaged or truncated")
	}
	return t, nil
}

func storeAttachment(ctx context.Context, files sb.BlobStore, att sb.Attachment, data, thumb []byte) error {
	if err := files.Put(ctx, sb.AttachmentKey(att.SessionID, att.ID), bytes.NewReader(data)); err != nil {
		return err
	}
	if thumb != nil {
		return files.Put(ctx, sb.ThumbnailKey(att.SessionID, att.ID), bytes.NewReader(thumb))
	}
	return nil
}

func (s *Server) listAttachments(w http.ResponseWriter, r *http.Request) error {
	records, _, err := s.attachmentStores()
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if err := mayReadSession(principalFrom(r.Context()), sess); err != nil {
		return err
	}
	list, err := records.SessionAttachments(r.Context(), sess.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
	return nil
}

// readableAttachment loads the attachment named by the path, if the caller
// may read its session.
func (s *Server) readableAttachment(r *http.Request) (sb.Attachment, sb.BlobStore, error) {
	records, files, err := s.attachmentStores()
	if err != nil {
		return sb.Attachment{}, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return sb.Attachment{}, nil, err
	}
	att, err := records.Attachment(r.Context(), id)
	if err != nil {
		return sb.Attachment{}, nil, err
	}
	sess, err := s.Events.Session(r.Context(), att.SessionID)
	if err != nil {
		return sb.Attachment{}, nil, err
	}
	if err := s.mayRead(principalFrom(r.Context()), sess); err != nil {
		return sb.Attachment{}, nil, err
	}
	return att, files, nil
}

func (s *Server) downloadAttachment(w http.ResponseWriter, r *http.Request) error {
	att, files, err := s.readableAttachment(r)
	if err != nil {
		return err
	}
	disposition := "attachment"
	if att.Kind == sb.AttachmentImage {
		disposition = "inline"
	}
	return serveFile(w, r, files, sb.AttachmentKey(att.SessionID, att.ID), `"`+att.SHA256+`"`, att.ContentType,
		contentDisposition(disposition, att.Name))
}

// attachmentThumbnail serves an image's thumbnail. WebP images, which the
// server cannot decode, serve the image itself.
func (s *Server) attachmentThumbnail(w http.ResponseWriter, r *http.Request) error {
	att, files, err := s.readableAttachment(r)
	if err != nil {
		return err
	}
	if att.Kind != sb.AttachmentImage {
		return sb.Errorf(sb.ENOTFOUND, "attachment %d is not an image and has no thumbnail", att.ID)
	}
	if ft := fileTypes[att.ContentType]; !ft.thumbnail {
		return serveFile(w, r, files, sb.AttachmentKey(att.SessionID, att.ID), `"`+att.SHA256+`"`, att.ContentType,
			contentDisposition("inline", att.Name))
	}
	return serveFile(w, r, files, sb.ThumbnailKey(att.SessionID, att.ID), `"thumb-`+att.SHA256+`"`, "",
		contentDisposition("inline", "thumbnail-"+att.Name))
}

// serveFile answers with a stored file through http.ServeContent, which
// answers HEAD, Range requests and the conditional ones: If-None-Match and
// If-Range against the ETag, If-Modified-Since against the file's
// modification time. An attachment never changes, so its digest is a
// strong ETag and the browser may keep it; it stays private to the caller.
// nosniff and a sandbox policy keep a browser from running anything in it.
// An empty contentType is sniffed (thumbnails are PNG or JPEG).
func serveFile(w http.ResponseWriter, r *http.Request, files sb.BlobStore, key, etag, contentType, disposition string) error {
	b, err := files.Open(r.Context(), key)
	if err != nil {
		return err
	}
	defer b.Close()
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Content-Disposition", disposition)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	http.ServeContent(&rangeErrors{ResponseWriter: w, size: b.Info().Size}, r, "", b.Info().ModTime, b)
	return nil
}

// rangeErrors answers the refusals http.ServeContent writes as plain text
// (416 for a range outside the file, 412 for a failed If-Match or
// If-Unmodified-Since) as the API's JSON errors, with their status and
// ServeContent's headers (Content-Range: bytes */size).
type rangeErrors struct {
	http.ResponseWriter
	size    int64
	refused bool
}

func (w *rangeErrors) WriteHeader(status int) {
	var e *sb.Error
	switch status {
	case http.StatusRequestedRangeNotSatisfiable:
		e = sb.Errorf(sb.EINVALID, "the range is not satisfiable: the file has %d bytes", w.size)
	case http.StatusPreconditionFailed:
		e = sb.Errorf(sb.EPRECONDITION, "the file does not match If-Match or If-Unmodified-Since")
	default:
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.refused = true
	h := w.Header()
	h.Del("Content-Length")
	h.Del("X-Content-Type-Options")
	body, _ := json.Marshal(errorBody{Error: errorOf(e)})
	h.Set("Content-Type", "application/json")
	w.ResponseWriter.WriteHeader(status)
	w.ResponseWriter.Write(append(body, '\n'))
}

func (w *rangeErrors) Write(p []byte) (int, error) {
	if w.refused {
		return len(p), nil // ServeContent's plain-text message
	}
	return w.ResponseWriter.Write(p)
}
