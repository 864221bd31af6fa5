package switchboard

import (
	"context"
	"fmt"
	"io"
	"time"
)

// BlobStore keeps files such as metadata files and attachments under
// slash-separated keys ("42/metadata.json", "attachments/12/7").
//
// A key is one or more segments joined by "/"; no segment is empty, "."
// or "..", and a key holds no backslash. A store refuses any other key
// with an EINVALID error, and may reserve some keys of its own (localfs
// refuses its staging directory). Whether a key may also be the parent of
// other keys ("a" beside "a/b") depends on the store: a directory-backed
// one refuses it, object storage allows it; callers must not rely on
// either.
//
// A missing key is an ENOTFOUND error from Open and Stat.
//
// The store keeps bytes only, not a content type: the caller records the
// type beside the key (an Attachment's ContentType) or knows it (metadata
// files are JSON), so every backend serves the same answer.
type BlobStore interface {
	// Put writes the bytes r yields under key, replacing what the key
	// held, atomically: a reader sees the old content or the new one,
	// never part of either. When r fails or ctx ends before r is drained,
	// Put returns the error (wrapped) and the key keeps its old content,
	// or stays missing.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open opens the content of a key for reading. The Blob reads the
	// content the key held when it was opened, or fails; it never mixes
	// it with a later Put. The caller closes it.
	Open(ctx context.Context, key string) (Blob, error)
	// Stat describes a key's content without opening it.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes a key. Deleting a key that holds nothing is not an
	// error, so a retried Delete succeeds.
	Delete(ctx context.Context, key string) error
	// List describes the keys that start with prefix (a plain string
	// prefix: "a/b" matches "a/b" and "a/bc"; end it with "/" for one
	// level of the tree) and sort after after, in ascending byte order of
	// the key, at most limit of them (all for limit <= 0). To page, pass
	// the last key of one page as the after of the next; a page shorter
	// than limit is the last.
	List(ctx context.Context, prefix, after string, limit int) ([]BlobInfo, error)
}

// BlobInfo describes what a key holds.
type BlobInfo struct {
	Key  string
	Size int64 // in bytes
	// ModTime is when the content was last written, by the store's clock
	// (the wall clock: a file's or an object's modification time).
	ModTime time.Time
}

// Blob is the content of a key, open for reading. It seeks, so that HTTP
// can serve ranges of it with http.ServeContent.
type Blob interface {
	io.ReadSeekCloser
	// Info describes the content being read.
	Info() BlobInfo
}

// ReadBlob returns the whole content of a key.
func ReadBlob(ctx context.Context, s BlobStore, key string) ([]byte, error) {
	b, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return data, nil
}
