package app

import (
	"context"
	"crypto/subtle"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/job"
	"helpdesk/internal/notify"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
	"helpdesk/internal/store"
)

// The report refresh job folds changed tickets into the report rollups.
// It runs every RefreshEvery on whichever node claims it (one key, so one
// run at a time across nodes) and sets itself again for the next round.
const (
	jobReportRefresh = "report.refresh"
	keyReportRefresh = "report:refresh"
	// RefreshEvery is how stale the reports may be.
	RefreshEvery = 5 * time.Second

	jobAlertEvaluate = "alert.evaluate"
	keyAlertEvaluate = "alert:evaluate"
	// AlertEvery is how often alert rules are evaluated.
	AlertEvery = 30 * time.Second
)

// openReports builds the report, export and audit services and the metrics.
func (a *App) openReports() {
	db := a.DB
	a.Reports = report.NewService(report.Deps{Store: db.Reports(), Refresh: db.Reports(), Directory: db.Identity(),
		Categories: db.Reports(), Calendars: a.SLA, Policies: a.SLA, Ops: db.Ops(), Location: a.Location,
		Deflections: deflections{db.KB()}})
	a.Exports = export.NewService(export.Deps{Store: db.Exports(), Tickets: a.Tickets, Users: db.Identity(),
		Dir: filepath.Join(a.Config.DataDir, "exports"), Loc: a.Location,
		Label: func(lang, key string) string { return i18n.T(i18n.Lang(lang), key, nil) }})
	a.Audit = audit.NewService(db.Audit(), nil)
	a.Alerts = alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(), Directory: db.Identity(),
		Mailboxes: failingMailboxes{db.Mail()}, Announcer: notify.AlertAnnouncer{}})
}

// startReports schedules the refresh job (again) at start.
func (a *App) startReports(ctx context.Context) error {
	j, err := job.New(jobReportRefresh, keyReportRefresh, time.Now(), nil)
	if err != nil {
		return err
	}
	k, err := job.New(jobAlertEvaluate, keyAlertEvaluate, time.Now().Add(AlertEvery), nil)
	if err != nil {
		return err
	}
	return a.DB.Jobs().Schedule(ctx, j, k)
}

// reportHandlers are the durable jobs of the reports.
func (a *App) reportHandlers() map[string]job.Handler {
	return map[string]job.Handler{
		jobReportRefresh: func(ctx context.Context, _ job.Job) error {
			if _, err := a.Reports.Refresh(ctx, 40); err != nil {
				return err
			}
			next, err := job.New(jobReportRefresh, keyReportRefresh, time.Now().Add(RefreshEvery), nil)
			if err != nil {
				return err
			}
			return a.DB.Jobs().Schedule(ctx, next)
		},
		jobAlertEvaluate: func(ctx context.Context, _ job.Job) error {
			if err := a.Alerts.Evaluate(ctx); err != nil {
				return err
			}
			next, err := job.New(jobAlertEvaluate, keyAlertEvaluate, time.Now().Add(AlertEvery), nil)
			if err != nil {
				return err
			}
			return a.DB.Jobs().Schedule(ctx, next)
		},
		export.JobKind: func(ctx context.Context, j job.Job) error {
			var p struct {
				Export int64 `json:"export"`
			}
			if err := j.Decode(&p); err != nil {
				return err
			}
			return a.Exports.Run(ctx, p.Export)
		},
	}
}

// metricsHandler serves /metrics, behind the metrics token when one is set.
func (a *App) metricsHandler() http.Handler {
	h := a.Metrics.handler()
	tok := a.Config.MetricsToken
	if tok == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// deflections feeds the reports' deflection rate from the knowledge base.
// A deflection has a category but no group, agent, priority, channel or
// organization: under such a filter the figure is "not available" (-1)
// rather than a count that ignores the filter.
type deflections struct{ kb *store.KB }

func (d deflections) Deflected(ctx context.Context, from, to time.Time, f report.Filter) (int64, error) {
	if f.Group != 0 || f.Agent != 0 || f.Org != 0 || f.Priority != "" || f.Channel != "" {
		return -1, nil
	}
	return d.kb.Deflected(ctx, from, to, f.Category)
}

// MailboxFailingWindow is how far back a failed or dead message makes its
// mailbox count as failing for the alert rule.
const MailboxFailingWindow = 15 * time.Minute

// failingMailboxes answers the "intake mailbox failing" alert rule from
// the mail processing log.
type failingMailboxes struct{ mail *store.Mail }

func (m failingMailboxes) Failing(ctx context.Context) ([]string, error) {
	return m.mail.FailingMailboxes(ctx, time.Now().Add(-MailboxFailingWindow))
}
