package s3blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/minio/minio-go/v7"
	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/s3test"
	"github.com/switchboardhq/switchboard/s3blob"
	"github.com/switchboardhq/switchboard/storetest"
)

func TestMain(m *testing.M) { s3test.Main(m) }

// stores counts the stores the tests open, so that each has a prefix of
// its own.
var stores atomic.Int64

// open opens a store on the server through its URL, as the server's
// --files flag does, with the credentials in the environment.
func open(t *testing.T, srv *s3test.Server, bucket, prefix string) *s3blob.Store {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	st, err := s3blob.Open(context.Background(), srv.URL(bucket, prefix))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A bucket on a real S3 server passes the suite every file storage
// passes: each store under a prefix of its own in one bucket.
func TestBlobStore(t *testing.T) {
	srv, bucket := s3test.NewBucket(t)
	storetest.RunBlobStore(t, func(t *testing.T) sb.BlobStore {
		return open(t, srv, bucket, fmt.Sprintf("switchboard/store-%d", stores.Add(1)))
	})
}

// And with no prefix: each store the whole of a new bucket.
func TestBlobStoreWholeBucket(t *testing.T) {
	srv := s3test.Shared(t)
	storetest.RunBlobStore(t, func(t *testing.T) sb.BlobStore {
		_, bucket := s3test.NewBucket(t)
		st := open(t, srv, bucket, "")
		if st.Prefix() != "" {
			t.Fatalf("prefix %q", st.Prefix())
		}
		return st
	})
}

// objects lists the names of every object in a bucket.
func objects(t *testing.T, srv *s3test.Server, bucket string) []string {
	t.Helper()
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for oi := range c.ListObjectsIter(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if oi.Err != nil {
			t.Fatal(oi.Err)
		}
		out = append(out, oi.Key)
	}
	return out
}

// Keys live under the store's prefix, and stores with different
// prefixes in one bucket do not see each other's keys, even where one
// prefix is a string prefix of the other.
func TestPrefixes(t *testing.T) {
	ctx := context.Background()
	srv, bucket := s3test.NewBucket(t)
	a := open(t, srv, bucket, "tenant/a")
	ab := open(t, srv, bucket, "tenant/ab/") // a trailing slash is the same prefix
	if a.Prefix() != "tenant/a/" || ab.Prefix() != "tenant/ab/" || a.Bucket() != bucket {
		t.Fatalf("prefixes %q %q, bucket %q", a.Prefix(), ab.Prefix(), a.Bucket())
	}
	for _, key := range []string{"x/1", "y"} {
		if err := a.Put(ctx, key, strings.NewReader("a's "+key)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ab.Put(ctx, "x/1", strings.NewReader("ab's")); err != nil {
		t.Fatal(err)
	}
	if got, want := objects(t, srv, bucket), []string{"tenant/a/x/1", "tenant/a/y", "tenant/ab/x/1"}; !slices.Equal(got, want) {
		t.Errorf("the bucket holds %q, want %q", got, want)
	}
	keys := func(st *s3blob.Store) []string {
		list, err := st.List(ctx, "", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, info := range list {
			out = append(out, info.Key)
		}
		return out
	}
	if got := keys(a); !slices.Equal(got, []string{"x/1", "y"}) {
		t.Errorf("store a lists %q", got)
	}
	if got := keys(ab); !slices.Equal(got, []string{"x/1"}) {
		t.Errorf("store ab lists %q", got)
	}
	if _, err := ab.Stat(ctx, "y"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("store ab sees a's key y: %v", err)
	}
	if got, err := sb.ReadBlob(ctx, ab, "x/1"); err != nil || string(got) != "ab's" {
		t.Errorf("store ab reads %q %v", got, err)
	}
	if err := ab.Delete(ctx, "x/1"); err != nil {
		t.Fatal(err)
	}
	if got, err := sb.ReadBlob(ctx, a, "x/1"); err != nil || string(got) != "a's x/1" {
		t.Errorf("store a's key after ab deleted its own: %q %v", got, err)
	}
	// The whole bucket sees both, under their prefixes.
	whole := open(t, srv, bucket, "")
	if got := keys(whole); !slices.Equal(got, []string{"tenant/a/x/1", "tenant/a/y"}) {
		t.Errorf("the bucket's store lists %q", got)
	}
}

// uploads lists the multipart uploads in progress in a bucket.
func uploads(t *testing.T, srv *s3test.Server, bucket string) []string {
	t.Helper()
	c, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for u := range c.ListIncompleteUploads(context.Background(), bucket, "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		out = append(out, u.Key+" "+u.UploadID)
	}
	return out
}

// numbered returns n bytes that differ from their neighbours.
func numbered(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// A Put longer than a part is a multipart upload: it reads back whole,
// and one that fails midway, after parts went up, or whose context ends,
// is aborted: no upload is left behind and the old content stays.
func TestMultipartPut(t *testing.T) {
	ctx := context.Background()
	srv, bucket := s3test.NewBucket(t)
	st := open(t, srv, bucket, "mp")

	big := numbered(2*s3blob.PartSize + 12345) // three parts, the last short
	if err := st.Put(ctx, "big", iotest.HalfReader(bytes.NewReader(big))); err != nil {
		t.Fatal(err)
	}
	if got, err := sb.ReadBlob(ctx, st, "big"); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read %d bytes back (%v), put %d", len(got), err, len(big))
	}
	exact := numbered(s3blob.PartSize) // one full part, then EOF
	if err := st.Put(ctx, "exact", bytes.NewReader(exact)); err != nil {
		t.Fatal(err)
	}
	if info, err := st.Stat(ctx, "exact"); err != nil || info.Size != int64(len(exact)) {
		t.Fatalf("stat exact: %+v %v", info, err)
	}

	boom := errors.New("the client hung up")
	failing := io.MultiReader(bytes.NewReader(numbered(s3blob.PartSize+1000)), iotest.ErrReader(boom))
	if err := st.Put(ctx, "big", failing); !errors.Is(err, boom) {
		t.Errorf("a Put failing after the first part = %v", err)
	}
	tooLarge := sb.Errorf(sb.ETOOLARGE, "over the limit")
	failing = io.MultiReader(bytes.NewReader(numbered(3*s3blob.PartSize)), iotest.ErrReader(tooLarge))
	if err := st.Put(ctx, "new", failing); sb.ErrorCode(err) != sb.ETOOLARGE {
		t.Errorf("a Put failing too_large after three parts = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelling := io.MultiReader(bytes.NewReader(numbered(s3blob.PartSize+1)), cancelAt{cancel})
	if err := st.Put(cctx, "big", cancelling); !errors.Is(err, context.Canceled) {
		t.Errorf("a Put cancelled after the first part = %v", err)
	}
	if got := uploads(t, srv, bucket); len(got) != 0 {
		t.Errorf("failed Puts left uploads behind: %q", got)
	}
	if got, err := sb.ReadBlob(ctx, st, "big"); err != nil || !bytes.Equal(got, big) {
		t.Errorf("after failed Puts big reads %d bytes (%v), want the old %d", len(got), err, len(big))
	}
	if _, err := st.Stat(ctx, "new"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a new key whose Put failed: %v", err)
	}
	if got := objects(t, srv, bucket); !slices.Equal(got, []string{"mp/big", "mp/exact"}) {
		t.Errorf("the bucket holds %q", got)
	}
}

// cancelAt cancels a context when it is read, and yields nothing more.
type cancelAt struct{ cancel context.CancelFunc }

func (c cancelAt) Read(p []byte) (int, error) {
	c.cancel()
	return copy(p, "more"), nil
}

// A Blob that seeks after its key was overwritten fails with ErrChanged
// rather than read the new version's bytes; one reading on from its
// first answer keeps reading the old version.
func TestSeekAfterOverwrite(t *testing.T) {
	ctx := context.Background()
	srv, bucket := s3test.NewBucket(t)
	st := open(t, srv, bucket, "")
	old := numbered(100000)
	if err := st.Put(ctx, "k", bytes.NewReader(old)); err != nil {
		t.Fatal(err)
	}
	b, err := st.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	head := make([]byte, 10)
	if _, err := io.ReadFull(b, head); err != nil || !bytes.Equal(head, old[:10]) {
		t.Fatalf("first read: %v %v", head, err)
	}
	// A seek back and forth to the same offset reads on without a
	// new request, and so without failing below.
	if _, err := b.Seek(50000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Seek(10, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "k", bytes.NewReader(bytes.Repeat([]byte("N"), 100000))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Seek(99990, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(b)
	if !errors.Is(err, s3blob.ErrChanged) {
		t.Errorf("read after an overwrite and a seek: %q %v, want ErrChanged", tail, err)
	}
	if len(tail) != 0 {
		t.Errorf("read %q of the new version", tail)
	}
	if b.Info().Size != int64(len(old)) {
		t.Errorf("size %d", b.Info().Size)
	}

	// Unchanged, a ranged read goes through.
	b2, err := st.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if _, err := b2.Seek(-5, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(b2); err != nil || string(got) != "NNNNN" {
		t.Errorf("ranged read of an unchanged key: %q %v", got, err)
	}
}

// Open checks that the bucket exists, and a server that cannot be
// reached is an unavailable error.
func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	srv := s3test.Shared(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
	_, err := s3blob.Open(ctx, srv.URL("no-such-bucket", "x"))
	if sb.ErrorCode(err) != sb.ENOTFOUND || !strings.Contains(err.Error(), "no-such-bucket") {
		t.Errorf("a missing bucket: %v", err)
	}

	// A port nothing listens on: take one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = s3blob.Open(ctx, "s3://bucket/x?endpoint=http://"+addr)
	var ne net.Error
	if sb.ErrorCode(err) != sb.EUNAVAILABLE || !errors.As(err, &ne) {
		t.Errorf("an unreachable server: %v (code %s), want unavailable wrapping the network error", err, sb.ErrorCode(err))
	}

	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := s3blob.Open(ctx, srv.URL("bbb", "")); sb.ErrorCode(err) != sb.EINVALID || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("no credentials: %v", err)
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	if _, err := s3blob.Open(ctx, srv.URL("bbb", "")); err == nil {
		t.Errorf("wrong credentials opened the store")
	}
}

// An open store whose server goes away answers unavailable.
func TestServerGone(t *testing.T) {
	ctx := context.Background()
	srv, err := s3test.Start()
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	defer srv.Stop()
	bucket, err := srv.CreateBucket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := open(t, srv, bucket, "")
	if err := st.Put(ctx, "k", strings.NewReader("v")); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := st.Stat(ctx, "k"); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("stat on a stopped server: %v", err)
	}
	if err := st.Put(ctx, "k", strings.NewReader("v")); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("put on a stopped server: %v", err)
	}
	if _, err := st.List(ctx, "", "", 0); sb.ErrorCode(err) != sb.EUNAVAILABLE {
		t.Errorf("list on a stopped server: %v", err)
	}
}

// A sub-store keeps its keys in a folder of its parent's prefix: it
// passes the suite, its parent lists its keys under the folder, and a
// sibling does not see them.
func TestSub(t *testing.T) {
	srv, bucket := s3test.NewBucket(t)
	storetest.RunBlobStore(t, func(t *testing.T) sb.BlobStore {
		sub, err := open(t, srv, bucket, fmt.Sprintf("sub-%d", stores.Add(1))).Sub("exports")
		if err != nil {
			t.Fatal(err)
		}
		return sub
	})

	ctx := context.Background()
	parent := open(t, srv, bucket, "app")
	exports, err := parent.Sub("exports")
	if err != nil {
		t.Fatal(err)
	}
	files, err := parent.Sub("files")
	if err != nil {
		t.Fatal(err)
	}
	if err := exports.Put(ctx, "7/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	if exports.Prefix() != "app/exports/" {
		t.Errorf("prefix %q, want app/exports/", exports.Prefix())
	}
	got, err := parent.List(ctx, "", "", 10)
	if err != nil || len(got) != 1 || got[0].Key != "exports/7/metadata.json" {
		t.Errorf("the parent lists %+v %v, want exports/7/metadata.json", got, err)
	}
	if _, err := files.Stat(ctx, "7/metadata.json"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a sibling's stat: %v, want not found", err)
	}
	for _, bad := range []string{"", "a/b", "..", "."} {
		if _, err := parent.Sub(bad); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Sub(%q): %v, want invalid", bad, err)
		}
	}
}
