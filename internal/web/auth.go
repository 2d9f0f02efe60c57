package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
)

// sessionMaxAge matches the API's cookie lifetime.
const sessionMaxAge = 14 * 24 * 3600

func (w *Web) signinPage(rw http.ResponseWriter, r *http.Request) {
	if reqOf(r).Actor != nil {
		http.Redirect(rw, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
		return
	}
	p := w.newPage(rw, r, "web.signin.title", "signin", map[string]string{"Next": localPath(r.URL.Query().Get("next"), "/")})
	w.render(rw, r, http.StatusOK, "signin.html", p)
}

// signin opens a session with the same cookie the JSON API sets.
func (w *Web) signin(rw http.ResponseWriter, r *http.Request) {
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"), "/")
	secret, u, err := w.d.Identity.Login(r.Context(), login, password)
	// Sign-ins here are audited as the API's are (audit.go).
	if err != nil {
		w.record(r, audit.Entry{Actor: login, Action: "auth.login_failed", Target: login, Status: statusOf(kindOf(err))})
	} else {
		w.record(r, audit.Entry{ActorID: u.ID, Actor: login, Action: "auth.login", Target: login, Status: http.StatusOK})
	}
	if err != nil {
		p := w.newPage(rw, r, "web.signin.title", "signin", map[string]string{"Next": next})
		p.Errors = errorsOf(reqOf(r).Lang, err)
		p.Form = r.PostForm
		w.render(rw, r, statusOf(kindOf(err)), "signin.html", p)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(r), MaxAge: sessionMaxAge})
	http.SetCookie(rw, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(rw, r, next, http.StatusSeeOther)
}

func (w *Web) signout(rw http.ResponseWriter, r *http.Request) {
	if s := reqOf(r).session; s != "" {
		if err := w.d.Identity.Logout(r.Context(), s); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1})
	setFlash(rw, "ok", "web.signin.signed_out")
	http.Redirect(rw, r, "/signin", http.StatusSeeOther)
}

// setLang switches the language: in the profile when signed in, in a
// cookie for everyone.
func (w *Web) setLang(rw http.ResponseWriter, r *http.Request) {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		l = i18n.Default
	}
	if rc := reqOf(r); rc.Actor != nil {
		s := string(l)
		if _, err := w.d.Identity.UpdateUser(r.Context(), *rc.Actor, rc.Actor.Login, identity.UserPatch{Lang: &s}); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	http.SetCookie(rw, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	redirect(rw, r, localPath(r.PostFormValue("next"), "/"))
}

// static serves the embedded CSS and JS; the hash in the query string
// changes with the content, so they may be cached for a long time.
func (w *Web) static(rw http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(rw, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		rw.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		rw.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		rw.Header().Set("Content-Type", "image/svg+xml")
	}
	if r.URL.Query().Get("v") == w.tpl.assets[name] {
		rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		rw.Header().Set("Cache-Control", "no-cache")
	}
	rw.Write(b)
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(v)
}
