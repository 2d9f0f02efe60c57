package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds one template set per page: the layout and the shared
// partials (_*.html) parsed together with the page's own file.
type templates struct {
	pages map[string]*template.Template
	// assets maps a static file name to its content hash, for cache busting.
	assets map[string]string
}

func parseTemplates() (*templates, error) {
	base := template.New("").Funcs(template.FuncMap{
		"asset": func(string) string { return "" }, // replaced below
		"kb":    fileSize,
	})
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var shared, pages []string
	for _, n := range names {
		if b := path.Base(n); b == "layout.html" || strings.HasPrefix(b, "_") {
			shared = append(shared, n)
		} else {
			pages = append(pages, n)
		}
	}
	t := &templates{pages: map[string]*template.Template{}, assets: map[string]string{}}
	files, _ := fs.Glob(staticFS, "static/*")
	for _, f := range files {
		b, _ := staticFS.ReadFile(f)
		sum := sha256.Sum256(b)
		t.assets[path.Base(f)] = hex.EncodeToString(sum[:4])
	}
	base = base.Funcs(template.FuncMap{"asset": func(name string) string {
		return "/static/" + name + "?v=" + t.assets[name]
	}, "kb": fileSize})
	base, err = base.ParseFS(templateFS, shared...)
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	for _, p := range pages {
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(templateFS, p); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", p, err)
		}
		t.pages[path.Base(p)] = c
	}
	return t, nil
}

// page is what every template gets: the request's state, the page's own
// data, and helpers that speak the visitor's language and time zone.
type page struct {
	*reqCtx
	// Title is the page title (already translated).
	Title string
	// Nav names the active navigation entry.
	Nav  string
	Data any
	// Flash is a one-time message carried over a redirect.
	Flash *flash
	// Errors are the problems with a submitted form; Form is what was submitted.
	Errors *formErrors
	Form   url.Values
	Now    time.Time
	// Unread counts the signed-in reader's unread messages (the header
	// badge); HasInbox says the desk has the inbox pages.
	Unread   int
	HasInbox bool
}

// T translates key; args are name/value pairs for the {name} placeholders.
func (p *page) T(key string, args ...any) string {
	var params map[string]any
	if len(args) > 1 {
		params = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			params[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return i18n.T(p.Lang, key, params)
}

// IsZH reports whether the page is in Chinese (for bilingual domain names).
func (p *page) IsZH() bool { return p.Lang == i18n.ZH }

// Pick returns zh or en by the page's language.
func (p *page) Pick(zh, en string) string {
	if p.Lang == i18n.ZH || en == "" {
		return zh
	}
	return en
}

// Val is the submitted value of a form field (to refill a form after an error).
func (p *page) Val(name string) string { return p.Form.Get(name) }

// FieldError is the message for one form field, empty when it is fine.
func (p *page) FieldError(name string) string {
	if p.Errors == nil {
		return ""
	}
	return p.Errors.Fields[name]
}

// Date formats a time as a date and a time of day in the visitor's zone.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(p.Loc)
	if p.Lang == i18n.ZH {
		return t.Format("2006年1月2日 15:04")
	}
	return t.Format("2 Jan 2006, 15:04")
}

// ISO is the machine-readable time for <time datetime>.
func (p *page) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Ago says how long ago t was, coarsely ("5 分钟前", "3 h ago").
func (p *page) Ago(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := p.Now.Sub(t)
	if d < time.Minute {
		return p.T("web.time.just_now")
	}
	if d > 7*24*time.Hour {
		return p.Date(t)
	}
	return p.T("web.time.ago", "d", p.Dur(d))
}

// Dur formats a duration in hours and minutes ("2 小时 5 分", "2 h 5 min").
func (p *page) Dur(d time.Duration) string { return formatDur(p.Lang, d) }

func formatDur(lang i18n.Lang, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	add := func(n int, key string) {
		if n > 0 {
			parts = append(parts, i18n.T(lang, key, map[string]any{"n": n}))
		}
	}
	add(days, "web.dur.days")
	add(h, "web.dur.hours")
	if days == 0 {
		add(m, "web.dur.minutes")
	}
	if len(parts) == 0 {
		return i18n.T(lang, "web.dur.minutes", map[string]any{"n": 0})
	}
	return strings.Join(parts, " ")
}

// flash is a one-time message: a kind (ok, error) and a catalog key with
// its parameters.
type flash struct {
	Kind   string
	Key    string
	Params map[string]any
}

// Text is the flash message in lang.
func (f *flash) Text(lang i18n.Lang) string { return i18n.T(lang, f.Key, f.Params) }

// setFlash stores a message for the next page the visitor sees.
func setFlash(rw http.ResponseWriter, kind, key string) { setFlashParams(rw, kind, key, nil) }

func setFlashParams(rw http.ResponseWriter, kind, key string, params map[string]any) {
	v := kind + ":" + key
	if len(params) > 0 {
		b, _ := json.Marshal(params)
		v += ":" + base64.RawURLEncoding.EncodeToString(b)
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: v, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// flashErr flashes a service error's message (the next page shows it).
func flashErr(rw http.ResponseWriter, lang i18n.Lang, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		setFlash(rw, "error", "internal")
		return
	}
	setFlashParams(rw, "error", e.Code, e.Args())
}

func takeFlash(rw http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	parts := strings.SplitN(c.Value, ":", 3)
	if len(parts) < 2 || (parts[0] != "ok" && parts[0] != "error") || !i18n.Has(i18n.Default, parts[1]) {
		return nil
	}
	f := &flash{Kind: parts[0], Key: parts[1]}
	if len(parts) == 3 {
		if b, err := base64.RawURLEncoding.DecodeString(parts[2]); err == nil {
			json.Unmarshal(b, &f.Params)
		}
	}
	return f
}

// newPage starts a page for the request.
func (w *Web) newPage(rw http.ResponseWriter, r *http.Request, titleKey, nav string, data any) *page {
	rc := reqOf(r)
	p := &page{reqCtx: rc, Nav: nav, Data: data, Now: w.now(), Flash: takeFlash(rw, r)}
	p.Title = p.T(titleKey)
	p.HasInbox = w.d.Inbox != nil
	if rc.Actor != nil && w.d.Inbox != nil {
		// A missing badge is better than a failed page: the error is logged.
		n, err := w.d.Inbox.Unread(r.Context(), *rc.Actor)
		if err != nil {
			w.log.WarnContext(r.Context(), "unread count", "err", err)
		}
		p.Unread = n
	}
	return p
}

// render writes a page inside the layout.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	w.execute(rw, r, status, name, "layout", p)
}

// renderPart writes one named block of a page's templates, without the
// layout (a fragment the page script swaps in).
func (w *Web) renderPart(rw http.ResponseWriter, r *http.Request, name, block string, p *page) {
	w.execute(rw, r, http.StatusOK, name, block, p)
}

func (w *Web) execute(rw http.ResponseWriter, r *http.Request, status int, name, block string, p *page) {
	t, ok := w.tpl.pages[name]
	if !ok {
		w.log.ErrorContext(r.Context(), "no such template", "name", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		w.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(status)
	rw.Write(buf.Bytes())
}

// formErrors are a failed form's messages: per field, and for the whole form.
type formErrors struct {
	Fields map[string]string
	List   []string
}

// errorsOf translates a service error for a form: each field error beside
// its field, the rest at the top.
func errorsOf(lang i18n.Lang, err error, labels ...map[string]string) *formErrors {
	fe := &formErrors{Fields: map[string]string{}}
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		fe.List = append(fe.List, i18n.T(lang, "internal", nil))
		return fe
	}
	var multi *apperr.Multi
	list := []*apperr.Error{e}
	if errors.As(e, &multi) {
		list = multi.Errors
	}
	for _, x := range list {
		if len(labels) > 0 {
			if l, ok := labels[0][x.Field]; ok {
				msg := i18n.T(lang, x.Code, withField(x.Args(), l))
				fe.List = append(fe.List, msg)
				fe.Fields[strings.TrimPrefix(x.Field, "custom_fields.")] = msg
				continue
			}
		}
		msg := message(lang, x)
		fe.List = append(fe.List, msg)
		if x.Field != "" {
			fe.Fields[strings.TrimPrefix(x.Field, "custom_fields.")] = msg
		}
	}
	return fe
}

func withField(args map[string]any, label string) map[string]any {
	args["field"] = label
	return args
}

// message is an error's text in lang, status names translated.
func message(lang i18n.Lang, e *apperr.Error) string {
	args := e.Args()
	for _, k := range []string{"from", "to"} {
		if v, ok := args[k].(string); ok && i18n.Has(lang, "status."+v) {
			args[k] = i18n.T(lang, "status."+v, nil)
		}
	}
	if f, ok := args["field"].(string); ok && f != "" {
		if key := "web.field." + f; i18n.Has(lang, key) {
			args["field"] = i18n.T(lang, key, nil)
		}
	}
	return i18n.T(lang, e.Code, args)
}

// statusOf answers with the status the API uses (apperr.HTTPStatus).
func statusOf(k apperr.Kind) int { return apperr.HTTPStatus(k) }

// fail renders an error page in the visitor's language. Unclassified
// errors are logged and shown as a generic message that reveals nothing.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Internal {
		if !errors.Is(err, r.Context().Err()) || r.Context().Err() == nil {
			w.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		}
		e = apperr.New(apperr.Internal, "internal")
	}
	if e.Kind == apperr.Unauthenticated && safeMethod(r.Method) {
		http.Redirect(rw, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	rc := reqOf(r)
	status := statusOf(e.Kind)
	if wantsJSON(r) {
		writeJSON(rw, status, map[string]any{"code": e.Code, "message": errorsOf(rc.Lang, e).List})
		return
	}
	p := w.newPage(rw, r, "web.error.title", "error", nil)
	p.Data = map[string]any{"Status": status, "Code": e.Code, "Messages": errorsOf(rc.Lang, e).List}
	w.render(rw, r, status, "error.html", p)
}

// notFound is the 404 page for unknown addresses.
func (w *Web) notFound(rw http.ResponseWriter, r *http.Request) {
	w.fail(rw, r, apperr.New(apperr.NotFound, "route.not_found"))
}

// wantsJSON reports whether the page script asked for a JSON answer.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// redirect answers a form post: a 303 to the next page, or for the page
// script a JSON body naming it.
func redirect(rw http.ResponseWriter, r *http.Request, to string) {
	if wantsJSON(r) {
		writeJSON(rw, http.StatusOK, map[string]any{"location": to})
		return
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}

// localPath keeps only same-site paths (no open redirects). Browsers drop
// tabs and line breaks from an address and read a backslash as a slash,
// so "/\t/evil.example" would leave the site: such paths are refused too.
func localPath(next, def string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return def
	}
	return next
}

func kindOf(err error) apperr.Kind { return apperr.KindOf(err) }

// dayBound reads a year-month-day form date as the start of that day in
// loc, or with end as the start of the next day, so that a period's "to"
// day is included. The search, audit log and export forms read dates so.
func dayBound(v string, loc *time.Location, end bool) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), loc)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// fileSize formats a file size.
func fileSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}
