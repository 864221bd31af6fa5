package s3blob

import (
	"context"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"
	sb "github.com/switchboardhq/switchboard"
)

// listPage is the most keys one ListObjectsV2 request asks for, S3's
// own limit.
const listPage = 1000

// List implements sb.BlobStore with ListObjectsV2: the prefix and after
// are the store's prefix followed by them, and S3 returns keys in UTF-8
// binary order, which is byte order. Objects under the prefix whose
// names are no key (written by other tools: "dir/" markers, "a//b") are
// skipped, as Stat and Open would refuse them.
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]sb.BlobInfo, error) {
	opts := minio.ListObjectsOptions{
		Prefix:     s.prefix + prefix,
		Recursive:  true,
		MaxKeys:    listPage,
		FetchOwner: new(bool),
	}
	if limit > 0 {
		opts.MaxKeys = min(limit, listPage)
	}
	if after != "" {
		opts.StartAfter = s.prefix + after
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := []sb.BlobInfo{}
	for oi := range s.core.ListObjectsIter(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, s.fail(fmt.Sprintf("list %q", prefix), ctx, oi.Err)
		}
		key, ok := strings.CutPrefix(oi.Key, s.prefix)
		if !ok || checkKey(key) != nil || !strings.HasPrefix(key, prefix) || key <= after {
			continue
		}
		out = append(out, info(key, oi))
		if limit > 0 && len(out) >= limit {
			return out, nil
		}
	}
	// The listing stops without a word when ctx ends.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	return out, nil
}
