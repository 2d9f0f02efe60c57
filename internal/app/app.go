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
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/routing"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
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
	// Jobs runs the durable timers (SLA deadlines, auto-confirmation …).
	Jobs *job.Runner
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
	a.Identity = identity.NewService(identity.Deps{Store: ids})
	a.SLA = sla.NewService(sla.Deps{Store: db.SLA()})
	a.Routing = routing.NewService(routing.Deps{Store: db.Routing(), Directory: ids, Categories: db.Tickets()})
	a.Tickets = ticket.NewService(ticket.Deps{Store: db.Tickets(), Directory: ids, Blobs: blobs, Location: loc,
		Limits: ticket.Limits{MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20, AttachmentTypes: cfg.AttachmentTypes},
		SLA:    a.SLA, UnassignOnAckBreach: cfg.UnassignOnAckBreach,
		Periods: ticket.Periods{AutoConfirm: cfg.AutoConfirm, AutoClose: cfg.AutoClose}})
	a.openReports()
	// Handlers wait on the database, not the CPU: 16 at a time keeps a burst
	// of due SLA timers (10,000 in the soak test) within seconds of due.
	a.Jobs = job.NewRunner(job.Deps{Store: db.Jobs(), Handlers: a.handlers(), Log: log, Concurrency: 16})
	mux := http.NewServeMux()
	a.api = httpapi.New(mux, httpapi.Deps{Identity: a.Identity, Tickets: a.Tickets, Inbox: notify.NewInbox(db.Notify(), nil), SLA: a.SLA, Routing: a.Routing, Ready: db.Ready, Log: log,
		Lang: i18n.Lang(cfg.Language), Version: Version, MaxAttachmentBytes: int64(cfg.MaxAttachmentMB) << 20,
		Reports: a.Reports, Exports: a.Exports, Audit: a.Audit, Alerts: a.Alerts})
	mux.HandleFunc("GET /{$}", a.home)
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
	if err := a.startReports(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("reports: %w", err)
	}
	if err := a.Jobs.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("jobs: %w", err)
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

// home is the landing page until the web desk exists.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Helpdesk 技术支持中心</title><body style="font:16px system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px">
<h1>Helpdesk 技术支持中心</h1><p>API: <a href="/api/docs">/api/docs</a> · <a href="/api/v1/openapi.json">OpenAPI</a></p></body></html>`)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
