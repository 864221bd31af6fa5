package localfs

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

// List implements sb.BlobStore. It reads only the directories that can
// hold keys of the page, each one's entries in key order, so a page costs
// the directories along its path, not the whole tree.
//
// Keys sort by bytes, and '/' sorts after some bytes a name may hold
// ("a.txt" < "a/b"): among a directory's entries, a subdirectory sorts as
// if its name ended in "/", which is where its keys start.
func (d *Dir) List(ctx context.Context, prefix, after string, limit int) ([]sb.BlobInfo, error) {
	l := lister{d: d, prefix: prefix, after: after, limit: limit}
	if err := l.walk(ctx, d.root, ""); err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	return l.out, nil
}

type lister struct {
	d             *Dir
	prefix, after string
	limit         int
	out           []sb.BlobInfo
}

func (l *lister) full() bool { return l.limit > 0 && len(l.out) >= l.limit }

// walk lists the keys under dir, all of which start with base ("" for
// the root, else a directory's key and "/").
func (l *lister) walk(ctx context.Context, dir, base string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if missing(err) {
		return nil // removed since its parent was read
	}
	if err != nil {
		return err
	}
	type entry struct {
		key string // a file's key, or a directory's key and "/"
		de  fs.DirEntry
	}
	sorted := make([]entry, 0, len(entries))
	for _, de := range entries {
		key := base + de.Name()
		if _, err := l.d.path(key); err != nil {
			continue // the staging directory, or a name no key has
		}
		switch {
		case de.IsDir():
			sorted = append(sorted, entry{key + "/", de})
		case de.Type().IsRegular():
			sorted = append(sorted, entry{key, de})
		}
	}
	slices.SortFunc(sorted, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	for _, e := range sorted {
		if l.full() {
			return nil
		}
		if e.de.IsDir() {
			// Every key below starts with e.key: skip the directory when
			// the prefix excludes them all, or when they all sort before
			// after.
			if !strings.HasPrefix(e.key, l.prefix) && !strings.HasPrefix(l.prefix, e.key) ||
				l.after > e.key && !strings.HasPrefix(l.after, e.key) {
				continue
			}
			if err := l.walk(ctx, filepath.Join(dir, e.de.Name()), e.key); err != nil {
				return err
			}
			continue
		}
		if !strings.HasPrefix(e.key, l.prefix) || e.key <= l.after {
			continue
		}
		fi, err := e.de.Info()
		if missing(err) {
			continue // deleted since the directory was read
		}
		if err != nil {
			return err
		}
		l.out = append(l.out, info(e.key, fi))
	}
	return nil
}
