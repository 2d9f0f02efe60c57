package web

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/site"
	"helpdesk/internal/ticket"
)

func (w *Web) registerAdminSettings() {
	m := w.mux
	m.HandleFunc("GET /admin/settings", w.adminSettings)
	m.HandleFunc("POST /admin/settings", w.adminSaveSettings)
	m.HandleFunc("POST /admin/limits", w.adminSaveLimits)
	m.HandleFunc("POST /admin/logo", w.adminSaveLogo)
	// The uploaded logo is public: the sign-in page shows it too.
	m.HandleFunc("GET "+site.LogoPath+"{version}", w.siteLogo)
}

// logoKeeper is the part of *site.Service that keeps an uploaded logo.
type logoKeeper interface {
	SaveLogo(ctx context.Context, by identity.Actor, r io.Reader) (site.Settings, error)
	Logo(ctx context.Context) (string, []byte, error)
}

func (w *Web) adminSaveLogo(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	lk, ok := w.d.Settings.(logoKeeper)
	if !ok {
		w.fail(rw, r, apperr.New(apperr.Unsupported, "admin.settings.fixed"))
		return
	}
	file, _, err := r.FormFile("logo")
	if err != nil {
		w.settingsInvalid(rw, r, "logo", apperr.FieldError("admin.settings.logo_missing", "logo", nil))
		return
	}
	defer file.Close()
	if _, err := lk.SaveLogo(ctxOf(r), by, file); err != nil {
		w.settingsInvalid(rw, r, "logo", err)
		return
	}
	done(rw, r, "/admin/settings")
}

// siteLogo serves the uploaded logo. Its address changes with its content,
// so it may be cached for good.
func (w *Web) siteLogo(rw http.ResponseWriter, r *http.Request) {
	lk, ok := w.d.Settings.(logoKeeper)
	if !ok {
		w.notFound(rw, r)
		return
	}
	ct, b, err := lk.Logo(ctxOf(r))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rw.Header().Set("Content-Type", ct)
	rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	rw.Header().Del("Vary")
	rw.Write(b)
}

// settingsSaver is the part of *site.Service the console edits with; the
// desk's Settings only reads.
type settingsSaver interface {
	Save(ctx context.Context, by identity.Actor, v site.Settings) (site.Settings, error)
}

// settingsData is the settings page: the site's settings and the
// attachment limits.
type settingsData struct {
	Site   site.Settings
	Limits ticket.Limits
	// Kinds are the file kinds the desk can check.
	Kinds []string
	// Editable says the site settings can be saved here.
	Editable bool
	// Which names the form that failed ("site", "logo" or "limits").
	Which string
	// Zones are suggestions for the time zone field.
	Zones []string
}

// MaxMB is the per-file limit in megabytes.
func (d *settingsData) MaxMB() int64 { return d.Limits.MaxAttachmentBytes >> 20 }

// Accepts reports whether a kind of file is accepted.
func (d *settingsData) Accepts(k string) bool { return slices.Contains(d.Limits.AttachmentTypes, k) }

// commonZones are time zones the form suggests (any IANA name may be typed).
var commonZones = []string{"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles"}

func (w *Web) settingsPage(rw http.ResponseWriter, r *http.Request) (*page, error) {
	ctx := ctxOf(r)
	st, err := w.d.Settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	lim, err := w.d.Tickets.AttachmentLimits(ctx)
	if err != nil {
		return nil, err
	}
	_, editable := w.d.Settings.(settingsSaver)
	d := &settingsData{Site: st, Limits: lim, Kinds: ticket.AttachmentKinds(), Editable: editable, Zones: commonZones}
	p := w.newPage(rw, r, "admin.settings.title", "admin", d)
	return p, nil
}

func (w *Web) adminSettings(rw http.ResponseWriter, r *http.Request) {
	if _, ok := w.admin(rw, r); !ok {
		return
	}
	p, err := w.settingsPage(rw, r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_settings.html", p)
}

func (w *Web) settingsInvalid(rw http.ResponseWriter, r *http.Request, which string, err error) {
	p, perr := w.settingsPage(rw, r)
	if perr != nil {
		w.fail(rw, r, perr)
		return
	}
	p.Data.(*settingsData).Which = which
	w.adminInvalid(rw, r, p, "admin_settings.html", err, labelsOf(p, map[string]string{"name": "admin.settings.name",
		"logo_url": "admin.settings.logo", "default_lang": "admin.settings.lang", "time_zone": "admin.settings.time_zone",
		"max_mb": "admin.limits.max_mb", "types": "admin.limits.types", "logo": "admin.settings.logo_file"}))
}

func (w *Web) adminSaveSettings(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	s, ok := w.d.Settings.(settingsSaver)
	if !ok {
		w.fail(rw, r, apperr.New(apperr.Unsupported, "admin.settings.fixed"))
		return
	}
	f := r.PostForm
	if _, err := s.Save(ctxOf(r), by, site.Settings{Name: f.Get("name"), LogoURL: f.Get("logo_url"),
		DefaultLang: f.Get("default_lang"), TimeZone: strings.TrimSpace(f.Get("time_zone"))}); err != nil {
		w.settingsInvalid(rw, r, "site", err)
		return
	}
	done(rw, r, "/admin/settings")
}

func (w *Web) adminSaveLimits(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	mb, err := strconv.ParseInt(strings.TrimSpace(f.Get("max_mb")), 10, 64)
	if err != nil {
		w.settingsInvalid(rw, r, "limits", apperr.FieldError("field.out_of_range", "max_mb", map[string]any{"min": 1, "max": ticket.MaxAttachmentMB}))
		return
	}
	if _, err := w.d.Tickets.SaveAttachmentLimits(ctxOf(r), by, ticket.Limits{MaxAttachmentBytes: min(max(mb, 0), ticket.MaxAttachmentMB+1) << 20, AttachmentTypes: f["types"]}); err != nil {
		w.settingsInvalid(rw, r, "limits", err)
		return
	}
	done(rw, r, "/admin/settings")
}
