package ticket

import (
	"context"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
)

// CreateInput is a new ticket as submitted.
type CreateInput struct {
	Title        string
	Description  string
	Category     string // key
	Priority     Priority
	Channel      Channel
	ContactPhone string
	ContactEmail string
	CustomFields map[string]any
	// Requester is the login of the customer a staff member files for (a
	// phone ticket); customers always file for themselves.
	Requester      string
	IdempotencyKey string
}

// Create files a new ticket. It lands in its category's group as
// unassigned; routing (when configured) refines that.
func (s *Service) Create(ctx context.Context, by identity.Actor, in CreateInput) (Ticket, error) {
	t, _, err := s.CreateIdempotent(ctx, by, in)
	return t, err
}

// CreateIdempotent is Create that also reports whether the ticket was
// created by an earlier request with the same idempotency key.
func (s *Service) CreateIdempotent(ctx context.Context, by identity.Actor, in CreateInput) (Ticket, bool, error) {
	return s.createIdem(ctx, by, in, nil)
}

// create files a ticket, linked to parent when it follows on a closed one.
func (s *Service) create(ctx context.Context, by identity.Actor, in CreateInput, parent *Ticket) (Ticket, error) {
	t, _, err := s.createIdem(ctx, by, in, parent)
	return t, err
}

func (s *Service) createIdem(ctx context.Context, by identity.Actor, in CreateInput, parent *Ticket) (Ticket, bool, error) {
	if by.UserID == 0 && !by.System {
		return Ticket{}, false, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	var m apperr.Multi
	in.Title = strings.TrimSpace(in.Title)
	if e := checkText("title", in.Title, MaxTitleLen, true); e != nil {
		m.Add(e)
	} else if strings.ContainsAny(in.Title, "\r\n") {
		m.Add(apperr.FieldError("field.control_char", "title", nil))
	}
	if e := checkText("description", in.Description, MaxDescriptionLen, true); e != nil {
		m.Add(e)
	}
	if in.Priority == "" {
		in.Priority = P3
	}
	if !in.Priority.Valid() {
		m.Add(apperr.FieldError("ticket.priority_invalid", "priority", nil))
	}
	if in.Channel == "" {
		in.Channel = ChannelWeb
	}
	if !in.Channel.Valid() {
		m.Add(apperr.FieldError("ticket.channel_invalid", "channel", nil))
	}
	in.ContactPhone, in.ContactEmail = strings.TrimSpace(in.ContactPhone), strings.TrimSpace(in.ContactEmail)
	if err := identity.ValidContact(in.ContactPhone, in.ContactEmail); err != nil {
		addAll(&m, err)
	}
	if len(in.IdempotencyKey) > MaxIdempotencyKey {
		m.Add(apperr.FieldError("field.too_long", "Idempotency-Key", map[string]any{"max": MaxIdempotencyKey}))
	}
	var cat Category
	if in.Category == "" {
		m.Add(apperr.FieldError("field.required", "category", nil))
	} else if c, err := s.store.CategoryByKey(ctx, in.Category); err != nil {
		if apperr.KindOf(err) != apperr.NotFound {
			return Ticket{}, false, err
		}
		m.Add(apperr.FieldError("category.not_found", "category", map[string]any{"key": in.Category}))
	} else if !c.Active {
		m.Add(apperr.FieldError("category.inactive", "category", map[string]any{"key": in.Category}))
	} else {
		cat = c
		fields, err := cat.CheckFields(in.CustomFields)
		if err != nil {
			addAll(&m, err)
		}
		in.CustomFields = fields
	}
	if err := m.Err(); err != nil {
		return Ticket{}, false, err
	}

	requester, err := s.requester(ctx, by, in.Requester)
	if err != nil {
		return Ticket{}, false, err
	}
	if in.ContactPhone == "" && in.ContactEmail == "" {
		in.ContactPhone, in.ContactEmail = requester.Phone, requester.Email
	}
	now := s.now().UTC()
	t := Ticket{
		Title: in.Title, Description: in.Description, CategoryID: cat.ID, CategoryKey: cat.Key,
		Priority: in.Priority, Status: StatusUnassigned, Channel: in.Channel,
		RequesterID: requester.ID, Requester: requester.Login, OrgID: requester.OrgID, OrgName: requester.OrgName,
		ContactPhone: in.ContactPhone, ContactEmail: in.ContactEmail,
		GroupID: cat.GroupID, GroupKey: cat.GroupKey, CustomFields: in.CustomFields,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	ev := s.event(by, now, EventCreated, "", "", string(StatusUnassigned))
	events := []Event{ev}
	if s.router != nil {
		events = append(events, s.route(ctx, &t, now)...)
	}
	if err := s.startSLA(ctx, &t, now); err != nil {
		return Ticket{}, false, err
	}
	if parent != nil {
		t.ParentID, t.ParentNumber = parent.ID, parent.Number
		events = append(events, s.event(by, now, EventLink, "parent", "", parent.Number))
	}
	rec := NewRecord{Ticket: t, Day: now.In(s.loc).Format("20060102"), Events: events, Timers: s.announceCreation(events),
		IdempotencyKey: in.IdempotencyKey, CreatedBy: by.UserID}
	got, replayed, err := s.store.CreateTicket(ctx, rec)
	if err != nil {
		return Ticket{}, false, err
	}
	return s.view(ctx, RelationOf(by, got), got), replayed, nil
}

// requester decides whose ticket this is: the caller's own, or for staff
// logging a phone call, the named customer.
func (s *Service) requester(ctx context.Context, by identity.Actor, login string) (identity.User, error) {
	if login == "" || login == by.Login {
		if by.System {
			return identity.User{}, apperr.FieldError("field.required", "requester", nil)
		}
		return s.dir.UserByID(ctx, by.UserID)
	}
	if !by.Role.Staff() && !by.System {
		return identity.User{}, errForbidden("ticket.requester_forbidden")
	}
	u, err := s.dir.UserByLogin(ctx, login)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return identity.User{}, apperr.FieldError("user.not_found", "requester", map[string]any{"login": login})
		}
		return identity.User{}, err
	}
	return u, nil
}

// addAll appends err's field errors to m.
func addAll(m *apperr.Multi, err error) {
	e, ok := apperr.As(err)
	if !ok {
		m.Add(apperr.Wrap(apperr.Internal, "internal", err))
		return
	}
	if multi, ok := e.Err.(*apperr.Multi); ok {
		m.Errors = append(m.Errors, multi.Errors...)
		return
	}
	m.Add(e)
}

// route applies the router's decision to a new ticket and returns the
// history it writes. A routing failure never loses the ticket: it stays in
// its category's group queue.
func (s *Service) route(ctx context.Context, t *Ticket, now time.Time) []Event {
	a, err := s.router.Route(ctx, *t)
	if err != nil || a.GroupID == 0 {
		return nil
	}
	sys := identity.System
	var evs []Event
	if a.GroupID != t.GroupID {
		ev := s.event(sys, now, EventGroup, "group", t.GroupKey, a.GroupKey)
		ev.Comment = a.Rule
		evs = append(evs, ev)
		t.GroupID, t.GroupKey = a.GroupID, a.GroupKey
	}
	if a.Priority != "" && a.Priority != t.Priority && a.Priority.Valid() {
		ev := s.event(sys, now, EventField, "priority", string(t.Priority), string(a.Priority))
		ev.Comment = a.Rule
		evs = append(evs, ev)
		t.Priority = a.Priority
	}
	if a.AssigneeID != 0 {
		ev := s.event(sys, now, EventAssignee, "assignee", "", a.Assignee)
		ev.Comment = a.Rule
		evs = append(evs, ev, s.event(sys, now, EventStatus, "status", string(t.Status), string(StatusAssigned)))
		t.AssigneeID, t.Assignee, t.Status = a.AssigneeID, a.Assignee, StatusAssigned
	}
	return evs
}

// creationTimers are the timers of a new ticket: one per running SLA clock.
func (s *Service) creationTimers(t Ticket) []Timer {
	var c Change
	s.slaTimers(sla.Clocks{}, &t, &c, true)
	return c.Timers
}
