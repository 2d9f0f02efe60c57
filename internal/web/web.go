// Package web serves the desk's server-rendered pages: the customer portal,
// the agent workspace and (in admin.go) the admin console, with live updates
// over Server-Sent Events.
//
// Pages are html/template files embedded with the binary, styled and
// scripted by the package's own small CSS and JS (no build step, no
// third-party files). Handlers decode a form, call one domain service method
// (the same the JSON API calls) and render or redirect; every rule lives in
// the domain. Forms work without JavaScript; the script adds comfort.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/live"
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/routing"
	"helpdesk/internal/search"
	"helpdesk/internal/site"
	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// SessionCookie is the sign-in cookie; the JSON API reads the same one.
const SessionCookie = "helpdesk_session"

// Deps are what the web desk needs.
type Deps struct {
	// Streams, when set, counts the open live streams (metrics).
	Streams interface {
		Inc()
		Dec()
	}
	Identity *identity.Service
	Tickets  *ticket.Service
	SLA      *sla.Service
	Routing  *routing.Service
	Inbox    *notify.Inbox
	// Search, KB and Suggester back the search pages, the help center, the
	// knowledge base and the agent's assistance (nil in tests that need none).
	Search    *search.Service
	KB        *kb.Service
	Suggester *kb.Suggester
	// Reports, Exports, Alerts and Audit back the reports, the live dashboard,
	// alert rules and the audit log (nil in tests that need none).
	Reports *report.Service
	Exports *export.Service
	Alerts  *alert.Service
	Audit   *audit.Service
	// Settings gives the site name, logo, default language and time zone.
	Settings Settings
	// Live is the change feed the pages subscribe to (and its presence
	// heartbeats); nil disables live updates.
	Live *live.Hub
	Log  *slog.Logger
	// MaxAttachmentBytes and AttachmentTypes are announced to the browser,
	// which checks files before uploading; the ticket service checks again.
	MaxAttachmentBytes int64
	AttachmentTypes    []string
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Web is the web desk.
type Web struct {
	d    Deps
	log  *slog.Logger
	tpl  *templates
	mux  *http.ServeMux
	zone *zoneCache
	// closing ends the live streams when the server shuts down.
	closing   chan struct{}
	closeOnce sync.Once
}

// New builds the web desk and registers its routes on mux.
func New(mux *http.ServeMux, d Deps) (*Web, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Settings == nil {
		d.Settings = StaticSettings{Value: site.Settings{Name: "Helpdesk", DefaultLang: string(i18n.Default), TimeZone: "Asia/Shanghai"}}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MaxAttachmentBytes == 0 {
		d.MaxAttachmentBytes = 10 << 20
	}
	if len(d.AttachmentTypes) == 0 {
		d.AttachmentTypes = ticket.DefaultAttachmentTypes
	}
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	w := &Web{d: d, log: d.Log, tpl: tpl, zone: newZoneCache(), closing: make(chan struct{})}
	inner := http.NewServeMux()
	w.mux = inner
	w.routes()
	h := w.middleware(w.auditConsole(inner))
	// Everything the API does not claim is a page (or a page's 404).
	mux.Handle("/", h)
	return w, nil
}

// Close ends the open live streams (call it when the server shuts down:
// the browsers reconnect to another node and resume).
func (w *Web) Close() { w.closeOnce.Do(func() { close(w.closing) }) }

// routes registers every page. Admin pages are registered in admin.go.
func (w *Web) routes() {
	m := w.mux
	m.HandleFunc("GET /{$}", w.home)
	m.HandleFunc("/", w.notFound)
	m.HandleFunc("GET /static/{file}", w.static)
	m.HandleFunc("GET /signin", w.signinPage)
	m.HandleFunc("POST /signin", w.signin)
	m.HandleFunc("POST /signout", w.signout)
	m.HandleFunc("POST /lang", w.setLang)
	w.registerPortal()
	w.registerTicket()
	w.registerDesk()
	w.registerLive()
	w.registerInbox()
	w.registerAdmin()
	w.registerSearch()
	w.registerKB()
	w.registerReports()
}

// home sends each visitor to their start page.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	rc := reqOf(r)
	switch {
	case rc.Actor == nil:
		http.Redirect(rw, r, "/signin", http.StatusSeeOther)
	case rc.Actor.Role == identity.RoleCustomer:
		http.Redirect(rw, r, "/portal", http.StatusSeeOther)
	default:
		http.Redirect(rw, r, "/desk", http.StatusSeeOther)
	}
}

func (w *Web) now() time.Time { return w.d.Now() }

// ctxKey keys the request state in the context.
type ctxKey struct{}

func reqOf(r *http.Request) *reqCtx {
	if rc, ok := r.Context().Value(ctxKey{}).(*reqCtx); ok {
		return rc
	}
	return &reqCtx{Lang: i18n.Default, Loc: time.UTC}
}

func withReq(ctx context.Context, rc *reqCtx) context.Context {
	return context.WithValue(ctx, ctxKey{}, rc)
}
