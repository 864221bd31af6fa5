package app

import (
	"context"
	"strings"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/redact"
	"github.com/switchboardhq/switchboard/localfs"
	"github.com/switchboardhq/switchboard/s3blob"
)

// openFiles opens the file stores Options name: the exports (metadata
// files other systems collect) and the private files (chat attachments;
// nil when switched off). Options.Files "" keeps them in ExportsDir and
// FilesDir; an s3:// URL keeps both in its bucket, under exports/ and
// files/ of its prefix, with attachments always on.
func openFiles(ctx context.Context, opt Options) (exports, files sb.BlobStore, err error) {
	switch {
	case opt.Files == "":
		dir, err := localfs.New(opt.ExportsDir)
		if err != nil {
			return nil, nil, err
		}
		if opt.FilesDir == "" {
			return dir, nil, nil
		}
		private, err := localfs.New(opt.FilesDir)
		if err != nil {
			return nil, nil, err
		}
		return dir, private, nil
	case strings.HasPrefix(opt.Files, "s3://"):
		s, err := s3blob.Open(ctx, opt.Files)
		if err != nil {
			return nil, nil, err
		}
		e, err := s.Sub("exports")
		if err != nil {
			return nil, nil, err
		}
		f, err := s.Sub("files")
		if err != nil {
			return nil, nil, err
		}
		return e, f, nil
	}
	return nil, nil, sb.Errorf(sb.EINVALID, "file storage %q: want an s3:// URL, or nothing for the data directory", redact.URL(opt.Files))
}
