package localfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/iotest"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/localfs"
	"github.com/switchboardhq/switchboard/storetest"
)

// The local directory passes the suite every file storage passes.
func TestBlobStore(t *testing.T) {
	storetest.RunBlobStore(t, func(t *testing.T) sb.BlobStore { return newDir(t) })
}

func newDir(t *testing.T) *localfs.Dir {
	t.Helper()
	d, err := localfs.New(filepath.Join(t.TempDir(), "exports"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// files lists every entry under root, slash-separated and sorted, with
// directories ending in "/". The staging directory itself is left out,
// not what it holds: a temporary file left behind shows.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if de.IsDir() {
			rel += "/"
		}
		if rel == localfs.StagingDir+"/" {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestNewCreatesTheRoot(t *testing.T) {
	root := filepath.Join(t.TempDir(), "a", "b")
	d, err := localfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	if d.Root() != root {
		t.Errorf("Root() = %q, want %q", d.Root(), root)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Errorf("root not created: %v", err)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	for key, data := range map[string][]byte{
		"a.json":        []byte(`{"id":1}`),
		"empty":         {},
		"binary.bin":    {0, 1, 2, 0xff, '\n', 0},
		"with space.md": []byte("héllo\n"),
	} {
		if err := d.Put(ctx, key, bytes.NewReader(data)); err != nil {
			t.Fatalf("Put %q: %v", key, err)
		}
		got, err := sb.ReadBlob(ctx, d, key)
		if err != nil {
			t.Fatalf("Get %q: %v", key, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("Get %q = %q, want %q", key, got, data)
		}
		onDisk, err := os.ReadFile(filepath.Join(d.Root(), key))
		if err != nil || !bytes.Equal(onDisk, data) {
			t.Errorf("file %q on disk holds %q (%v)", key, onDisk, err)
		}
	}
}

func TestPutReplacesAndLeavesNoTemporaryFiles(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("first version, which is longer")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("second")); err != nil {
		t.Fatal(err)
	}
	got, err := sb.ReadBlob(ctx, d, "7/metadata.json")
	if err != nil || string(got) != "second" {
		t.Fatalf("after replace: %q %v, want %q", got, err, "second")
	}
	if got, want := strings.Join(files(t, d.Root()), " "), "7/ 7/metadata.json"; got != want {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

// A Put that cannot complete leaves no temporary file behind.
func TestFailedPutLeavesNoTemporaryFile(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	// "7" is a directory that is not empty: renaming a file onto it fails.
	err := d.Put(ctx, "7", strings.NewReader("x"))
	if err == nil {
		t.Fatal("Put onto a directory succeeded")
	}
	if got, want := strings.Join(files(t, d.Root()), " "), "7/ 7/metadata.json"; got != want {
		t.Errorf("after a failed Put the directory holds %q, want %q", got, want)
	}
}

func TestNestedKeysCreateDirectories(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "42/attachments/photo.png", strings.NewReader("png")); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "42/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(d.Root(), "42", "attachments"))
	if err != nil || !fi.IsDir() {
		t.Fatalf("nested directory: %v", err)
	}
	if got, err := sb.ReadBlob(ctx, d, "42/attachments/photo.png"); err != nil || string(got) != "png" {
		t.Errorf("Get nested: %q %v", got, err)
	}
	want := "42/ 42/attachments/ 42/attachments/photo.png 42/metadata.json"
	if got := strings.Join(files(t, d.Root()), " "); got != want {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

func TestBadKeysAreRefused(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "../x", "a/../b", "a//b", "a\\b", "..", ".", "./x", "a/./b", "a/", "/", "x/..",
		localfs.StagingDir + "/x", localfs.StagingDir} {
		err := d.Put(ctx, key, strings.NewReader("data"))
		if sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Put(%q) = %v, want invalid", key, err)
		}
		if _, err := d.Open(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Open(%q) = %v, want invalid", key, err)
		}
		if _, err := d.Stat(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Stat(%q) = %v, want invalid", key, err)
		}
		if err := d.Delete(ctx, key); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("Delete(%q) = %v, want invalid", key, err)
		}
	}
	if got := files(t, d.Root()); len(got) != 0 {
		t.Errorf("refused keys wrote %q", got)
	}
	// Nothing escaped the root either.
	parent := filepath.Dir(d.Root())
	if got := files(t, parent); len(got) != 2 || got[0] != "exports/" || got[1] != "exports/"+localfs.StagingDir+"/" {
		t.Errorf("the root's parent holds %q", got)
	}
}

// A key with no file is not found, whatever is or is not on the way to
// it: nothing, a directory (the parent of other keys), a file where a
// directory would be.
func TestMissingIsNotFound(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"missing.json", "no/such/dir/file", "7", "7/metadata.json/x"} {
		if _, err := d.Open(ctx, key); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("Open(%q) = %v, want not_found", key, err)
		}
		if _, err := d.Stat(ctx, key); sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("Stat(%q) = %v, want not_found", key, err)
		}
		if err := d.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
	}
	// Deleting the directory's key left the directory and its file.
	if got, want := strings.Join(files(t, d.Root()), " "), "7/ 7/metadata.json"; got != want {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

// A Put whose reader fails leaves the old file and no temporary file.
func TestFailedReaderLeavesNoTemporaryFile(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(strings.Repeat("x", 100<<10)), iotest.ErrReader(boom))
	if err := d.Put(ctx, "7/metadata.json", r); !errors.Is(err, boom) {
		t.Fatalf("Put = %v, want boom", err)
	}
	if got, want := strings.Join(files(t, d.Root()), " "), "7/ 7/metadata.json"; got != want {
		t.Errorf("after a failed Put the directory holds %q, want %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(d.Root(), "7", "metadata.json")); err != nil || string(b) != "{}" {
		t.Errorf("the file on disk: %q %v", b, err)
	}
}

// Deleting a file removes it from the disk and keeps its directory.
func TestDeleteRemovesTheFile(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	for _, key := range []string{"7/metadata.json", "7/other"} {
		if err := d.Put(ctx, key, strings.NewReader("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Delete(ctx, "7/metadata.json"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "7/other"); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(files(t, d.Root()), " "), "7/"; got != want {
		t.Errorf("after Delete the directory holds %q, want %q", got, want)
	}
	if list, err := d.List(ctx, "", "", 0); err != nil || len(list) != 0 {
		t.Errorf("List shows the empty directory: %+v %v", list, err)
	}
}

// An open file reads what it was opened on: the descriptor keeps the old
// file after a rename over it or a removal.
func TestOpenKeepsReadingItsFile(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "f", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	b, err := d.Open(ctx, "f")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := d.Put(ctx, "f", strings.NewReader("new and longer")); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "f"); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(b); err != nil || string(got) != "old" || b.Info().Size != 3 {
		t.Errorf("read %q %v, size %d; want the old file", got, err, b.Info().Size)
	}
}

// List shows the files under the root: not the staging directory nor
// what it holds, not directories, not names that no key has; and a key
// that only starts like the staging directory is an ordinary key.
func TestListShowsKeysOnly(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	for _, key := range []string{".tmpx", ".tmp2/a", "a/b"} {
		if err := d.Put(ctx, key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{filepath.Join(localfs.StagingDir, "put-1"), `a/back\slash`} {
		if err := os.WriteFile(filepath.Join(d.Root(), name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(d.Root(), "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(d.Root(), "a", "b"), filepath.Join(d.Root(), "link")); err != nil {
		t.Fatal(err)
	}
	list, err := d.List(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, info := range list {
		got = append(got, info.Key)
	}
	if want := ".tmp2/a .tmpx a/b"; strings.Join(got, " ") != want {
		t.Errorf("listed %q, want %q", got, want)
	}
	if list, err := d.List(ctx, localfs.StagingDir, "", 0); err != nil || len(list) != 2 {
		t.Errorf("List(%q) = %+v %v, want .tmp2/a and .tmpx", localfs.StagingDir, list, err)
	}
}

// Files are private to the server's user, and so are the directories,
// the root included even when it existed with wider permissions.
func TestFileMode(t *testing.T) {
	root := filepath.Join(t.TempDir(), "exports")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(root, 0o755) // whatever the umask
	d, err := localfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, data := range []string{"one", "two"} { // created, then replaced
		if err := d.Put(ctx, "1/a/metadata.json", strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(d.Root(), "1", "a", "metadata.json"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || !fi.Mode().IsRegular() {
			t.Errorf("put %d: mode %v, want -rw-------", i+1, fi.Mode())
		}
	}
	for _, dir := range []string{"", "1", "1/a", localfs.StagingDir} {
		fi, err := os.Stat(filepath.Join(root, dir))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("directory %q: mode %v, want drwx------", dir, fi.Mode())
		}
	}
}

// A temporary file a crash left behind is removed when the store opens
// again; the files in place stay.
func TestNewSweepsStaleTemporaryFiles(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	if err := d.Put(ctx, "7/metadata.json", strings.NewReader("{}")); err != nil {
		t.Fatal(err)
	}
	// What a crash between the write and the rename leaves.
	stale := filepath.Join(d.Root(), localfs.StagingDir, "put-123456")
	if err := os.WriteFile(stale, []byte("half a file"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(files(t, d.Root()), " "); got != ".tmp/put-123456 7/ 7/metadata.json" {
		t.Fatalf("before the reopen: %q", got)
	}
	d, err := localfs.New(d.Root())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(files(t, d.Root()), " "), "7/ 7/metadata.json"; got != want {
		t.Errorf("after the reopen the directory holds %q, want %q", got, want)
	}
	if b, err := sb.ReadBlob(ctx, d, "7/metadata.json"); err != nil || string(b) != "{}" {
		t.Errorf("the file in place: %q %v", b, err)
	}
}

// Attachments are kept three levels deep, the thumbnail beside the file.
func TestAttachmentKeys(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	for key, data := range map[string]string{sb.AttachmentKey(12, 7): "bytes", sb.ThumbnailKey(12, 7): "thumb",
		sb.AttachmentKey(3, 8): "other"} {
		if err := d.Put(ctx, key, strings.NewReader(data)); err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	want := []string{"attachments/", "attachments/12/", "attachments/12/7", "attachments/12/7.thumb",
		"attachments/3/", "attachments/3/8"}
	if got := files(t, d.Root()); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", got, want)
	}
	if b, err := sb.ReadBlob(ctx, d, sb.ThumbnailKey(12, 7)); err != nil || string(b) != "thumb" {
		t.Errorf("thumbnail: %q %v", b, err)
	}
	if _, err := sb.ReadBlob(ctx, d, sb.ThumbnailKey(3, 8)); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("missing thumbnail: %v", err)
	}
}
