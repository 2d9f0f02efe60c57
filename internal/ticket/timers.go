package ticket

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Timer kinds for the lifecycle's automatic steps.
const (
	TimerAutoConfirm = "ticket.auto_confirm"
	TimerAutoClose   = "ticket.auto_close"
)

func autoConfirmKey(id int64) string { return fmt.Sprintf("autoconfirm:%d", id) }
func autoCloseKey(id int64) string   { return fmt.Sprintf("autoclose:%d", id) }

// statusTimers schedules and cancels the timers that hang on a status: a
// proposed solution is confirmed automatically if the customer stays
// silent, a resolved ticket closes after a while. Every status change of
// every action passes here, so no path can forget them.
func (s *Service) statusTimers(t *Ticket, from Status, now time.Time, c *Change) {
	payload := map[string]any{"ticket": t.Number}
	switch from {
	case StatusAwaitingConfirmation:
		c.CancelTimers = append(c.CancelTimers, autoConfirmKey(t.ID))
	case StatusResolved:
		c.CancelTimers = append(c.CancelTimers, autoCloseKey(t.ID))
	}
	switch t.Status {
	case StatusAwaitingConfirmation:
		c.Timers = append(c.Timers, Timer{Key: autoConfirmKey(t.ID), Kind: TimerAutoConfirm, At: now.Add(s.period.AutoConfirm), Payload: payload})
	case StatusResolved:
		c.Timers = append(c.Timers, Timer{Key: autoCloseKey(t.ID), Kind: TimerAutoClose, At: now.Add(s.period.AutoClose), Payload: payload})
	}
}

// AutoConfirm confirms a proposed solution the customer did not answer,
// and tells them. It does nothing if the ticket moved on meanwhile, so a
// late or repeated timer is harmless.
func (s *Service) AutoConfirm(ctx context.Context, number string) error {
	_, err := s.apply(ctx, identity.System, number, 0, func(t *Ticket, _ Relation, now time.Time) (Change, error) {
		if t.Status != StatusAwaitingConfirmation {
			return Change{}, nil
		}
		ev := s.event(identity.System, now, EventStatus, "status", string(t.Status), string(StatusResolved))
		ev.Comment = "auto_confirmed"
		setStatus(t, StatusResolved, now)
		return Change{Events: []Event{ev}, Notices: []Notice{{UserID: t.RequesterID, Kind: "ticket.auto_confirmed",
			Params: map[string]any{"number": t.Number, "hours": int(s.period.AutoConfirm.Hours())}}}}, nil
	})
	return ignoreGone(err)
}

// AutoClose closes a resolved ticket after the waiting period; a no-op if
// it was reopened meanwhile.
func (s *Service) AutoClose(ctx context.Context, number string) error {
	_, err := s.apply(ctx, identity.System, number, 0, func(t *Ticket, _ Relation, now time.Time) (Change, error) {
		if t.Status != StatusResolved {
			return Change{}, nil
		}
		ev := s.event(identity.System, now, EventStatus, "status", string(t.Status), string(StatusClosed))
		ev.Comment = "auto_closed"
		setStatus(t, StatusClosed, now)
		return Change{Events: []Event{ev}}, nil
	})
	return ignoreGone(err)
}

// ignoreGone treats a vanished ticket as done: there is nothing left to time.
func ignoreGone(err error) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	return err
}
