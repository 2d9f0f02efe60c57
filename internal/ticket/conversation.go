package ticket

import (
	"context"
	"errors"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/mask"
)

// MessageInput is a reply or an internal note.
type MessageInput struct {
	Body     string
	Internal bool
}

// AddMessage posts a public reply or an internal note. A first public reply
// by staff records the first response; the assignee's reply starts work on
// an assigned ticket; the requester's reply to a resolved ticket reopens it
// for follow-up.
func (s *Service) AddMessage(ctx context.Context, by identity.Actor, number string, in MessageInput) (Message, error) {
	if e := checkText("body", in.Body, MaxBodyLen, true); e != nil {
		return Message{}, e
	}
	var msg Message
	var reopen *Ticket
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if in.Internal && !Can(rel, ActNote) {
			return Change{}, errForbidden("ticket.note_forbidden")
		}
		if !in.Internal && !Can(rel, ActReply) {
			return Change{}, errForbidden("ticket.reply_forbidden")
		}
		if t.Status == StatusClosed {
			if !in.Internal && rel&(Requester|OrgMember) != 0 {
				// A customer writing to a closed ticket has a new problem
				// (or the old one is back): it becomes a new, linked ticket.
				closed := *t
				reopen = &closed
				return Change{}, errReopen
			}
			return Change{}, apperr.New(apperr.Conflict, "ticket.closed")
		}
		msg = Message{Number: t.Number, TicketID: t.ID, AuthorID: by.UserID, Author: by.Login, AuthorRole: string(by.Role),
			Body: in.Body, Internal: in.Internal, CreatedAt: now}
		kind := EventMessage
		if in.Internal {
			kind = EventNote
		}
		ev := s.event(by, now, kind, "", "", "")
		ev.Internal = in.Internal
		c := Change{Message: &msg, Events: []Event{ev}}
		staff := rel&Staff != 0 && by.Role.Staff()
		if !in.Internal && staff {
			if t.FirstResponseAt.IsZero() {
				t.FirstResponseAt = now
			}
			if rel&Assignee != 0 && t.Status == StatusAssigned {
				c.Events = append(c.Events, s.event(by, now, EventStatus, "status", string(t.Status), string(StatusInProgress)))
				t.Status = StatusInProgress
			}
		}
		customer := !in.Internal && rel&(Requester|OrgMember) != 0
		if customer && t.AssigneeID != 0 && (t.Status == StatusResolved || t.Status == StatusAwaitingConfirmation) {
			c.Notices = append(c.Notices, Notice{UserID: t.AssigneeID, Kind: "ticket.customer_replied",
				Params: map[string]any{"number": t.Number}})
		}
		switch {
		case customer && t.Status == StatusResolved && mayReopen(rel):
			// Writing back on a resolved ticket reopens it — for those the
			// status machine lets reopen (the requester); a colleague's
			// message is kept and the assignee told, the status stays.
			c.Events = append(c.Events, s.event(by, now, EventStatus, "status", string(t.Status), string(StatusFollowUp)))
			setStatus(t, StatusFollowUp, now)
		case customer && t.Status == StatusAwaitingConfirmation:
			// A question about the proposed solution is not an answer to it:
			// the automatic confirmation waits its full period from now.
			c.Timers = append(c.Timers, Timer{Key: autoConfirmKey(t.ID), Kind: TimerAutoConfirm,
				At: now.Add(s.period.AutoConfirm), Payload: map[string]any{"ticket": t.Number}})
		}
		return c, nil
	})
	if errors.Is(err, errReopen) {
		return s.followOn(ctx, by, *reopen, in.Body)
	}
	if err != nil {
		return Message{}, err
	}
	return msg, nil
}

// mayReopen reports whether rel may move a resolved ticket back to 待跟进.
func mayReopen(rel Relation) bool {
	tr, ok := findTransition(StatusResolved, StatusFollowUp)
	return ok && rel&tr.By != 0
}

// errReopen stops a reply to a closed ticket so that it becomes a new one.
var errReopen = errors.New("reply to a closed ticket")

// followOn opens a new ticket linked to a closed one, from a customer's
// reply to it; the reply is the new ticket's description.
func (s *Service) followOn(ctx context.Context, by identity.Actor, old Ticket, body string) (Message, error) {
	title := old.Title
	if !strings.HasPrefix(title, "Re: ") {
		title = "Re: " + title
	}
	if r := []rune(title); len(r) > MaxTitleLen {
		title = string(r[:MaxTitleLen])
	}
	in := CreateInput{Title: title, Description: body, Category: old.CategoryKey, Priority: old.Priority,
		Channel: old.Channel, CustomFields: old.CustomFields}
	if by.UserID == old.RequesterID {
		// Only the requester's own contact carries over; a colleague
		// replying gets their own (never the requester's, which they saw masked).
		in.ContactPhone, in.ContactEmail = old.ContactPhone, old.ContactEmail
	}
	nt, err := s.create(ctx, by, in, &old)
	if err != nil {
		return Message{}, err
	}
	return Message{TicketID: nt.ID, Number: nt.Number, AuthorID: by.UserID, Author: by.Login, AuthorRole: string(by.Role),
		Body: body, CreatedAt: nt.CreatedAt}, nil
}

// Messages returns the conversation; internal notes only for staff.
func (s *Service) Messages(ctx context.Context, by identity.Actor, number string) ([]Message, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return nil, err
	}
	return s.store.Messages(ctx, t.ID, Can(rel, ActSeeInternal))
}

// History returns the ticket's timeline, oldest first; events about
// internal notes only for staff.
func (s *Service) History(ctx context.Context, by identity.Actor, number string) ([]Event, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.Events(ctx, t.ID, Can(rel, ActSeeInternal))
	if err != nil {
		return nil, err
	}
	if rel&Staff == 0 {
		staffReasonsHidden(evs, by.UserID)
	}
	if Can(rel, ActSeeContact) {
		return evs, nil
	}
	// Contact changes are masked for those who see the contact masked.
	for i, e := range evs {
		switch e.Field {
		case "contact_phone":
			evs[i].From, evs[i].To = mask.Phone(e.From), mask.Phone(e.To)
		case "contact_email":
			evs[i].From, evs[i].To = mask.Email(e.From), mask.Email(e.To)
		}
	}
	return evs, nil
}

// staffReasonsHidden blanks the reasons staff gave for transfers and
// escalations ("客户比较难沟通"): they are written for colleagues, not for the
// customer. The customer still sees that the ticket moved, and keeps the
// reasons they wrote themselves.
func staffReasonsHidden(evs []Event, self int64) {
	for i, e := range evs {
		switch e.Kind {
		case EventAssignee, EventGroup, EventEscalation:
			if e.ActorID != self {
				evs[i].Comment = ""
			}
		}
	}
}

// Categories lists the categories; inactive ones only for admins.
func (s *Service) Categories(ctx context.Context, by identity.Actor) ([]Category, error) {
	all, err := s.store.Categories(ctx)
	if err != nil || by.IsAdmin() {
		return all, err
	}
	out := all[:0]
	for _, c := range all {
		if c.Active {
			out = append(out, c)
		}
	}
	return out, nil
}

// SaveCategory creates a category or, when its key exists, updates it.
func (s *Service) SaveCategory(ctx context.Context, by identity.Actor, c Category) (Category, error) {
	if !by.IsAdmin() {
		return Category{}, errForbidden("auth.forbidden")
	}
	if err := c.validate(); err != nil {
		return Category{}, err
	}
	if c.GroupKey == "" {
		return Category{}, apperr.FieldError("field.required", "group", nil)
	}
	g, err := s.dir.GroupByKey(ctx, c.GroupKey)
	if apperr.KindOf(err) == apperr.NotFound {
		return Category{}, apperr.FieldError("group.not_found", "group", map[string]any{"key": c.GroupKey})
	}
	if err != nil {
		return Category{}, err
	}
	c.GroupID = g.ID
	old, err := s.store.CategoryByKey(ctx, c.Key)
	switch {
	case err == nil:
		c.ID = old.ID
		return s.store.UpdateCategory(ctx, c)
	case apperr.KindOf(err) == apperr.NotFound:
		return s.store.CreateCategory(ctx, c)
	}
	return Category{}, err
}
