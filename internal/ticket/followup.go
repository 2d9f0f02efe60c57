package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Followups lists a ticket's follow-up tasks (staff only).
func (s *Service) Followups(ctx context.Context, by identity.Actor, number string) ([]Followup, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return nil, err
	}
	if rel&Staff == 0 {
		return nil, errForbidden("followup.forbidden")
	}
	return s.store.Followups(ctx, t.ID)
}

// CompleteFollowup marks a follow-up task done, with what was done.
// Supervisors of the ticket's group and admins may.
func (s *Service) CompleteFollowup(ctx context.Context, by identity.Actor, number string, id int64, note string) (Followup, error) {
	note = strings.TrimSpace(note)
	if e := checkText("note", note, MaxCommentLen, true); e != nil {
		return Followup{}, e
	}
	var done Followup
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if rel&(Supervisor|Admin) == 0 {
			return Change{}, errForbidden("followup.forbidden")
		}
		all, err := s.store.Followups(ctx, t.ID)
		if err != nil {
			return Change{}, err
		}
		for _, f := range all {
			if f.ID != id {
				continue
			}
			if !f.DoneAt.IsZero() {
				return Change{}, apperr.New(apperr.Conflict, "followup.done")
			}
			f.DoneAt, f.DoneBy = now, by.UserID
			done = f
			ev := s.event(by, now, EventRating, "followup", f.Kind, "done")
			ev.Comment = note
			ev.Internal = true // a supervisor's notes on a customer are for staff
			return Change{Followup: &done, Events: []Event{ev},
				CancelTimers: []string{followupKey(t.ID, f.ID)}}, nil
		}
		return Change{}, apperr.New(apperr.NotFound, "followup.not_found")
	})
	return done, err
}

func followupKey(ticketID, followupID int64) string {
	return fmt.Sprintf("followup:%d:%d", ticketID, followupID)
}

// FollowupOverdue runs when a follow-up task's deadline passes: if it is
// still open, the group's supervisors are told again and the history
// records the breach. Harmless when repeated or late.
func (s *Service) FollowupOverdue(ctx context.Context, number string, id int64) error {
	_, err := s.apply(ctx, identity.System, number, 0, func(t *Ticket, _ Relation, now time.Time) (Change, error) {
		all, err := s.store.Followups(ctx, t.ID)
		if err != nil {
			return Change{}, err
		}
		for _, f := range all {
			if f.ID != id || !f.DoneAt.IsZero() {
				continue
			}
			notices, err := s.toSupervisors(ctx, t, "followup.overdue", map[string]any{"number": t.Number})
			if err != nil {
				return Change{}, err
			}
			ev := s.event(identity.System, now, EventSLA, "followup", "due", "overdue")
			ev.Internal = true
			return Change{Events: []Event{ev}, Notices: notices}, nil
		}
		return Change{}, nil
	})
	return ignoreGone(err)
}

// FollowupTimer is the deadline timer of a follow-up task. The store
// schedules it when it inserts the task, once the task has its id.
func FollowupTimer(t Ticket, f Followup) Timer {
	return Timer{Key: followupKey(t.ID, f.ID), Kind: TimerFollowupDue, At: f.DueAt,
		Payload: map[string]any{"ticket": t.Number, "followup": f.ID}}
}
