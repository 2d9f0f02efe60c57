package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Score is a satisfaction rating.
type Score string

// The ratings, best first: 非常满意, 满意, 一般, 不满意.
const (
	VerySatisfied Score = "very_satisfied"
	Satisfied     Score = "satisfied"
	Neutral       Score = "neutral"
	Dissatisfied  Score = "dissatisfied"
)

// Scores lists the ratings, best first.
var Scores = []Score{VerySatisfied, Satisfied, Neutral, Dissatisfied}

// Poor reports whether the rating asks a supervisor to follow up.
func (s Score) Poor() bool { return s == Neutral || s == Dissatisfied }

// Rating is a customer's rating of one resolution of a ticket.
type Rating struct {
	TicketID   int64
	Resolution int
	Score      Score
	Comment    string
	RaterID    int64
	CreatedAt  time.Time
}

// Followup is a task for a group's supervisors, due like a deadline.
type Followup struct {
	ID        int64
	TicketID  int64
	GroupID   int64
	Kind      string
	Reason    string
	DueAt     time.Time
	DoneAt    time.Time
	DoneBy    int64
	CreatedAt time.Time
}

// FollowupDue is how long a supervisor has to follow up a poor rating.
const FollowupDue = 24 * time.Hour

// Timer kinds the ticket service schedules.
const (
	TimerFollowupDue = "ticket.followup_due"
)

// Rate records the customer's satisfaction with the latest resolution. A
// rating of 一般 or 不满意 opens a follow-up task for the group's
// supervisors, due within 24 hours and tracked by a timer.
func (s *Service) Rate(ctx context.Context, by identity.Actor, number string, score Score, comment string) (Rating, error) {
	if !slices.Contains(Scores, score) {
		return Rating{}, apperr.FieldError("rating.invalid", "rating", nil)
	}
	if e := checkText("comment", comment, MaxCommentLen, false); e != nil {
		return Rating{}, e
	}
	var r Rating
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if rel&Requester == 0 {
			return Change{}, errForbidden("rating.forbidden")
		}
		if t.Resolutions == 0 || (t.Status != StatusResolved && t.Status != StatusClosed) {
			return Change{}, apperr.New(apperr.Conflict, "rating.not_resolved")
		}
		r = Rating{TicketID: t.ID, Resolution: t.Resolutions, Score: score, Comment: strings.TrimSpace(comment),
			RaterID: by.UserID, CreatedAt: now}
		ev := s.event(by, now, EventRating, "rating", "", string(score))
		ev.Comment = r.Comment
		c := Change{Rating: &r, Events: []Event{ev}}
		if score.Poor() {
			f := Followup{TicketID: t.ID, GroupID: t.GroupID, Kind: "poor_rating", Reason: r.Comment, DueAt: now.Add(FollowupDue), CreatedAt: now}
			c.Followup = &f // its timer is scheduled by the store, which learns the task's id
			notices, err := s.toSupervisors(ctx, t, "rating.poor", map[string]any{"number": t.Number, "rating": string(score)})
			if err != nil {
				return Change{}, err
			}
			c.Notices = append(c.Notices, notices...)
		}
		return c, nil
	})
	if err != nil {
		return Rating{}, err
	}
	return r, nil
}

// toSupervisors builds notices for the supervisors of the ticket's group.
func (s *Service) toSupervisors(ctx context.Context, t *Ticket, kind string, params map[string]any) ([]Notice, error) {
	if t.GroupID == 0 {
		return nil, nil
	}
	ids, err := s.dir.GroupSupervisors(ctx, t.GroupID)
	if err != nil {
		return nil, err
	}
	out := make([]Notice, len(ids))
	for i, id := range ids {
		out[i] = Notice{UserID: id, Kind: kind, Params: params}
	}
	return out, nil
}

// Escalate raises the ticket's escalation level with a reason and tells the
// group's supervisors. Customers may escalate once per level (a breach
// raises the level and so allows another); staff may always escalate.
func (s *Service) Escalate(ctx context.Context, by identity.Actor, number, reason string) (Ticket, error) {
	reason = strings.TrimSpace(reason)
	if e := checkText("reason", reason, MaxCommentLen, true); e != nil {
		return Ticket{}, e
	}
	return s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		customer := rel&Staff == 0
		switch {
		case rel&(Requester|Staff) == 0:
			return Change{}, errForbidden("ticket.escalate_forbidden")
		case !t.Status.Open():
			return Change{}, apperr.New(apperr.Conflict, "ticket.not_open")
		case customer && t.CustomerEscalationLevel != 0 && t.CustomerEscalationLevel >= t.EscalationLevel:
			// The customer escalated to the current level already.
			return Change{}, apperr.New(apperr.Conflict, "ticket.already_escalated").With("level", t.EscalationLevel)
		}
		ev := s.event(by, now, EventEscalation, "escalation_level", fmt.Sprint(t.EscalationLevel), fmt.Sprint(t.EscalationLevel+1))
		ev.Comment = reason
		t.EscalationLevel++
		if customer {
			t.CustomerEscalationLevel = t.EscalationLevel
		}
		notices, err := s.toSupervisors(ctx, t, "ticket.escalated", map[string]any{"number": t.Number, "level": t.EscalationLevel})
		if err != nil {
			return Change{}, err
		}
		return Change{Events: []Event{ev}, Notices: notices}, nil
	})
}
