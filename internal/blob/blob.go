// Package blob stores file content on disk under its SHA-256, so the same
// file uploaded twice is kept once and a stored file can never change.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"helpdesk/internal/apperr"
)

// FS is a content-addressed store in a directory.
type FS struct{ dir string }

// NewFS returns a store rooted at dir, creating it if needed.
func NewFS(dir string) (*FS, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &FS{dir: dir}, nil
}

var digestRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (f *FS) path(digest string) string {
	return filepath.Join(f.dir, digest[:2], digest[2:4], digest)
}

// Put writes r to a temporary file, fsyncs it and renames it into place
// under its digest. On any error nothing is left behind.
func (f *FS) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "up-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	if err := ctx.Err(); err != nil {
		return "", 0, err
	}
	digest := hex.EncodeToString(h.Sum(nil))
	dst := f.path(digest)
	if _, err := os.Stat(dst); err == nil {
		return digest, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	return digest, n, nil
}

// Open returns the content stored under digest.
func (f *FS) Open(_ context.Context, digest string) (io.ReadSeekCloser, error) {
	if !digestRE.MatchString(digest) {
		return nil, apperr.New(apperr.NotFound, "attachment.not_found")
	}
	file, err := os.Open(f.path(digest))
	if os.IsNotExist(err) {
		return nil, apperr.Wrap(apperr.NotFound, "attachment.not_found", err)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return file, nil
}
