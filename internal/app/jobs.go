package app

import (
	"context"

	"helpdesk/internal/job"
	"helpdesk/internal/kb"
	"helpdesk/internal/ticket"
)

// handlers maps every durable job kind to the service method it runs.
// Handlers only decode the payload and call one method; the methods are
// idempotent, so a job that runs twice after a crash changes nothing twice.
func (a *App) handlers() map[string]job.Handler {
	type ref struct {
		Ticket   string `json:"ticket"`
		Followup int64  `json:"followup"`
		Clock    string `json:"clock"`
	}
	onTicket := func(fn func(ctx context.Context, r ref) error) job.Handler {
		return func(ctx context.Context, j job.Job) error {
			var r ref
			if err := j.Decode(&r); err != nil {
				return err
			}
			return fn(ctx, r)
		}
	}
	h := map[string]job.Handler{
		ticket.TimerAutoConfirm: onTicket(func(ctx context.Context, r ref) error { return a.Tickets.AutoConfirm(ctx, r.Ticket) }),
		ticket.TimerAutoClose:   onTicket(func(ctx context.Context, r ref) error { return a.Tickets.AutoClose(ctx, r.Ticket) }),
		ticket.TimerSLA:         onTicket(func(ctx context.Context, r ref) error { return a.Tickets.SLATick(ctx, r.Ticket) }),
		ticket.TimerFollowupDue: onTicket(func(ctx context.Context, r ref) error {
			return a.Tickets.FollowupOverdue(ctx, r.Ticket, r.Followup)
		}),
		kb.JobRetrain: a.retrainJob, // kb.go
	}
	a.mailHandlers(h) // mail intake and notifications (internal/app/mail.go)
	// Reports (internal/app/report.go).
	for k, fn := range a.reportHandlers() {
		h[k] = fn
	}
	return h
}
