package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/site"
)

// Cookies besides the session.
const (
	langCookie = "helpdesk_lang"
	tzCookie   = "helpdesk_tz"
	// csrfCookie carries the token of visitors who are not signed in
	// (double submit); signed-in visitors' tokens derive from the session.
	csrfCookie  = "helpdesk_csrf"
	flashCookie = "helpdesk_flash"
	// csrfField and csrfHeader carry the token in forms and script requests.
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// reqCtx is what every handler knows about the request.
type reqCtx struct {
	Actor *identity.Actor
	User  identity.User
	Lang  i18n.Lang
	Loc   *time.Location
	Site  site.Settings
	CSRF  string
	// Path is the page's own address (for links back to it).
	Path    string
	session string
}

// contentSecurityPolicy allows only the desk's own files: no inline script
// or style, no framing, forms post only here.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// middleware sets the security headers, finds the signed-in user, picks the
// language and time zone, and checks the CSRF token of every unsafe request.
func (w *Web) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(rw, r)
			return
		}
		ctx := r.Context()
		rc := &reqCtx{Path: r.URL.RequestURI()}
		st, err := w.d.Settings.Get(ctx)
		if err != nil {
			w.log.ErrorContext(ctx, "site settings", "err", err)
		}
		rc.Site = st
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			if ac, err := w.d.Identity.SessionActor(ctx, c.Value); err == nil {
				if u, err := w.d.Identity.Me(ctx, ac); err == nil {
					rc.Actor, rc.User, rc.session = &ac, u, c.Value
				}
			} else if apperr.KindOf(err) == apperr.Internal {
				w.log.ErrorContext(ctx, "session", "err", err)
			}
		}
		def, ok := i18n.Parse(st.DefaultLang)
		if !ok {
			def = i18n.Default
		}
		rc.Lang = pickLang(r, rc, def)
		rc.Loc = w.zone.pick(r, st.TimeZone)
		if rc.session != "" {
			rc.CSRF = sessionToken(rc.session)
		} else if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
			rc.CSRF = c.Value
		} else {
			rc.CSRF = randomToken()
			http.SetCookie(rw, &http.Cookie{Name: csrfCookie, Value: rc.CSRF, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: secure(r)})
		}
		h.Set("Cache-Control", "no-store")
		h.Set("Vary", "Cookie, Accept-Language")
		r = r.WithContext(withReq(ctx, rc))
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			r.Body = http.MaxBytesReader(rw, r.Body, w.maxUpload(ctx))
		}
		if !safeMethod(r.Method) && !w.checkCSRF(r, rc) {
			w.fail(rw, r, apperr.New(apperr.Forbidden, "auth.csrf"))
			return
		}
		next.ServeHTTP(rw, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkCSRF accepts an unsafe request only from our own pages: the token
// must match (form field or header) and a present Origin must be ours.
func (w *Web) checkCSRF(r *http.Request, rc *reqCtx) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = formValueLimited(r, csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(rc.CSRF)) == 1
}

// maxUpload bounds a multipart body: the most files a form takes, each at
// the attachment limit, and the form's text.
func (w *Web) maxUpload(ctx context.Context) int64 {
	return maxFiles*w.limits(ctx).MaxAttachmentBytes + maxFormBytes
}

// formValueLimited reads one field of a urlencoded or multipart form
// without consuming a large upload into memory beyond the form limit.
func formValueLimited(r *http.Request, key string) string {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(maxMemory); err != nil {
			return ""
		}
		return r.FormValue(key)
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostFormValue(key)
}

// Form limits: a urlencoded form, and the in-memory part of a multipart one.
const (
	maxFormBytes = 1 << 20
	maxMemory    = 4 << 20
)

// sessionToken derives the CSRF token from the session secret. The secret
// never leaves the HttpOnly cookie; the digest reveals nothing about it,
// and the token dies with the session.
func sessionToken(secret string) string {
	sum := sha256.Sum256([]byte("helpdesk-csrf\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// pickLang: the user's profile, then the language cookie, then the
// browser's Accept-Language, then the site default.
func pickLang(r *http.Request, rc *reqCtx, def i18n.Lang) i18n.Lang {
	if rc.Actor != nil {
		if l, ok := i18n.Parse(rc.User.Lang); ok {
			return l
		}
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"), def)
}

// zoneCache loads time zones named by browsers once; unknown names fall
// back to the site zone. It holds at most maxZones entries.
type zoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location
}

const maxZones = 256

func newZoneCache() *zoneCache { return &zoneCache{m: map[string]*time.Location{}} }

func (z *zoneCache) load(name string) *time.Location {
	if name == "" || len(name) > 64 {
		return nil
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if l, ok := z.m[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	if len(z.m) < maxZones {
		z.m[name] = l
	}
	return l
}

// pick is the browser's zone (set by the page script in a cookie), else the site's.
func (z *zoneCache) pick(r *http.Request, site string) *time.Location {
	if c, err := r.Cookie(tzCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			if l := z.load(v); l != nil {
				return l
			}
		}
	}
	if l := z.load(site); l != nil {
		return l
	}
	return time.UTC
}

// actor returns the signed-in actor or sends the visitor to sign in.
func (w *Web) actor(rw http.ResponseWriter, r *http.Request) (identity.Actor, bool) {
	rc := reqOf(r)
	if rc.Actor == nil {
		if safeMethod(r.Method) {
			http.Redirect(rw, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		} else {
			w.fail(rw, r, apperr.New(apperr.Unauthenticated, "auth.required"))
		}
		return identity.Actor{}, false
	}
	return *rc.Actor, true
}

// staff is actor for pages only staff may open.
func (w *Web) staff(rw http.ResponseWriter, r *http.Request) (identity.Actor, bool) {
	a, ok := w.actor(rw, r)
	if ok && !a.Role.Staff() {
		w.fail(rw, r, apperr.New(apperr.Forbidden, "auth.forbidden"))
		return a, false
	}
	return a, ok
}

// ctxOf is the request context (for service calls).
func ctxOf(r *http.Request) context.Context { return r.Context() }

// admin is actor for pages only admins may open (the admin console).
func (w *Web) admin(rw http.ResponseWriter, r *http.Request) (identity.Actor, bool) {
	a, ok := w.actor(rw, r)
	if ok && !a.IsAdmin() {
		w.fail(rw, r, apperr.New(apperr.Forbidden, "auth.forbidden"))
		return a, false
	}
	return a, ok
}

// clientIP is the address the request came from (the connection's; a
// proxy in front is the client unless it rewrites RemoteAddr).
func clientIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}
