package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	sb "github.com/switchboardhq/switchboard"
)

// Open implements sb.BlobStore. It GETs the whole object and keeps the
// body for reading from the start; the ETag of that answer pins the
// version that later ranged GETs must match.
func (s *Store) Open(ctx context.Context, key string) (sb.Blob, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	body, oi, _, err := s.core.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		if noSuchKey(err) {
			return nil, notFound(key)
		}
		return nil, s.fail("open "+key, ctx, err)
	}
	if oi.ETag == "" {
		body.Close()
		return nil, fmt.Errorf("open %s: the server gave no ETag, which keeps reads to one version", key)
	}
	return &blob{
		s:    s,
		ctx:  ctx,
		name: name,
		etag: oi.ETag,
		info: info(key, oi),
		body: body,
	}, nil
}

// Stat implements sb.BlobStore.
func (s *Store) Stat(ctx context.Context, key string) (sb.BlobInfo, error) {
	name, err := s.object(key)
	if err != nil {
		return sb.BlobInfo{}, err
	}
	oi, err := s.core.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if err != nil {
		if noSuchKey(err) {
			return sb.BlobInfo{}, notFound(key)
		}
		return sb.BlobInfo{}, s.fail("stat "+key, ctx, err)
	}
	return info(key, oi), nil
}

// Delete implements sb.BlobStore. S3 answers a DELETE of a missing
// object with success, and so does Delete.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	err = s.core.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{})
	if err != nil && !noSuchKey(err) {
		return s.fail("delete "+key, ctx, err)
	}
	return nil
}

// noSuchKey reports whether err is S3's answer for a missing object (not
// a missing bucket, which is a misconfiguration).
func noSuchKey(err error) bool {
	var e minio.ErrorResponse
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && e.Code != "NoSuchBucket"
}

// info describes an object. HTTP dates have whole seconds, so Stat and
// Open see modification times in seconds; List's are cut to match.
func info(key string, oi minio.ObjectInfo) sb.BlobInfo {
	return sb.BlobInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified.Truncate(time.Second)}
}

// blob reads one version of an object. body, when not nil, is the body
// of a GET positioned at bodyPos; a read at another offset drops it and
// GETs the range from there, If-Match the version's ETag.
type blob struct {
	s    *Store
	ctx  context.Context
	name string
	etag string
	info sb.BlobInfo

	pos     int64
	body    io.ReadCloser
	bodyPos int64
	closed  bool
}

func (b *blob) Info() sb.BlobInfo { return b.info }

func (b *blob) Read(p []byte) (int, error) {
	if b.closed {
		return 0, fmt.Errorf("read %s: %w", b.info.Key, errClosed)
	}
	if b.pos >= b.info.Size {
		b.drop()
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.body != nil && b.bodyPos != b.pos {
		b.drop()
	}
	if b.body == nil {
		if err := b.get(); err != nil {
			return 0, err
		}
	}
	n, err := b.body.Read(p)
	b.pos += int64(n)
	b.bodyPos += int64(n)
	if err == io.EOF {
		b.drop()
		if b.pos < b.info.Size {
			return n, fmt.Errorf("read %s: the content ended after %d of %d bytes: %w", b.info.Key, b.pos, b.info.Size, io.ErrUnexpectedEOF)
		}
		err = nil
		if n == 0 {
			err = io.EOF
		}
	}
	if err != nil {
		b.drop()
		return n, b.s.fail("read "+b.info.Key, b.ctx, err)
	}
	return n, nil
}

// get GETs the rest of the version from pos.
func (b *blob) get() error {
	var opts minio.GetObjectOptions
	if err := opts.SetMatchETag(b.etag); err != nil {
		return err
	}
	if err := opts.SetRange(b.pos, b.info.Size-1); err != nil {
		return err
	}
	body, _, _, err := b.s.core.GetObject(b.ctx, b.s.bucket, b.name, opts)
	if err != nil {
		if st := statusOf(err); st == http.StatusPreconditionFailed || st == http.StatusNotFound {
			return fmt.Errorf("read %s: %w", b.info.Key, ErrChanged)
		}
		return b.s.fail("read "+b.info.Key, b.ctx, err)
	}
	b.body, b.bodyPos = body, b.pos
	return nil
}

func (b *blob) drop() {
	if b.body != nil {
		b.body.Close()
		b.body = nil
	}
}

var errClosed = errors.New("the file is closed")

func (b *blob) Seek(offset int64, whence int) (int64, error) {
	if b.closed {
		return 0, fmt.Errorf("seek %s: %w", b.info.Key, errClosed)
	}
	var pos int64
	switch whence {
	case io.SeekStart:
		pos = offset
	case io.SeekCurrent:
		pos = b.pos + offset
	case io.SeekEnd:
		pos = b.info.Size + offset
	default:
		return 0, fmt.Errorf("seek %s: bad whence %d", b.info.Key, whence)
	}
	if pos < 0 {
		return 0, fmt.Errorf("seek %s: to %d, before the start", b.info.Key, pos)
	}
	b.pos = pos
	return pos, nil
}

func (b *blob) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	b.drop()
	return nil
}
