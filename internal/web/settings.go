package web

import (
	"context"

	"helpdesk/internal/site"
)

// Settings reads the site settings (name, logo, default language, time
// zone). *site.Service implements it; the admin console edits them there.
type Settings interface {
	Get(ctx context.Context) (site.Settings, error)
}

// StaticSettings serves fixed settings (tests, or a desk without a store).
type StaticSettings struct{ Value site.Settings }

// Get returns the fixed settings.
func (s StaticSettings) Get(context.Context) (site.Settings, error) { return s.Value, nil }
