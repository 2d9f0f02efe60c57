package app

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
	"helpdesk/internal/kb"
)

// retrainJob retrains the suggestion models and schedules the next run
// (the job is its own schedule: one row, key kb:retrain).
func (a *App) retrainJob(ctx context.Context, _ job.Job) error {
	if _, err := a.Suggester.Retrain(ctx); err != nil {
		return err
	}
	return a.scheduleRetrain(ctx, time.Now().Add(kb.RetrainEvery))
}

func (a *App) scheduleRetrain(ctx context.Context, at time.Time) error {
	j, err := job.New(kb.JobRetrain, kb.JobRetrainKey, at, nil)
	if err != nil {
		return err
	}
	return a.DB.Jobs().Schedule(ctx, j)
}

// ensureRetrain schedules the daily retraining unless it is already
// pending, so restarts never push it back.
func (a *App) ensureRetrain(ctx context.Context) error {
	j, err := a.DB.Jobs().ByKey(ctx, kb.JobRetrainKey)
	switch {
	case err == nil && (j.State == job.Scheduled || j.State == job.Running):
		return nil
	case err != nil && apperr.KindOf(err) != apperr.NotFound:
		return fmt.Errorf("retrain job: %w", err)
	}
	return a.scheduleRetrain(ctx, time.Now().Add(time.Minute))
}
