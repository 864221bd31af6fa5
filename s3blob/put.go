package s3blob

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	sb "github.com/switchboardhq/switchboard"
)

// parts recycles the part buffers of Puts.
var parts = sync.Pool{New: func() any { b := make([]byte, PartSize); return &b }}

// Put implements sb.BlobStore. Content that fits in one part is one PUT;
// longer content is a multipart upload of PartSize parts, read and sent
// one after the other, aborted when anything fails.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	what := "put " + key
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	bp := parts.Get().(*[]byte)
	defer parts.Put(bp)
	buf := *bp
	r = ctxReader{ctx, r}
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// It fits in one part: one PUT, which S3 makes atomic.
		_, err := s.core.PutObject(ctx, s.bucket, name, bytes.NewReader(buf[:n]), int64(n), "", "", putOptions())
		if err != nil {
			return s.fail(what, ctx, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.putMultipart(ctx, what, name, r, buf)
}

func putOptions() minio.PutObjectOptions {
	return minio.PutObjectOptions{ContentType: "application/octet-stream"}
}

// putMultipart uploads the full part in buf and what r yields after it.
func (s *Store) putMultipart(ctx context.Context, what, name string, r io.Reader, buf []byte) (err error) {
	uploadID, err := s.core.NewMultipartUpload(ctx, s.bucket, name, putOptions())
	if err != nil {
		return s.fail(what, ctx, err)
	}
	defer func() {
		if err == nil {
			return
		}
		// The parts uploaded so far are kept, and billed, until the
		// upload is aborted: abort it even when ctx has ended.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if aerr := s.core.AbortMultipartUpload(actx, s.bucket, name, uploadID); aerr != nil && statusOf(aerr) != 404 {
			err = fmt.Errorf("%w (and aborting the upload failed: %v)", err, aerr)
		}
	}()
	var done []minio.CompletePart
	n, last := len(buf), false
	for number := 1; ; number++ {
		part, err := s.core.PutObjectPart(ctx, s.bucket, name, uploadID, number,
			bytes.NewReader(buf[:n]), int64(n), minio.PutObjectPartOptions{})
		if err != nil {
			return s.fail(what, ctx, err)
		}
		done = append(done, minio.CompletePart{PartNumber: number, ETag: part.ETag})
		if last {
			break
		}
		var rerr error
		n, rerr = io.ReadFull(r, buf)
		if rerr == io.EOF {
			break
		}
		if rerr == io.ErrUnexpectedEOF {
			last = true
		} else if rerr != nil {
			return fmt.Errorf("%s: %w", what, rerr)
		}
		if number == maxParts {
			return fmt.Errorf("%s: %w", what, sb.Errorf(sb.ETOOLARGE, "the file is larger than %d parts of %d bytes", maxParts, PartSize))
		}
	}
	// A last check: an upload whose caller gave up is not completed.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, name, uploadID, done, putOptions()); err != nil {
		return s.fail(what, ctx, err)
	}
	return nil
}

// ctxReader reads from r until ctx ends, so that a Put of a long stream
// stops when its caller gives up.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
