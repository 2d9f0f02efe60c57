package notify

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// SettingsStore is what the notification settings need.
type SettingsStore interface {
	OutStore
	Robot(ctx context.Context, id int64) (Robot, error)
	SaveRobot(ctx context.Context, r Robot) (Robot, error)
	DeleteRobot(ctx context.Context, id int64) error
}

// Settings serves what admins and users configure: templates, channel
// preferences and IM robots.
type Settings struct {
	store    SettingsStore
	renderer *Renderer
}

// NewSettings builds the settings service.
func NewSettings(s SettingsStore, r *Renderer) *Settings { return &Settings{store: s, renderer: r} }

func forbidden() error { return apperr.New(apperr.Forbidden, "auth.forbidden") }

// Templates lists every notification template in force, in both languages
// (admins only).
func (s *Settings) Templates(ctx context.Context, by identity.Actor) ([]Template, error) {
	if !by.IsAdmin() {
		return nil, forbidden()
	}
	var out []Template
	for _, k := range Templates {
		for _, l := range Langs {
			t, err := s.renderer.Template(ctx, k, l)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// SaveTemplate stores an admin's version of a template after checking it
// renders.
func (s *Settings) SaveTemplate(ctx context.Context, by identity.Actor, t Template) (Template, error) {
	if !by.IsAdmin() {
		return Template{}, forbidden()
	}
	if !slices.Contains(Templates, t.Key) {
		return Template{}, apperr.NotFoundf("notify.template_not_found", "template %s", t.Key)
	}
	if !slices.Contains(Langs, t.Lang) {
		return Template{}, apperr.FieldError("notify.lang_invalid", "lang", nil)
	}
	if strings.TrimSpace(t.Subject) == "" || strings.TrimSpace(t.Text) == "" {
		return Template{}, apperr.FieldError("field.required", "subject", nil)
	}
	if err := Check(t); err != nil {
		return Template{}, err
	}
	if err := s.store.SaveTemplate(ctx, t); err != nil {
		return Template{}, err
	}
	return s.renderer.Template(ctx, t.Key, t.Lang)
}

// ResetTemplate drops an admin's version: the default applies again.
func (s *Settings) ResetTemplate(ctx context.Context, by identity.Actor, key, lang string) error {
	if !by.IsAdmin() {
		return forbidden()
	}
	return s.store.DeleteTemplate(ctx, key, lang)
}

// Prefs returns the caller's channel choices, defaults filled in.
func (s *Settings) Prefs(ctx context.Context, by identity.Actor) (Prefs, error) {
	if by.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	p, err := s.store.Prefs(ctx, by.UserID)
	if err != nil {
		return nil, err
	}
	out := Prefs{}
	for _, c := range Channels {
		out[c] = p.On(c)
	}
	return out, nil
}

// SetPrefs saves the caller's channel choices.
func (s *Settings) SetPrefs(ctx context.Context, by identity.Actor, p Prefs) (Prefs, error) {
	if by.UserID == 0 {
		return nil, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	for c := range p {
		if !slices.Contains(Channels, c) {
			return nil, apperr.FieldError("notify.channel_invalid", string(c), nil)
		}
	}
	if err := s.store.SetPrefs(ctx, by.UserID, p); err != nil {
		return nil, err
	}
	return s.Prefs(ctx, by)
}

// Robots lists the IM robots (admins only); secrets are left out.
func (s *Settings) Robots(ctx context.Context, by identity.Actor) ([]Robot, error) {
	if !by.IsAdmin() {
		return nil, forbidden()
	}
	rs, err := s.store.Robots(ctx)
	for i := range rs {
		rs[i].Secret = ""
	}
	return rs, err
}

// SaveRobot creates (ID 0) or updates a robot.
func (s *Settings) SaveRobot(ctx context.Context, by identity.Actor, r Robot) (Robot, error) {
	if !by.IsAdmin() {
		return Robot{}, forbidden()
	}
	var m apperr.Multi
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 100 {
		m.Add(apperr.FieldError("field.required", "name", nil))
	}
	switch r.Kind {
	case RobotWebhook, RobotWeCom, RobotDingTalk, RobotFeishu:
	default:
		m.Add(apperr.FieldError("notify.robot_kind_invalid", "kind", nil))
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		m.Add(apperr.FieldError("notify.url_invalid", "url", nil))
	}
	for _, e := range r.Events {
		if !slices.Contains(RobotEventTypes, e) {
			m.Add(apperr.FieldError("notify.event_unknown", "events", map[string]any{"event": e}))
		}
	}
	if r.Kind == RobotWebhook {
		if _, err := GenericBody(r.BodyTemplate, IMJob{Text: "t", Ticket: "TS20261122001", Event: EventTicketCreated}); err != nil {
			m.Add(apperr.FieldError("notify.body_not_json", "body_template", nil))
		}
	}
	if err := m.Err(); err != nil {
		return Robot{}, err
	}
	if r.ID != 0 && r.Secret == "" {
		if old, err := s.store.Robot(ctx, r.ID); err == nil {
			r.Secret = old.Secret // write-only: an empty secret keeps the stored one
		}
	}
	got, err := s.store.SaveRobot(ctx, r)
	got.Secret = ""
	return got, err
}

// DeleteRobot removes a robot.
func (s *Settings) DeleteRobot(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return forbidden()
	}
	return s.store.DeleteRobot(ctx, id)
}
