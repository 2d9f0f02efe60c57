package ticket

import (
	"context"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// LimitStore keeps the attachment limits an admin saved. A zero field in
// what it returns means "never saved": the configured default applies.
type LimitStore interface {
	AttachmentLimits(ctx context.Context) (Limits, error)
	SaveAttachmentLimits(ctx context.Context, l Limits, at time.Time) error
}

// MaxAttachmentMB is the largest per-file limit an admin may set.
const MaxAttachmentMB = 100

// AttachmentKinds lists every kind of file the desk can check (and so may
// accept), in a stable order.
func AttachmentKinds() []string {
	out := make([]string, 0, len(fileKinds))
	for k := range fileKinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// AttachmentLimits returns the limits in force: what an admin saved, the
// configured defaults for what they never saved. Every upload reads them,
// so a change applies at once on every node.
func (s *Service) AttachmentLimits(ctx context.Context) (Limits, error) {
	l := s.limits
	if s.limitStore == nil {
		return l, nil
	}
	saved, err := s.limitStore.AttachmentLimits(ctx)
	if err != nil {
		return Limits{}, err
	}
	if saved.MaxAttachmentBytes > 0 {
		l.MaxAttachmentBytes = saved.MaxAttachmentBytes
	}
	if len(saved.AttachmentTypes) > 0 {
		l.AttachmentTypes = saved.AttachmentTypes
	}
	return l, nil
}

// SaveAttachmentLimits sets the per-file size limit (whole megabytes, 1 to
// MaxAttachmentMB) and the accepted kinds (a non-empty subset of
// AttachmentKinds). Admins only.
func (s *Service) SaveAttachmentLimits(ctx context.Context, by identity.Actor, l Limits) (Limits, error) {
	if !by.IsAdmin() {
		return Limits{}, errForbidden("auth.forbidden")
	}
	if s.limitStore == nil {
		return Limits{}, apperr.New(apperr.Unsupported, "attachment.limits_fixed")
	}
	var m apperr.Multi
	if mb := l.MaxAttachmentBytes; mb < 1<<20 || mb > MaxAttachmentMB<<20 || mb%(1<<20) != 0 {
		m.Add(apperr.FieldError("field.out_of_range", "max_mb", map[string]any{"min": 1, "max": MaxAttachmentMB}))
	}
	var types []string
	for _, t := range l.AttachmentTypes {
		t = strings.ToLower(strings.TrimSpace(t))
		if _, ok := fileKinds[t]; !ok {
			m.Add(apperr.FieldError("attachment.kind_unknown", "types", map[string]any{"kind": t, "kinds": strings.Join(AttachmentKinds(), ", ")}))
			continue
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(l.AttachmentTypes) == 0 {
		m.Add(apperr.FieldError("field.required", "types", nil))
	}
	if err := m.Err(); err != nil {
		return Limits{}, err
	}
	slices.Sort(types)
	l.AttachmentTypes = types
	if err := s.limitStore.SaveAttachmentLimits(ctx, l, s.now().UTC()); err != nil {
		return Limits{}, err
	}
	return l, nil
}
