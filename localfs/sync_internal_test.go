package localfs

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A Put fsyncs the directory the file was renamed into, and the parent of
// every directory it created, so that the new entries survive a power loss.
func TestPutSyncsTheDirectories(t *testing.T) {
	var mu sync.Mutex
	var synced []string
	orig := syncDir
	syncDir = func(dir string) error {
		mu.Lock()
		synced = append(synced, dir)
		mu.Unlock()
		return orig(dir)
	}
	t.Cleanup(func() { syncDir = orig })
	root := t.TempDir()
	d, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.Put(ctx, "attachments/12/7", strings.NewReader("bytes")); err != nil {
		t.Fatal(err)
	}
	// attachments/ made (root synced), attachments/12/ made (attachments/
	// synced), the file renamed into attachments/12/.
	want := []string{root, filepath.Join(root, "attachments"), filepath.Join(root, "attachments", "12")}
	if !slices.Equal(synced, want) {
		t.Errorf("synced %q, want %q", synced, want)
	}
	synced = nil
	if err := d.Put(ctx, "attachments/12/7", strings.NewReader("replaced")); err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(root, "attachments", "12")}; !slices.Equal(synced, want) {
		t.Errorf("replacing synced %q, want %q", synced, want)
	}
}

// A Delete fsyncs the directory it removed the file from, so that the
// removal survives a power loss; deleting a missing key syncs nothing.
func TestDeleteSyncsTheDirectory(t *testing.T) {
	root := t.TempDir()
	d, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := d.Put(ctx, "attachments/12/7", strings.NewReader("bytes")); err != nil {
		t.Fatal(err)
	}
	var synced []string
	orig := syncDir
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return orig(dir)
	}
	t.Cleanup(func() { syncDir = orig })
	if err := d.Delete(ctx, "attachments/12/7"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "attachments/12/7"); err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(root, "attachments", "12")}; !slices.Equal(synced, want) {
		t.Errorf("synced %q, want %q", synced, want)
	}
}
