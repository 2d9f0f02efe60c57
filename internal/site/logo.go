package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"image"
	_ "image/jpeg" // logos may be JPEG
	_ "image/png"  // or PNG
	"io"
	"net/http"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Logo limits: small raster images only (no SVG, which can carry script).
const (
	MaxLogoBytes = 256 << 10
	MaxLogoSide  = 1024
)

// LogoPath is where the desk serves an uploaded logo; the version in the
// path changes with the content, so browsers may cache it for good.
const LogoPath = "/site/logo/"

// Keys of the uploaded logo in the settings store.
const (
	keyLogoData = "logo_data"
	keyLogoType = "logo_type"
)

// SaveLogo stores an uploaded PNG or JPEG logo (at most MaxLogoBytes and
// MaxLogoSide pixels a side) and points the site's logo at it. Admins only.
func (s *Service) SaveLogo(ctx context.Context, by identity.Actor, r io.Reader) (Settings, error) {
	if !by.IsAdmin() {
		return Settings{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxLogoBytes+1))
	if err != nil {
		return Settings{}, apperr.Wrap(apperr.Invalid, "site.logo_unreadable", err)
	}
	if len(b) > MaxLogoBytes {
		return Settings{}, apperr.FieldError("site.logo_too_large", "logo", map[string]any{"max_kb": MaxLogoBytes >> 10})
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		return Settings{}, apperr.FieldError("site.logo_type", "logo", nil)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return Settings{}, apperr.FieldError("site.logo_size", "logo", map[string]any{"max": MaxLogoSide})
	}
	sum := sha256.Sum256(b)
	path := LogoPath + hex.EncodeToString(sum[:6])
	kv := map[string]string{keyLogoData: base64.StdEncoding.EncodeToString(b), keyLogoType: http.DetectContentType(b), "logo_url": path}
	if err := s.store.SaveSiteSettings(ctx, kv, s.now().UTC()); err != nil {
		return Settings{}, err
	}
	s.mu.Lock()
	s.until = time.Time{}
	s.mu.Unlock()
	return s.Get(ctx)
}

// Logo returns the uploaded logo and its content type; NotFound when none
// was uploaded.
func (s *Service) Logo(ctx context.Context) (string, []byte, error) {
	kv, err := s.store.SiteSettings(ctx)
	if err != nil {
		return "", nil, err
	}
	b, err := base64.StdEncoding.DecodeString(kv[keyLogoData])
	if err != nil || len(b) == 0 {
		return "", nil, apperr.New(apperr.NotFound, "site.logo_none")
	}
	return kv[keyLogoType], b, nil
}
