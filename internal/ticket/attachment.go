package ticket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// DefaultAttachmentTypes are the kinds of file accepted unless configured otherwise.
var DefaultAttachmentTypes = []string{"jpg", "png", "pdf", "log", "txt"}

// fileKind describes one accepted kind of file.
type fileKind struct {
	contentType string
	exts        []string
}

var fileKinds = map[string]fileKind{
	"jpg": {"image/jpeg", []string{".jpg", ".jpeg"}},
	"png": {"image/png", []string{".png"}},
	"pdf": {"application/pdf", []string{".pdf"}},
	"log": {"text/plain; charset=utf-8", []string{".log"}},
	"txt": {"text/plain; charset=utf-8", []string{".txt"}},
}

// sniffLen is how much of a file decides its type.
const sniffLen = 8192

// detectKind decides what a file is from its first bytes, whatever its name
// says. Text is recognised as having no NUL bytes and few control
// characters (so GBK-encoded Windows logs pass as well as UTF-8).
func detectKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "pdf"
	case len(head) > 0 && isText(head):
		return "text"
	}
	return ""
}

func isText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b {
			ctl++
		}
	}
	return ctl*100 <= len(b)
}

// kindByName maps a file name's extension to an accepted kind.
func kindByName(types []string, name string) (string, bool) {
	ext := strings.ToLower(path.Ext(name))
	for _, k := range types {
		if fk, ok := fileKinds[k]; ok && slices.Contains(fk.exts, ext) {
			return k, true
		}
	}
	return "", false
}

// cleanFilename keeps the base name, without control characters or path
// separators, within 200 characters.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for utf8.RuneCountInString(name) > 200 {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) >= 200 {
			ext = "" // no real extension: cut the name itself
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:200-utf8.RuneCountInString(ext)-1]) + ext
	}
	return name
}

// errTooLarge is returned by limitReader once the limit is passed.
var errTooLarge = errors.New("attachment too large")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

// AddAttachment stores a file on a ticket. The type is decided from the
// content and must agree with the file name's extension; the size limit is
// enforced while streaming, so an oversize upload is never kept.
func (s *Service) AddAttachment(ctx context.Context, by identity.Actor, number, filename string, content io.Reader) (Attachment, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return Attachment{}, err
	}
	if !Can(rel, ActAttach) {
		return Attachment{}, errForbidden("ticket.attach_forbidden")
	}
	if t.Status == StatusClosed {
		return Attachment{}, apperr.New(apperr.Conflict, "ticket.closed")
	}
	lim, err := s.AttachmentLimits(ctx)
	if err != nil {
		return Attachment{}, err
	}
	name := cleanFilename(filename)
	allowed := strings.Join(lim.AttachmentTypes, ", ")
	want, ok := kindByName(lim.AttachmentTypes, name)
	if name == "" || !ok {
		return Attachment{}, apperr.New(apperr.Unsupported, "attachment.type_not_allowed").With("types", allowed)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Attachment{}, apperr.Wrap(apperr.Invalid, "attachment.read_failed", err)
	}
	head = head[:n]
	if n == 0 {
		return Attachment{}, apperr.New(apperr.Invalid, "attachment.empty")
	}
	got := detectKind(head)
	if got == "text" && (want == "log" || want == "txt") {
		got = want
	}
	if got != want {
		return Attachment{}, apperr.New(apperr.Unsupported, "attachment.type_mismatch").With("name", name)
	}
	max := lim.MaxAttachmentBytes
	lr := &limitReader{r: io.MultiReader(bytes.NewReader(head), content), left: max}
	digest, size, err := s.blobs.Put(ctx, lr)
	if errors.Is(err, errTooLarge) {
		return Attachment{}, apperr.New(apperr.TooLarge, "attachment.too_large").With("max_mb", max>>20)
	}
	if err != nil {
		return Attachment{}, err
	}
	a := Attachment{TicketID: t.ID, UploaderID: by.UserID, Uploader: by.Login, Filename: name,
		ContentType: fileKinds[want].contentType, Size: size, SHA256: digest}
	_, err = s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		a.CreatedAt = now
		ev := s.event(by, now, EventAttachment, "attachment", "", name)
		return Change{Attachment: &a, Events: []Event{ev}}, nil
	})
	if err != nil {
		return Attachment{}, err
	}
	return a, nil
}

// Attachments lists a ticket's files.
func (s *Service) Attachments(ctx context.Context, by identity.Actor, number string) ([]Attachment, error) {
	t, _, err := s.load(ctx, by, number)
	if err != nil {
		return nil, err
	}
	return s.store.Attachments(ctx, t.ID)
}

// OpenAttachment returns a file's metadata and content, to those who may
// see the ticket. The caller closes the content.
func (s *Service) OpenAttachment(ctx context.Context, by identity.Actor, number string, id int64) (Attachment, io.ReadSeekCloser, error) {
	t, _, err := s.load(ctx, by, number)
	if err != nil {
		return Attachment{}, nil, err
	}
	a, err := s.store.AttachmentByID(ctx, t.ID, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	r, err := s.blobs.Open(ctx, a.SHA256)
	if err != nil {
		return Attachment{}, nil, err
	}
	return a, r, nil
}
