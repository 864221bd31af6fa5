// Package s3blob keeps files in an S3 bucket: Amazon S3 or an
// S3-compatible server (MinIO, versitygw, Ceph, ...). It implements
// switchboard.BlobStore with the semantics the local directory has:
//
//   - Put streams: a reader of unknown length goes up in parts of PartSize
//     bytes (one part's buffer in memory), as one PUT when it fits in a
//     part, else as a multipart upload. The object appears whole when the
//     PUT or the completion of the upload succeeds, so readers see the old
//     content or the new one. When the reader fails or ctx ends, the
//     multipart upload is aborted and the key keeps its old content.
//   - Open issues a GET and reads its body; a Seek that moves away from the
//     body reads on with a ranged GET that carries If-Match with the ETag of
//     the first answer, so a Blob never mixes two versions: after an
//     overwrite it fails with ErrChanged instead.
//   - List is the bucket's listing (ListObjectsV2), which S3 sorts in
//     UTF-8 binary order, the byte order of the keys.
//
// Keys are stored under the store's prefix: key "a/b" of a store with
// prefix "files/" is the object "files/a/b". A key may be the parent of
// other keys ("a" beside "a/b") where the server allows it; a server on a
// file system (versitygw's posix backend) refuses one of the two.
//
// Errors that mean the server cannot be reached (connection refused,
// timeouts, DNS, 503) are sb.EUNAVAILABLE errors that wrap the cause.
package s3blob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	sb "github.com/switchboardhq/switchboard"
)

// PartSize is the size of an upload's parts, and so the memory a Put
// holds. S3 wants parts of at least 5 MiB, and at most 10,000 of them: a
// Put of up to 80 GB.
const PartSize = 8 << 20

// maxParts is S3's limit on the parts of one upload.
const maxParts = 10000

// maxKeyLen is S3's limit on an object's name, in bytes.
const maxKeyLen = 1024

// Store keeps files in a bucket, under a prefix.
type Store struct {
	core   minio.Core
	bucket string
	prefix string
	where  string // the bucket and prefix, for messages
}

var _ sb.BlobStore = (*Store)(nil)

// Open parses a storage URL (see ParseURL), takes the credentials from
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and
// returns the store after checking that the bucket exists.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return nil, sb.Errorf(sb.EINVALID, "%v", err)
	}
	if err := credentialsFromEnv(&c); err != nil {
		return nil, sb.Errorf(sb.EINVALID, "%v", err)
	}
	return New(ctx, c)
}

// New returns the store c describes, after checking that its bucket
// exists.
func New(ctx context.Context, c Config) (*Store, error) {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.Prefix != "" && (!strings.HasSuffix(c.Prefix, "/") || checkKey(strings.TrimSuffix(c.Prefix, "/")) != nil) {
		return nil, sb.Errorf(sb.EINVALID, "file storage: bad prefix %q", c.Prefix)
	}
	host, secure := "s3.amazonaws.com", true
	if c.Endpoint != "" {
		switch {
		case strings.HasPrefix(c.Endpoint, "http://"):
			host, secure = strings.TrimPrefix(c.Endpoint, "http://"), false
		case strings.HasPrefix(c.Endpoint, "https://"):
			host = strings.TrimPrefix(c.Endpoint, "https://")
		default:
			return nil, sb.Errorf(sb.EINVALID, "file storage: the endpoint %q is not an http:// or https:// URL", c.Endpoint)
		}
	}
	lookup := minio.BucketLookupDNS
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	transport, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	// A server that does not answer fails a request, not the caller.
	transport.ResponseHeaderTimeout = time.Minute
	client, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(c.AccessKey, c.SecretKey, c.SessionToken),
		Secure:       secure,
		Transport:    transport,
		Region:       c.Region,
		BucketLookup: lookup,
		// A few retries ride out a blip without keeping a caller
		// waiting long on a server that is down.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, sb.Errorf(sb.EINVALID, "file storage: %v", err)
	}
	s := &Store{
		core:   minio.Core{Client: client},
		bucket: c.Bucket,
		prefix: c.Prefix,
		where:  "s3://" + c.Bucket + "/" + c.Prefix,
	}
	ok, err := client.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, s.fail("file storage "+s.where, ctx, err)
	}
	if !ok {
		return nil, sb.Errorf(sb.ENOTFOUND, "file storage: there is no bucket %q at %s", c.Bucket, client.EndpointURL().Host)
	}
	return s, nil
}

// Sub returns a store of the same bucket, through the same client, that
// keeps its keys under folder/ within s's prefix: one URL can hold the
// exports and the private files apart.
func (s *Store) Sub(folder string) (*Store, error) {
	if checkKey(folder) != nil || strings.Contains(folder, "/") {
		return nil, sb.Errorf(sb.EINVALID, "file storage: bad folder %q", folder)
	}
	sub := *s
	sub.prefix = s.prefix + folder + "/"
	sub.where = "s3://" + s.bucket + "/" + sub.prefix
	return &sub, nil
}

// Bucket returns the name of the store's bucket.
func (s *Store) Bucket() string { return s.bucket }

// Prefix returns what the store puts before every key: "" or a path
// ending in "/".
func (s *Store) Prefix() string { return s.prefix }

// checkKey applies the rules of sb.BlobStore to a key.
func checkKey(key string) error {
	if key == "" || strings.Contains(key, "\\") {
		return errBadKey
	}
	for part := range strings.SplitSeq(key, "/") {
		if part == "" || part == "." || part == ".." {
			return errBadKey
		}
	}
	return nil
}

var errBadKey = errors.New("bad key")

// object returns the name of the object that holds key.
func (s *Store) object(key string) (string, error) {
	if checkKey(key) != nil || len(s.prefix)+len(key) > maxKeyLen {
		return "", sb.Errorf(sb.EINVALID, "bad file key %q", key)
	}
	return s.prefix + key, nil
}

// ErrChanged is the error of reading an open Blob on after its key was
// overwritten or deleted: the rest of the content it was opened on is
// gone.
var ErrChanged = errors.New("the file changed since it was opened")

func notFound(key string) error { return sb.Errorf(sb.ENOTFOUND, "file %s not found", key) }

// statusOf returns the HTTP status of an S3 error answer, 0 for any other
// error.
func statusOf(err error) int {
	var e minio.ErrorResponse
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// fail wraps the error of an operation (what names it: "put a/b"): the
// context's error when ctx ended, an EUNAVAILABLE error when the server
// cannot be reached.
func (s *Store) fail(what string, ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", what, sb.Errorf(sb.EUNAVAILABLE, "file storage %s is unavailable", s.where), err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unreachable reports whether err means that the server could not be
// reached or is not serving: a network error, or a 503 answer. An ended
// context is the caller's doing, not the server's.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if statusOf(err) == http.StatusServiceUnavailable {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
