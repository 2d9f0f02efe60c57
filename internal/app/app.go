// Package app is the composition root: it opens the database, builds the
// stores, services and HTTP handlers, and starts and stops them. It is the
// only package that knows every concrete type.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/audit"
	"helpdesk/internal/blob"
	"helpdesk/internal/config"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/kb"
	"helpdesk/internal/live"
	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/routing"
	"helpdesk/internal/search"
	"helpdesk/internal/site"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
	"helpdesk/internal/web"
)

// Version is set at build time with -ldflags "-X helpdesk/internal/app.Version=…".
var Version = "dev"

// App is a running desk.
type App struct {
	Config   config.Config
	Log      *slog.Logger
	DB       *store.DB
	Identity *identity.Service
	Tickets  *ticket.Service
	SLA      *sla.Service
	Routing  *routing.Service
	Location *time.Location
	Handler  http.Handler
	// Search runs full-text searches (tickets, messages, articles).
	Search *search.Service
	// KB is the knowledge base and its assistance (suggestions, macros).
	KB *kb.Service
	// Suggester trains and applies the category and priority suggestions.
	Suggester *kb.Suggester
	// Jobs runs the durable timers (SLA deadlines, auto-confirmation …).
	Jobs *job.Runner
	// Live wakes the web desk's live pages; Site holds the site settings.
	Live *live.Hub
	Site *site.Service
	// Web is the web desk (its live streams end at shutdown).
	Web *web.Web
	// Mail is email intake (internal/app/mail.go).
	Mail *mailin.Service
	// Notify is outbound notifications (internal/app/notify.go).
	Notify *Notify
	// Reports computes the report figures; Exports writes export files;
	// Audit keeps the audit log; Metrics feeds /metrics (report.go, observe.go).
	Reports *report.Service
	Exports *export.Service
	Audit   *audit.Service
	Alerts  *alert.Service
	Metrics *Metrics
	api     *httpapi.API
}

// Open connects to the database, applies migrations and wires the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	loc, err := cfg.Validate()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Fresh statistics keep the SQLite planner on the queue indexes.
	if err := db.Analyze(ctx); err != nil {
		log.Warn("analyze", "err", err)
	}
	blobs, err := blob.NewFS(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		db.Close()
		return nil, err
	}
	ids := db.Identity()
	log = slog.New(ridHandler{log.Handler()}) // every line of a request carries its id (observe.go)
	a := &App{Config: cfg, Log: log, DB: db, Location: loc}
	// Metrics first: mail intake and the web desk's streams count into them.
	a.Metrics = newMetrics(a)
	a.Identity = identity.NewService(identity.Deps{Store: ids})
	a.SLA = sla.NewService(sla.Deps{Store: db.SLA()})
	a.Routing = routing.NewService(routing.Deps{Store: db.Routing(), Directory: ids, Categories: db.Tickets()})
	// Suggestions wrap routing: a confident priority suggestion applies at
	// creation when an admin set a threshold (off by default).
	a.Suggester = kb.NewSuggester(db.KB(), nil)
	// The web desk's live feed: woken by NOTIFY on PostgreSQL (every node),
	// by the ticket store's own writes on SQLite (one process).
	a.Live = live.NewHub(db.Web(), db.Engine() == store.SQLite, nil)
	var tickets ticket.Store = db.Tickets()
	if db.Engine() == store.SQLite {
		tickets = wakingStore{Store: tickets, wake: a.Live.Wake}
	}
	a.Site = site.NewService(db.Web(), site.Settings{Name: "Helpdesk", DefaultLang: cfg.Language, TimeZone: cfg.TimeZone}, nil)
	a.Tickets = ticket.NewService(ticket.Deps{Store: tickets, Directory: ids, Blobs: blobs, Location: loc,
		Limits: ticket.Limits{MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20, AttachmentTypes: cfg.AttachmentTypes},
		SLA:    a.SLA, UnassignOnAckBreach: cfg.UnassignOnAckBreach, Announcer: notify.Announcer{},
		Router:     a.Suggester.Router(a.Routing),
		LimitStore: db.Web(), // admin-saved limits override the config
		Periods:    ticket.Periods{AutoConfirm: cfg.AutoConfirm, AutoClose: cfg.AutoClose}})
	a.openMail()
	if err := a.openNotify(); err != nil {
		db.Close()
		return nil, err
	}
	a.openReports()
	// Handlers wait on the database, not the CPU: 16 at a time keeps a burst
	// of due SLA timers (10,000 in the soak test) within seconds of due.
	a.Jobs = job.NewRunner(job.Deps{Store: db.Jobs(), Handlers: a.handlers(), Log: log, Concurrency: 16})
	a.Search = search.NewService(search.Deps{Store: db.Search(), Tickets: a.Tickets, Audiences: kb.AudiencesFor})
	a.KB = kb.NewService(kb.Deps{Store: db.KB(), Tickets: a.Tickets, Search: a.Search, Users: a.Identity, Suggester: a.Suggester,
		Macros: db.KB(), Actions: a.Tickets, Blobs: blobs, Attachments: db.KB()})
	mux := http.NewServeMux()
	inbox := notify.NewInbox(db.Notify(), nil)
	a.api = httpapi.New(mux, httpapi.Deps{Identity: a.Identity, Tickets: a.Tickets, Inbox: inbox, SLA: a.SLA, Routing: a.Routing, Mail: a.Mail,
		NotifySettings: a.Notify.Settings, Webhooks: a.Notify.Webhooks, Ready: db.Ready, Log: log,
		Lang: i18n.Lang(cfg.Language), Version: Version, MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20,
		Search: a.Search, KB: a.KB,
		Reports: a.Reports, Exports: a.Exports, Audit: a.Audit, Alerts: a.Alerts})
	if a.Web, err = web.New(mux, web.Deps{Streams: a.Metrics.SSEGauge(), Identity: a.Identity, Tickets: a.Tickets, SLA: a.SLA, Routing: a.Routing, Inbox: inbox,
		Settings: a.Site, Live: a.Live, Log: log, MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20,
		AttachmentTypes: cfg.AttachmentTypes, Search: a.Search, KB: a.KB, Suggester: a.Suggester,
		Reports: a.Reports, Exports: a.Exports, Alerts: a.Alerts, Audit: a.Audit}); err != nil {
		db.Close()
		return nil, err
	}
	// Metrics, request ids and request logs (observe.go).
	mux.Handle("GET /metrics", a.metricsHandler())
	a.Handler = a.observe(mux, mux)
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve listens on the configured address until ctx ends, then stops
// accepting connections and lets in-flight requests finish (up to the
// shutdown timeout) before returning.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	srv.RegisterOnShutdown(a.Web.Close)
	if err := a.startReports(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("reports: %w", err)
	}
	if err := a.Jobs.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	lctx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	liveDone := a.StartLive(lctx)
	defer func() { stopLive(); <-liveDone }()
	stopMail, err := a.startMail(ctx) // SMTP listener and IMAP pollers (mail.go)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMail()
	if err := a.ensureRetrain(ctx); err != nil { // kb.go
		a.Log.Warn("kb retrain schedule", "err", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Requests are done; let running jobs finish before the database closes.
	if err := a.Jobs.Stop(sctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
