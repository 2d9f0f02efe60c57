package store

import (
	"context"

	"helpdesk/internal/job"
)

// ScheduleInTx schedules jobs and cancels keys inside one write
// transaction, the way the ticket store does with a change, and then
// returns fail: a non-nil fail rolls everything back.
func ScheduleInTx(ctx context.Context, db *DB, jobs []job.Job, cancel []string, fail error) error {
	return db.tx(ctx, func(tx conn) error {
		for _, j := range jobs {
			if err := scheduleJob(ctx, tx, j); err != nil {
				return err
			}
		}
		if err := cancelJobs(ctx, tx, cancel...); err != nil {
			return err
		}
		return fail
	})
}
