package store

import (
	"context"

	"helpdesk/internal/job"
	"helpdesk/internal/ticket"
)

// applyTimers schedules and cancels the durable jobs of a ticket change in
// the change's own transaction (an outbox): the timer exists exactly when
// the change committed.
func applyTimers(ctx context.Context, tx conn, c ticket.Change) error {
	if len(c.CancelTimers) > 0 {
		if err := cancelJobs(ctx, tx, c.CancelTimers...); err != nil {
			return err
		}
	}
	for _, t := range c.Timers {
		j, err := job.New(t.Kind, t.Key, t.At, t.Payload)
		if err != nil {
			return err
		}
		if err := scheduleJob(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleTimers schedules (or moves, by key) timers on their own.
func (s *Tickets) ScheduleTimers(ctx context.Context, timers ...ticket.Timer) error {
	return s.db.change(ctx, func(ctx context.Context, tx conn) error {
		return applyTimers(ctx, tx, ticket.Change{Timers: timers})
	})
}
