// Package localfs is the default file storage: a local directory, private
// to the user the server runs as (directories 0700, files 0600).
//
// Files are written atomically: to a temporary file in the staging
// directory StagingDir under the root, fsynced, renamed into place, and the
// directory that received it fsynced (with the parents of any directory the
// write created), so that after a crash a key holds its old content or its
// new one, never part of it. New removes the temporary files a crash left
// in the staging directory.
//
// A key is a path under the root, so a key cannot be both a file and the
// directory of other keys. An open file keeps reading what it was opened
// on when a Put replaces it or a Delete removes it. A Delete fsyncs the
// directory it removed the file from and leaves the directories, even
// empty ones: List shows files only.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	sb "github.com/switchboardhq/switchboard"
)

// StagingDir is the directory under the root that holds files being
// written. No key may start with it.
const StagingDir = ".tmp"

// Modes of what the store creates.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// Dir stores files under a root directory. Open one Dir per root: New
// empties the staging directory.
type Dir struct {
	root    string
	staging string
}

var _ sb.BlobStore = (*Dir)(nil)

// syncDir fsyncs a directory, making the entries created or renamed in it
// durable. A variable so that a test can watch the calls.
var syncDir = func(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if e := f.Close(); err == nil {
		err = e
	}
	return err
}

// New returns a store rooted at root, creating the directory (and
// narrowing one with wider permissions to 0700), and removes the temporary
// files an interrupted write left behind.
func New(root string) (*Dir, error) {
	if err := os.MkdirAll(root, dirMode); err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	} else if fi.Mode().Perm()&^dirMode != 0 {
		if err := os.Chmod(root, dirMode); err != nil {
			return nil, fmt.Errorf("file storage: %w", err)
		}
	}
	d := &Dir{root: root, staging: filepath.Join(root, StagingDir)}
	if err := os.Mkdir(d.staging, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	stale, err := os.ReadDir(d.staging)
	if err != nil {
		return nil, fmt.Errorf("file storage: %w", err)
	}
	for _, e := range stale {
		if err := os.RemoveAll(filepath.Join(d.staging, e.Name())); err != nil {
			return nil, fmt.Errorf("file storage: remove a stale temporary file: %w", err)
		}
	}
	return d, nil
}

// Root returns the directory files are kept in.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") {
		return "", sb.Errorf(sb.EINVALID, "bad file key %q", key)
	}
	parts := strings.Split(key, "/")
	if parts[0] == StagingDir {
		return "", sb.Errorf(sb.EINVALID, "bad file key %q", key)
	}
	for _, part := range parts {
		if part == "" || part == "." || part == ".." {
			return "", sb.Errorf(sb.EINVALID, "bad file key %q", key)
		}
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

// mkdirs creates dir and the missing directories between it and the root,
// fsyncing the parent of each one it creates.
func (d *Dir) mkdirs(dir string) error {
	if dir == d.root {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if err := d.mkdirs(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, dirMode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made by a concurrent Put
		}
		return err
	}
	return syncDir(parent)
}

// Put implements sb.BlobStore.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	dir := filepath.Dir(p)
	if err := d.mkdirs(dir); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	f, err := os.CreateTemp(d.staging, "put-*") // mode 0600
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		f.Close()
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("put %s: sync directory: %w", key, err)
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

// file is an open blob: the file's descriptor keeps reading the content it
// was opened on after a Put renames another file over it or a Delete
// removes it.
type file struct {
	f    *os.File
	info sb.BlobInfo
}

func (f *file) Read(p []byte) (int, error)                   { return f.f.Read(p) }
func (f *file) Seek(offset int64, whence int) (int64, error) { return f.f.Seek(offset, whence) }
func (f *file) Close() error                                 { return f.f.Close() }
func (f *file) Info() sb.BlobInfo                            { return f.info }

// Open implements sb.BlobStore.
func (d *Dir) Open(ctx context.Context, key string) (sb.Blob, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if missing(err) {
		return nil, notFound(key)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notFound(key)
	}
	return &file{f: f, info: info(key, fi)}, nil
}

// Stat implements sb.BlobStore.
func (d *Dir) Stat(ctx context.Context, key string) (sb.BlobInfo, error) {
	p, err := d.path(key)
	if err != nil {
		return sb.BlobInfo{}, err
	}
	fi, err := os.Stat(p)
	if missing(err) {
		return sb.BlobInfo{}, notFound(key)
	}
	if err != nil {
		return sb.BlobInfo{}, fmt.Errorf("stat %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		return sb.BlobInfo{}, notFound(key)
	}
	return info(key, fi), nil
}

// Delete implements sb.BlobStore. A key that names a directory (the
// parent of other keys) holds no file: deleting it does nothing. The
// directories a file was in stay, empty or not.
func (d *Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if missing(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if fi.IsDir() {
		return nil
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed by a concurrent Delete
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("delete %s: sync directory: %w", key, err)
	}
	return nil
}

// missing reports whether err is the error of reaching a file that does
// not exist, or a file under something that is not a directory.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// notFound is the ENOTFOUND error of a key that holds no file.
func notFound(key string) error { return sb.Errorf(sb.ENOTFOUND, "file %s not found", key) }

func info(key string, fi fs.FileInfo) sb.BlobInfo {
	return sb.BlobInfo{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
}
