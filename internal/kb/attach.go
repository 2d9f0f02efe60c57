package kb

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// MaxAttachmentBytes bounds one article attachment.
const MaxAttachmentBytes = 10 << 20

// Blobs stores attachment content by digest (internal/blob).
type Blobs interface {
	Put(ctx context.Context, r io.Reader) (digest string, size int64, err error)
	Open(ctx context.Context, digest string) (io.ReadSeekCloser, error)
}

// AttachmentStore keeps attachment rows.
type AttachmentStore interface {
	AddAttachment(ctx context.Context, a Attachment) (Attachment, error)
	Attachments(ctx context.Context, articleID int64) ([]Attachment, error)
}

// contentType decides a file's type from its first bytes: PNG, JPEG,
// PDF or plain text; anything else is refused.
func contentType(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case len(head) > 0 && bytes.IndexByte(head, 0) < 0 && utf8.Valid(head[:max(0, len(head)-3)]):
		return "text/plain; charset=utf-8"
	}
	return ""
}

// AddAttachment stores a file (PNG, JPEG, PDF or text, at most 10 MB) for
// an article (staff); its type comes from its content, not its name.
func (s *Service) AddAttachment(ctx context.Context, by identity.Actor, articleID int64, filename string, content io.Reader) (Attachment, error) {
	if !isStaff(by) {
		return Attachment{}, errForbidden()
	}
	if _, err := s.store.Article(ctx, articleID); err != nil {
		return Attachment{}, err
	}
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, "\\", "/")))
	if name == "" || name == "." || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 200 {
		return Attachment{}, apperr.FieldError("kb.attachment_name_invalid", "file", nil)
	}
	br := bufio.NewReaderSize(content, 8192)
	head, _ := br.Peek(8192)
	ct := contentType(head)
	if ct == "" {
		return Attachment{}, apperr.FieldError("kb.attachment_type", "file", nil)
	}
	lr := &io.LimitedReader{R: br, N: MaxAttachmentBytes + 1}
	digest, size, err := s.blobs.Put(ctx, lr)
	if err != nil {
		return Attachment{}, err
	}
	if size > MaxAttachmentBytes {
		return Attachment{}, apperr.FieldError("kb.attachment_too_large", "file", map[string]any{"max": "10 MB"})
	}
	return s.atts.AddAttachment(ctx, Attachment{ArticleID: articleID, UploaderID: by.UserID, Filename: name, ContentType: ct,
		Size: size, SHA256: digest, CreatedAt: s.now().UTC()})
}

// Attachments lists an article's files for a reader who may read it.
func (s *Service) Attachments(ctx context.Context, by identity.Actor, articleID int64) ([]Attachment, error) {
	if _, err := s.Get(ctx, by, articleID); err != nil {
		return nil, err
	}
	return s.atts.Attachments(ctx, articleID)
}

// OpenAttachment opens one of an article's files for a reader who may read it.
func (s *Service) OpenAttachment(ctx context.Context, by identity.Actor, articleID, id int64) (Attachment, io.ReadSeekCloser, error) {
	as, err := s.Attachments(ctx, by, articleID)
	if err != nil {
		return Attachment{}, nil, err
	}
	for _, a := range as {
		if a.ID == id {
			r, err := s.blobs.Open(ctx, a.SHA256)
			return a, r, err
		}
	}
	return Attachment{}, nil, apperr.NotFoundf("kb.attachment_not_found", "attachment %d", id)
}
