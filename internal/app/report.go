package app

import (
	"context"
	"time"

	"helpdesk/internal/job"
	"helpdesk/internal/report"
)

// The report refresh job folds changed tickets into the report rollups.
// It runs every RefreshEvery on whichever node claims it (one key, so one
// run at a time across nodes) and sets itself again for the next round.
const (
	jobReportRefresh = "report.refresh"
	keyReportRefresh = "report:refresh"
	// RefreshEvery is how stale the reports may be.
	RefreshEvery = 5 * time.Second
)

// openReports builds the report service.
func (a *App) openReports() {
	a.Reports = report.NewService(report.Deps{Store: a.DB.Reports(), Refresh: a.DB.Reports(), Directory: a.DB.Identity(),
		Categories: a.DB.Reports(), Calendars: a.SLA, Location: a.Location})
}

// startReports schedules the refresh job (again) at start.
func (a *App) startReports(ctx context.Context) error {
	j, err := job.New(jobReportRefresh, keyReportRefresh, time.Now(), nil)
	if err != nil {
		return err
	}
	return a.DB.Jobs().Schedule(ctx, j)
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
	}
}
