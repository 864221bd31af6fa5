package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// RunBlobStore runs the conformance suite of a switchboard.BlobStore: the
// local directory today, object storage later. open must return a new,
// empty store. The suite reads the wall clock, as the stores do.
func RunBlobStore(t *testing.T, open func(t *testing.T) sb.BlobStore) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, sb.BlobStore)
	}{
		{"PutOpen", testBlobPutOpen},
		{"Overwrite", testBlobOverwrite},
		{"ConcurrentReaders", testBlobConcurrentReaders},
		{"OpenDuringOverwrite", testBlobOpenDuringOverwrite},
		{"Seek", testBlobSeek},
		{"ServeContent", testBlobServeContent},
		{"Stat", testBlobStat},
		{"Delete", testBlobDelete},
		{"List", testBlobList},
		{"ListPaging", testBlobListPaging},
		{"BadKeys", testBlobBadKeys},
		{"FailedPut", testBlobFailedPut},
		{"CancelledPut", testBlobCancelledPut},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func putBlob(t *testing.T, st sb.BlobStore, key, data string) {
	t.Helper()
	if err := st.Put(context.Background(), key, strings.NewReader(data)); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// readBlob returns a key's content and what its Blob says of it.
func readBlob(t *testing.T, st sb.BlobStore, key string) (string, sb.BlobInfo) {
	t.Helper()
	b, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(data), b.Info()
}

// numberedBytes returns n bytes that differ from their neighbours: byte i
// is i modulo 251, so a read at the wrong offset shows.
func numberedBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

func testBlobPutOpen(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	for _, c := range []struct {
		key  string
		data []byte
		// reader wraps the data: stores must not count on a
		// *bytes.Reader, nor on reads that fill the buffer.
		reader func(io.Reader) io.Reader
	}{
		{"a.json", []byte(`{"id":1}`), nil},
		{"empty", []byte{}, nil},
		{"binary.bin", []byte{0, 1, 2, 0xff, '\n', 0}, iotest.OneByteReader},
		{"with space/héllo.md", []byte("héllo\n"), iotest.HalfReader},
		{"big/1MB", numberedBytes(1 << 20), iotest.HalfReader},
	} {
		var r io.Reader = bytes.NewReader(c.data)
		if c.reader != nil {
			r = c.reader(r)
		}
		before := time.Now()
		if err := st.Put(ctx, c.key, r); err != nil {
			t.Fatalf("put %s: %v", c.key, err)
		}
		after := time.Now()
		got, info := readBlob(t, st, c.key)
		if got != string(c.data) {
			t.Errorf("%s: read %d bytes, put %d, or not the same", c.key, len(got), len(c.data))
		}
		if info.Key != c.key || info.Size != int64(len(c.data)) {
			t.Errorf("%s: info %+v, want key %q size %d", c.key, info, c.key, len(c.data))
		}
		// File systems keep coarse modification times; a second or two
		// either side of the Put is near enough.
		if info.ModTime.Before(before.Add(-2*time.Second)) || info.ModTime.After(after.Add(2*time.Second)) {
			t.Errorf("%s: modified %v, put between %v and %v", c.key, info.ModTime, before, after)
		}
	}
	if b, err := sb.ReadBlob(ctx, st, "a.json"); err != nil || string(b) != `{"id":1}` {
		t.Errorf("ReadBlob: %q %v", b, err)
	}
}

func testBlobOverwrite(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	putBlob(t, st, "7/metadata.json", "first version, which is longer")
	putBlob(t, st, "7/metadata.json", "second")
	if got, info := readBlob(t, st, "7/metadata.json"); got != "second" || info.Size != 6 {
		t.Errorf("after an overwrite: %q, size %d", got, info.Size)
	}
	if info, err := st.Stat(ctx, "7/metadata.json"); err != nil || info.Size != 6 {
		t.Errorf("stat after an overwrite: %+v %v", info, err)
	}
	putBlob(t, st, "7/metadata.json", "")
	if got, info := readBlob(t, st, "7/metadata.json"); got != "" || info.Size != 0 {
		t.Errorf("after emptying: %q, size %d", got, info.Size)
	}
}

// Readers never see part of a Put: every Open during a stream of
// overwrites reads one whole version, and its Info describes that version.
func testBlobConcurrentReaders(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	versions := []string{strings.Repeat("a", 256<<10), strings.Repeat("b", 64<<10)}
	putBlob(t, st, "f", versions[0])
	var wg sync.WaitGroup
	defer wg.Wait() // a failed read must not end the test under the writer
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 1; i <= 40; i++ {
			if err := st.Put(ctx, "f", strings.NewReader(versions[i%2])); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	reads := 0
	for stop := false; !stop; reads++ {
		select {
		case <-done:
			stop = true // one last read after the writer finished
		default:
		}
		got, info := readBlob(t, st, "f")
		if got != versions[0] && got != versions[1] {
			t.Fatalf("read %d saw a partial file of %d bytes", reads, len(got))
		}
		if info.Size != int64(len(got)) {
			t.Fatalf("read %d: %d bytes, but the blob says %d", reads, len(got), info.Size)
		}
	}
	wg.Wait()
	if got, _ := readBlob(t, st, "f"); got != versions[0] {
		t.Errorf("the last version was not kept: %d bytes", len(got))
	}
}

// A Blob opened before an overwrite or a delete reads what it was opened
// on, or fails; it never mixes in the new content.
func testBlobOpenDuringOverwrite(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	old := strings.Repeat("old content ", 1000)
	putBlob(t, st, "k", old)
	b, err := st.Open(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(b, head); err != nil || string(head) != old[:100] {
		t.Fatalf("first read: %q %v", head, err)
	}
	putBlob(t, st, "k", strings.Repeat("NEW ", 5000))
	rest, err := io.ReadAll(b)
	if err == nil && string(head)+string(rest) != old {
		t.Errorf("a blob open across an overwrite read %d bytes that are not the old content", 100+len(rest))
	}
	if b.Info().Size != int64(len(old)) {
		t.Errorf("the open blob's size changed to %d", b.Info().Size)
	}
	if got, _ := readBlob(t, st, "k"); got != strings.Repeat("NEW ", 5000) {
		t.Errorf("a new Open reads %d bytes, not the new content", len(got))
	}

	putBlob(t, st, "gone", old)
	g, err := st.Open(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := st.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if data, err := io.ReadAll(g); err == nil && string(data) != old {
		t.Errorf("a blob open across a delete read %d bytes that are not its content", len(data))
	}
}

// Seeking reads what a Range request asks for.
func testBlobSeek(t *testing.T, st sb.BlobStore) {
	data := numberedBytes(1000)
	putBlob(t, st, "seek", string(data))
	b, err := st.Open(context.Background(), "seek")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	readAt := func(what string, offset int64, whence int, wantPos int64, want []byte) {
		t.Helper()
		pos, err := b.Seek(offset, whence)
		if err != nil || pos != wantPos {
			t.Fatalf("%s: seek to %d: %v", what, pos, err)
		}
		got := make([]byte, len(want))
		if _, err := io.ReadFull(b, got); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: read %v (%v), want %v", what, got, err, want)
		}
	}
	readAt("from the start", 10, io.SeekStart, 10, data[10:20])
	readAt("from the current offset", 5, io.SeekCurrent, 25, data[25:30])
	readAt("from the end", -10, io.SeekEnd, 990, data[990:])
	if n, err := b.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("read at the end: %d %v, want 0 EOF", n, err)
	}
	if size, err := b.Seek(0, io.SeekEnd); err != nil || size != 1000 {
		t.Errorf("size by seeking to the end: %d %v", size, err)
	}
	readAt("back to the start", 0, io.SeekStart, 0, data)
	if _, err := b.Seek(-1, io.SeekStart); err == nil {
		t.Error("seeking before the start succeeded")
	}
}

// http.ServeContent answers Range and conditional requests from a Blob.
func testBlobServeContent(t *testing.T, st sb.BlobStore) {
	data := numberedBytes(1000)
	putBlob(t, st, "served", string(data))
	serve := func(header, value string) *httptest.ResponseRecorder {
		t.Helper()
		b, err := st.Open(context.Background(), "served")
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		req := httptest.NewRequest("GET", "/served", nil)
		req.Header.Set(header, value)
		rec := httptest.NewRecorder()
		http.ServeContent(rec, req, "", b.Info().ModTime, b)
		return rec
	}
	r := serve("Range", "bytes=0-9")
	if r.Code != 206 || !bytes.Equal(r.Body.Bytes(), data[:10]) || r.Header().Get("Content-Range") != "bytes 0-9/1000" {
		t.Errorf("first 10 bytes: %d %q %v", r.Code, r.Header().Get("Content-Range"), r.Body.Bytes())
	}
	r = serve("Range", "bytes=-5")
	if r.Code != 206 || !bytes.Equal(r.Body.Bytes(), data[995:]) {
		t.Errorf("last 5 bytes: %d %v", r.Code, r.Body.Bytes())
	}
	r = serve("Range", "bytes=0-0")
	lm := r.Header().Get("Last-Modified")
	if lm == "" {
		t.Fatal("no Last-Modified: the blob has no modification time")
	}
	if r = serve("If-Modified-Since", lm); r.Code != 304 || r.Body.Len() != 0 {
		t.Errorf("If-Modified-Since its Last-Modified: %d, %d bytes", r.Code, r.Body.Len())
	}
}

func testBlobStat(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	putBlob(t, st, "dir/file", "hello")
	info, err := st.Stat(ctx, "dir/file")
	if err != nil || info.Key != "dir/file" || info.Size != 5 || info.ModTime.IsZero() {
		t.Fatalf("stat: %+v %v", info, err)
	}
	if _, opened := readBlob(t, st, "dir/file"); opened.Key != info.Key || opened.Size != info.Size || !opened.ModTime.Equal(info.ModTime) {
		t.Errorf("Open says %+v, Stat %+v", opened, info)
	}
	// A parent of keys, a key under a key, a prefix of a key: no content.
	for _, key := range []string{"missing", "dir", "dir/file/x", "dir/fil", "dir/file2"} {
		if _, err := st.Stat(ctx, key); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("Stat(%q) = %v, want not_found", key, err)
		}
		if b, err := st.Open(ctx, key); sb.ErrorCode(err) != sb.ENOTFOUND {
			if err == nil {
				b.Close()
			}
			t.Errorf("Open(%q) = %v, want not_found", key, err)
		}
		if _, err := sb.ReadBlob(ctx, st, key); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("ReadBlob(%q) = %v, want not_found", key, err)
		}
	}
}

func testBlobDelete(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	putBlob(t, st, "x/a", "one")
	putBlob(t, st, "x/ab", "two")
	if err := st.Delete(ctx, "x/a"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Open(ctx, "x/a"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("Open after Delete: %v, want not_found", err)
	}
	if _, err := st.Stat(ctx, "x/a"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("Stat after Delete: %v, want not_found", err)
	}
	if got, _ := readBlob(t, st, "x/ab"); got != "two" {
		t.Errorf("the key sharing the prefix holds %q", got)
	}
	if got := blobKeys(t, st, ""); !slices.Equal(got, []string{"x/ab"}) {
		t.Errorf("after Delete the store lists %q", got)
	}
	// Deleting what is not there: again, never there, a parent of keys.
	for _, key := range []string{"x/a", "never/was", "x"} {
		if err := st.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	if got := blobKeys(t, st, ""); !slices.Equal(got, []string{"x/ab"}) {
		t.Errorf("after deleting missing keys the store lists %q", got)
	}
	putBlob(t, st, "x/a", "back")
	if got, _ := readBlob(t, st, "x/a"); got != "back" {
		t.Errorf("put after Delete: %q", got)
	}
}

// blobKeys lists the keys with a prefix in one call.
func blobKeys(t *testing.T, st sb.BlobStore, prefix string) []string {
	t.Helper()
	list, err := st.List(context.Background(), prefix, "", 0)
	if err != nil {
		t.Fatalf("list %q: %v", prefix, err)
	}
	out := []string{}
	for _, info := range list {
		out = append(out, info.Key)
	}
	return out
}

func testBlobList(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	if list, err := st.List(ctx, "", "", 0); err != nil || len(list) != 0 {
		t.Fatalf("empty store: %v %v", list, err)
	}
	// In byte order: '.' < '/' < '0' < 'b', so "a.txt" comes before the
	// keys under "a/" and "a0" after them. They are put last first: a
	// listing is sorted, not in the order of the Puts.
	all := []string{"a.txt", "a/b", "a/bc", "a/c/d", "a/c/e", "a0", "ab", "b/x"}
	for i, key := range slices.Backward(all) {
		putBlob(t, st, key, strings.Repeat("z", i+1))
	}
	list, err := st.List(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(all) {
		t.Fatalf("listed %d keys, want %d: %+v", len(list), len(all), list)
	}
	for i, info := range list {
		if info.Key != all[i] || info.Size != int64(i+1) || info.ModTime.IsZero() {
			t.Errorf("entry %d: %+v, want key %s size %d", i, info, all[i], i+1)
		}
	}
	for _, c := range []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"a/b", "", 0, []string{"a/b", "a/bc"}}, // a string prefix, not a path
		{"a/b/", "", 0, []string{}},
		{"a/", "", 0, []string{"a/b", "a/bc", "a/c/d", "a/c/e"}},
		{"a", "", 0, []string{"a.txt", "a/b", "a/bc", "a/c/d", "a/c/e", "a0", "ab"}},
		{"a/c", "", 0, []string{"a/c/d", "a/c/e"}},
		{"a/c/d", "", 0, []string{"a/c/d"}},
		{"b", "", 0, []string{"b/x"}},
		{"c", "", 0, []string{}},
		{"", "a", 0, all},
		{"", "a/bb", 0, []string{"a/bc", "a/c/d", "a/c/e", "a0", "ab", "b/x"}}, // after need not be a key
		{"", "a/b", 0, []string{"a/bc", "a/c/d", "a/c/e", "a0", "ab", "b/x"}},
		{"", "a/c/", 0, []string{"a/c/d", "a/c/e", "a0", "ab", "b/x"}},
		{"a/", "a/bc", 0, []string{"a/c/d", "a/c/e"}},
		{"", "a/c/e", 2, []string{"a0", "ab"}},
		{"", "", 3, []string{"a.txt", "a/b", "a/bc"}},
		{"a/", "", 1, []string{"a/b"}},
		{"", "b/x", 0, []string{}},
	} {
		list, err := st.List(ctx, c.prefix, c.after, c.limit)
		got := []string{}
		for _, info := range list {
			got = append(got, info.Key)
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("List(%q, %q, %d) = %q %v, want %q", c.prefix, c.after, c.limit, got, err, c.want)
		}
	}
}

// Paging through a listing, a page at a time, yields every key once, in
// order, whatever the page size.
func testBlobListPaging(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	var want []string
	for i := range 25 {
		want = append(want, fmt.Sprintf("p/%d", i))
	}
	want = append(want, "p/1-a", "p/1x/y")
	for _, key := range append([]string{"o/1", "p.txt", "q/1"}, want...) {
		putBlob(t, st, key, key)
	}
	slices.Sort(want) // p/0 p/1 p/1-a p/10 … p/19 p/1x/y p/2 p/20 …
	for _, limit := range []int{1, 2, 7, 26, 27, 100} {
		var got []string
		after := ""
		for pages := 1; ; pages++ {
			if pages > len(want)+2 {
				t.Fatalf("limit %d: still paging after %d pages", limit, pages)
			}
			page, err := st.List(ctx, "p/", after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page))
			}
			for _, info := range page {
				got = append(got, info.Key)
			}
			if len(page) < limit {
				break
			}
			after = page[len(page)-1].Key
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: paged %q\nwant %q", limit, got, want)
		}
	}
}

func testBlobBadKeys(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	for _, key := range []string{"", "/", "/x", "../x", "a/../b", "a//b", "a/", ".", "..", "./x", "a/./b", "x/..", `a\b`} {
		if err := st.Put(ctx, key, strings.NewReader("data")); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
		if b, err := st.Open(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			if err == nil {
				b.Close()
			}
			t.Errorf("Open(%q) = %v, want invalid", key, err)
		}
		if _, err := st.Stat(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Stat(%q) = %v, want invalid", key, err)
		}
		if err := st.Delete(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
	}
	if got := blobKeys(t, st, ""); len(got) != 0 {
		t.Errorf("refused keys wrote %q", got)
	}
}

// failingReader yields n bytes, then fails with err.
func failingReader(n int, err error) io.Reader {
	return io.MultiReader(bytes.NewReader(numberedBytes(n)), iotest.ErrReader(err))
}

// A Put whose reader fails midway returns the reader's error and changes
// nothing: the old content stays, a new key stays missing.
func testBlobFailedPut(t *testing.T, st sb.BlobStore) {
	ctx := context.Background()
	putBlob(t, st, "doc", "old content")
	boom := errors.New("connection reset while reading the upload")
	err := st.Put(ctx, "doc", failingReader(100<<10, boom))
	if !errors.Is(err, boom) {
		t.Errorf("Put with a failing reader = %v, want it to wrap the reader's error", err)
	}
	if got, info := readBlob(t, st, "doc"); got != "old content" || info.Size != 11 {
		t.Errorf("after a failed Put the key holds %q, size %d", got, info.Size)
	}
	// The reader's application error keeps its code.
	tooLarge := sb.Errorf(sb.ETOOLARGE, "the file is larger than the limit")
	if err := st.Put(ctx, "fresh", failingReader(10, tooLarge)); sb.ErrorCode(err) != sb.ETOOLARGE {
		t.Errorf("Put with a reader failing too_large = %v (code %s)", err, sb.ErrorCode(err))
	}
	if _, err := st.Stat(ctx, "fresh"); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a new key whose Put failed: %v, want not_found", err)
	}
	if got := blobKeys(t, st, ""); !slices.Equal(got, []string{"doc"}) {
		t.Errorf("after failed Puts the store lists %q", got)
	}
}

// cancellingReader yields chunks of data and cancels ctx after the first
// one, as a client hanging up mid-upload does.
type cancellingReader struct {
	cancel context.CancelFunc
	chunks int
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	if c.chunks == 0 {
		return 0, io.EOF
	}
	c.chunks--
	c.cancel()
	n := min(len(p), 32<<10)
	copy(p, numberedBytes(n))
	return n, nil
}

// A Put whose context ends before its reader is drained fails and
// changes nothing.
func testBlobCancelledPut(t *testing.T, st sb.BlobStore) {
	putBlob(t, st, "doc", "old content")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := st.Put(ctx, "doc", &cancellingReader{cancel: cancel, chunks: 10}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put cancelled midway = %v, want context.Canceled", err)
	}
	if err := st.Put(ctx, "doc", strings.NewReader("new")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v, want context.Canceled", err)
	}
	if got, _ := readBlob(t, st, "doc"); got != "old content" {
		t.Errorf("after cancelled Puts the key holds %q", got)
	}
}
