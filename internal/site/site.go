// Package site owns the desk's site-wide settings: its name, logo, default
// language and time zone. The admin console edits them; every page reads them.
package site

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Settings are the site-wide settings.
type Settings struct {
	Name string
	// LogoURL is a path on this site ("/…") or empty.
	LogoURL string
	// DefaultLang is "zh-CN" or "en".
	DefaultLang string
	// TimeZone is an IANA zone name.
	TimeZone string
}

// Store keeps the settings as key/value pairs.
type Store interface {
	SiteSettings(ctx context.Context) (map[string]string, error)
	SaveSiteSettings(ctx context.Context, kv map[string]string, at time.Time) error
}

// Service reads (cached briefly, so every page does not query) and saves the settings.
type Service struct {
	store    Store
	defaults Settings
	now      func() time.Time
	mu       sync.Mutex
	cached   Settings
	until    time.Time
}

// cacheFor is how long a node serves settings without re-reading them;
// a change made on another node shows within this time.
const cacheFor = 5 * time.Second

// NewService builds the service; defaults fill keys never saved (from the config).
func NewService(s Store, defaults Settings, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, defaults: defaults, now: now}
}

// Get returns the current settings.
func (s *Service) Get(ctx context.Context) (Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.now(); now.Before(s.until) {
		return s.cached, nil
	}
	kv, err := s.store.SiteSettings(ctx)
	if err != nil {
		return s.defaults, err
	}
	v := s.defaults
	for k, p := range map[string]*string{"name": &v.Name, "logo_url": &v.LogoURL, "default_lang": &v.DefaultLang, "time_zone": &v.TimeZone} {
		if x, ok := kv[k]; ok {
			*p = x
		}
	}
	s.cached, s.until = v, s.now().Add(cacheFor)
	return v, nil
}

// Save validates and stores new settings. Only admins may.
func (s *Service) Save(ctx context.Context, by identity.Actor, v Settings) (Settings, error) {
	if !by.IsAdmin() {
		return Settings{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	v.Name, v.LogoURL = strings.TrimSpace(v.Name), strings.TrimSpace(v.LogoURL)
	var m apperr.Multi
	if v.Name == "" {
		m.Add(apperr.FieldError("field.required", "name", nil))
	} else if utf8.RuneCountInString(v.Name) > 100 {
		m.Add(apperr.FieldError("field.too_long", "name", map[string]any{"max": 100}))
	}
	if v.LogoURL != "" && (!strings.HasPrefix(v.LogoURL, "/") || strings.HasPrefix(v.LogoURL, "//") || len(v.LogoURL) > 500) {
		m.Add(apperr.FieldError("site.logo_invalid", "logo_url", nil))
	}
	if v.DefaultLang != "zh-CN" && v.DefaultLang != "en" {
		m.Add(apperr.FieldError("user.lang_invalid", "default_lang", nil))
	}
	if _, err := time.LoadLocation(v.TimeZone); err != nil || v.TimeZone == "" {
		m.Add(apperr.FieldError("sla.timezone_invalid", "time_zone", map[string]any{"zone": v.TimeZone}))
	}
	if err := m.Err(); err != nil {
		return Settings{}, err
	}
	kv := map[string]string{"name": v.Name, "logo_url": v.LogoURL, "default_lang": v.DefaultLang, "time_zone": v.TimeZone}
	if err := s.store.SaveSiteSettings(ctx, kv, s.now().UTC()); err != nil {
		return Settings{}, err
	}
	s.mu.Lock()
	s.until = time.Time{}
	s.mu.Unlock()
	return v, nil
}
