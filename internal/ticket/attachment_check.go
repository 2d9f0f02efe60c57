package ticket

import (
	"context"
	"strings"

	"helpdesk/internal/apperr"
)

// CheckAttachment applies the portal's attachment rules (accepted kinds,
// content agreeing with the name, size) to a file held in memory, without
// storing it. Mail intake uses it to list refused files in the ticket
// message before the accepted ones are stored with AddAttachment, which
// checks them again. It returns the same errors AddAttachment would.
func (s *Service) CheckAttachment(ctx context.Context, filename string, size int64, head []byte) error {
	lim, err := s.AttachmentLimits(ctx)
	if err != nil {
		return err
	}
	name := cleanFilename(filename)
	want, ok := kindByName(lim.AttachmentTypes, name)
	if name == "" || !ok {
		return apperr.New(apperr.Unsupported, "attachment.type_not_allowed").With("types", strings.Join(lim.AttachmentTypes, ", "))
	}
	if size == 0 {
		return apperr.New(apperr.Invalid, "attachment.empty")
	}
	if size > lim.MaxAttachmentBytes {
		return apperr.New(apperr.TooLarge, "attachment.too_large").With("max_mb", lim.MaxAttachmentBytes>>20)
	}
	got := detectKind(head[:min(len(head), sniffLen)])
	if got == "text" && (want == "log" || want == "txt") {
		got = want
	}
	if got != want {
		return apperr.New(apperr.Unsupported, "attachment.type_mismatch").With("name", name)
	}
	return nil
}
