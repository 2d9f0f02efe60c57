package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/ticket"
)

// The site_settings keys of the attachment limits (migration 00008's
// key/value table; no table of their own).
const (
	keyAttachmentMaxBytes = "attachment_max_bytes"
	keyAttachmentTypes    = "attachment_types"
)

// AttachmentLimits implements ticket.LimitStore: the saved limits, zero
// fields for those never saved (or unreadable, which the service treats
// the same way: the configured default applies).
func (s *Web) AttachmentLimits(ctx context.Context) (ticket.Limits, error) {
	kv, err := s.SiteSettings(ctx)
	if err != nil {
		return ticket.Limits{}, err
	}
	var l ticket.Limits
	if v, ok := kv[keyAttachmentMaxBytes]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			l.MaxAttachmentBytes = n
		}
	}
	if v := kv[keyAttachmentTypes]; v != "" {
		l.AttachmentTypes = strings.Split(v, ",")
	}
	return l, nil
}

// SaveAttachmentLimits implements ticket.LimitStore.
func (s *Web) SaveAttachmentLimits(ctx context.Context, l ticket.Limits, at time.Time) error {
	return s.SaveSiteSettings(ctx, map[string]string{
		keyAttachmentMaxBytes: strconv.FormatInt(l.MaxAttachmentBytes, 10),
		keyAttachmentTypes:    strings.Join(l.AttachmentTypes, ","),
	}, at)
}
