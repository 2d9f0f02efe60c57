package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Patch changes some fields of a ticket; nil fields stay as they are.
type Patch struct {
	Title        *string
	Description  *string
	Priority     *Priority
	Category     *string
	ContactPhone *string
	ContactEmail *string
	// CustomFields replaces the given keys; a nil value removes a key.
	CustomFields map[string]any
}

// Update changes ticket fields. IfVersion, when not zero, is the version
// the caller edited; a newer ticket fails with ticket.version_mismatch.
func (s *Service) Update(ctx context.Context, by identity.Actor, number string, ifVersion int, p Patch) (Ticket, error) {
	return s.apply(ctx, by, number, ifVersion, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if !t.Status.Open() && t.Status != StatusResolved {
			return Change{}, apperr.New(apperr.Conflict, "ticket.closed")
		}
		content := p.Title != nil || p.Description != nil || p.ContactPhone != nil || p.ContactEmail != nil || p.CustomFields != nil
		triage := p.Priority != nil || p.Category != nil
		if content && !Can(rel, ActEditContent) || triage && !Can(rel, ActEditTriage) {
			return Change{}, errForbidden("ticket.edit_forbidden")
		}
		var c Change
		var m apperr.Multi
		set := func(field, from, to string) {
			if from != to {
				c.Events = append(c.Events, s.event(by, now, EventField, field, from, to))
			}
		}
		if p.Title != nil {
			v := strings.TrimSpace(*p.Title)
			if e := checkText("title", v, MaxTitleLen, true); e != nil {
				m.Add(e)
			} else if strings.ContainsAny(v, "\r\n") {
				m.Add(apperr.FieldError("field.control_char", "title", nil))
			}
			set("title", t.Title, v)
			t.Title = v
		}
		if p.Description != nil {
			if e := checkText("description", *p.Description, MaxDescriptionLen, true); e != nil {
				m.Add(e)
			}
			set("description", t.Description, *p.Description)
			t.Description = *p.Description
		}
		if p.Priority != nil {
			if !p.Priority.Valid() {
				m.Add(apperr.FieldError("ticket.priority_invalid", "priority", nil))
			}
			set("priority", string(t.Priority), string(*p.Priority))
			t.Priority = *p.Priority
		}
		if p.ContactPhone != nil || p.ContactEmail != nil {
			if !Can(rel, ActSeeContact) {
				return Change{}, errForbidden("ticket.edit_forbidden")
			}
			phone, email := t.ContactPhone, t.ContactEmail
			if p.ContactPhone != nil {
				phone = strings.TrimSpace(*p.ContactPhone)
			}
			if p.ContactEmail != nil {
				email = strings.TrimSpace(*p.ContactEmail)
			}
			if err := identity.ValidContact(phone, email); err != nil {
				addAll(&m, err)
			}
			set("contact_phone", t.ContactPhone, phone)
			set("contact_email", t.ContactEmail, email)
			t.ContactPhone, t.ContactEmail = phone, email
		}
		cat, err := s.store.CategoryByID(ctx, t.CategoryID)
		if err != nil {
			return Change{}, err
		}
		if p.Category != nil && *p.Category != t.CategoryKey {
			nc, err := s.store.CategoryByKey(ctx, *p.Category)
			switch {
			case apperr.KindOf(err) == apperr.NotFound:
				m.Add(apperr.FieldError("category.not_found", "category", map[string]any{"key": *p.Category}))
			case err != nil:
				return Change{}, err
			case !nc.Active:
				m.Add(apperr.FieldError("category.inactive", "category", map[string]any{"key": *p.Category}))
			default:
				set("category", t.CategoryKey, nc.Key)
				t.CategoryID, t.CategoryKey, cat = nc.ID, nc.Key, nc
				// Fields the new category does not define are dropped with the change.
				kept := map[string]any{}
				for k, v := range t.CustomFields {
					if _, ok := nc.Field(k); ok {
						kept[k] = v
					}
				}
				t.CustomFields = kept
			}
		}
		if p.CustomFields != nil || p.Category != nil {
			merged := map[string]any{}
			for k, v := range t.CustomFields {
				merged[k] = v
			}
			for k, v := range p.CustomFields {
				if v == nil {
					delete(merged, k)
				} else {
					merged[k] = v
				}
			}
			fields, err := cat.CheckFields(merged)
			if err != nil {
				addAll(&m, err)
			} else {
				set("custom_fields", fieldsText(t.CustomFields), fieldsText(fields))
				t.CustomFields = fields
			}
		}
		if err := m.Err(); err != nil {
			return Change{}, err
		}
		return c, nil
	})
}

func fieldsText(f map[string]any) string {
	if len(f) == 0 {
		return ""
	}
	b, _ := json.Marshal(f) // map keys are sorted, so equal maps give equal text
	return string(b)
}

// ChangeStatus moves a ticket through the status machine. The transition
// table says who may; the comment is recorded in history (and required
// where the table says so).
func (s *Service) ChangeStatus(ctx context.Context, by identity.Actor, number string, ifVersion int, to Status, comment string) (Ticket, error) {
	if !to.Valid() {
		return Ticket{}, apperr.FieldError("ticket.status_invalid", "status", map[string]any{"value": string(to)})
	}
	if e := checkText("comment", comment, MaxCommentLen, false); e != nil {
		return Ticket{}, e
	}
	comment = strings.TrimSpace(comment)
	return s.apply(ctx, by, number, ifVersion, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if t.Status == to {
			return Change{}, nil
		}
		tr, ok := findTransition(t.Status, to)
		if !ok {
			return Change{}, apperr.New(apperr.Conflict, "ticket.transition_invalid").
				With("from", string(t.Status)).With("to", string(to))
		}
		if rel&tr.By == 0 {
			if rel&(Staff|Requester) == 0 {
				return Change{}, errForbidden("ticket.transition_forbidden")
			}
			return Change{}, apperr.New(apperr.Conflict, "ticket.transition_forbidden").
				With("from", string(t.Status)).With("to", string(to))
		}
		// Only the relations that actually allowed the move count for the
		// comment rule: a supervisor acting as requester still needs one.
		if rel&tr.By&tr.NeedsComment != 0 && comment == "" {
			return Change{}, apperr.FieldError("ticket.comment_required", "comment", nil)
		}
		ev := s.event(by, now, EventStatus, "status", string(t.Status), string(to))
		ev.Comment = comment
		c := Change{Events: []Event{ev}}
		// A customer saying "not solved" tells the assignee at once.
		if to == StatusFollowUp && rel&Requester != 0 && t.AssigneeID != 0 {
			c.Notices = append(c.Notices, Notice{UserID: t.AssigneeID, Kind: "ticket.rejected",
				Params: map[string]any{"number": t.Number, "reason": comment}})
		}
		setStatus(t, to, now)
		return c, nil
	})
}

// setStatus records a status and the timestamps that go with it.
func setStatus(t *Ticket, to Status, now time.Time) {
	switch to {
	case StatusResolved:
		t.ResolvedAt = now
		t.Resolutions++
	case StatusClosed:
		t.ClosedAt = now
	case StatusFollowUp, StatusInProgress:
		t.ResolvedAt = time.Time{}
	}
	t.Status = to
}

// Assign gives the ticket to an agent (empty login: back to the group
// queue), optionally moving it to another group. Agents may claim tickets
// of their groups for themselves; supervisors and admins assign anyone in
// the ticket's group and transfer between groups, with a reason.
func (s *Service) Assign(ctx context.Context, by identity.Actor, number string, ifVersion int, assignee, group, reason string) (Ticket, error) {
	if e := checkText("reason", reason, MaxCommentLen, false); e != nil {
		return Ticket{}, e
	}
	// Who may not see the ticket learns nothing about logins either: the
	// ticket is checked before the names are resolved.
	if assignee != "" || group != "" {
		_, rel, err := s.load(ctx, by, number)
		if err != nil {
			return Ticket{}, err
		}
		if !Can(rel, ActClaim) && !Can(rel, ActAssignOthers) {
			return Ticket{}, errForbidden("ticket.assign_forbidden")
		}
	}
	var target identity.User
	if assignee != "" {
		u, err := s.dir.UserByLogin(ctx, assignee)
		if apperr.KindOf(err) == apperr.NotFound || err == nil && !u.Role.Staff() {
			return Ticket{}, apperr.FieldError("ticket.assignee_invalid", "assignee", map[string]any{"login": assignee})
		}
		if err != nil {
			return Ticket{}, err
		}
		target = u
	}
	var newGroup identity.Group
	if group != "" {
		g, err := s.dir.GroupByKey(ctx, group)
		if apperr.KindOf(err) == apperr.NotFound {
			return Ticket{}, apperr.FieldError("group.not_found", "group", map[string]any{"key": group})
		}
		if err != nil {
			return Ticket{}, err
		}
		newGroup = g
	}
	return s.apply(ctx, by, number, ifVersion, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if !t.Status.Open() {
			return Change{}, apperr.New(apperr.Conflict, "ticket.not_open")
		}
		var c Change
		if newGroup.ID != 0 && newGroup.ID != t.GroupID {
			if !Can(rel, ActAssignOthers) {
				return Change{}, errForbidden("ticket.assign_forbidden")
			}
			if strings.TrimSpace(reason) == "" && !by.System {
				return Change{}, apperr.FieldError("ticket.reason_required", "reason", nil)
			}
			ev := s.event(by, now, EventGroup, "group", t.GroupKey, newGroup.Key)
			ev.Comment = reason
			c.Events = append(c.Events, ev)
			t.GroupID, t.GroupKey = newGroup.ID, newGroup.Key
			if target.ID == 0 && t.AssigneeID != 0 {
				target = identity.User{} // a transfer returns the ticket to the new group's queue
			}
		}
		if target.ID == t.AssigneeID && len(c.Events) == 0 {
			return Change{}, nil
		}
		self := target.ID != 0 && target.ID == by.UserID
		switch {
		case Can(rel, ActAssignOthers):
		case self && Can(rel, ActClaim) && t.AssigneeID == 0:
		case target.ID == 0 && rel&Assignee != 0 && newGroup.ID == 0:
			// the assignee hands the ticket back to the group queue
		default:
			if self && t.AssigneeID != 0 {
				return Change{}, apperr.New(apperr.Conflict, "ticket.already_assigned").With("assignee", t.Assignee)
			}
			return Change{}, errForbidden("ticket.assign_forbidden")
		}
		if target.ID != 0 && !by.System && by.Role != identity.RoleAdmin && !inGroup(target, t.GroupID) {
			return Change{}, apperr.FieldError("ticket.assignee_not_in_group", "assignee", map[string]any{"login": target.Login})
		}
		if target.ID != t.AssigneeID {
			ev := s.event(by, now, EventAssignee, "assignee", t.Assignee, target.Login)
			ev.Comment = reason
			c.Events = append(c.Events, ev)
			t.AssigneeID, t.Assignee = target.ID, target.Login
		}
		// Status follows the assignee for tickets not yet worked on.
		before := t.Status
		switch {
		case t.AssigneeID != 0 && t.Status == StatusUnassigned:
			t.Status = StatusAssigned
		case t.AssigneeID == 0 && (t.Status == StatusAssigned || t.Status == StatusInProgress):
			t.Status = StatusUnassigned
		}
		if before != t.Status {
			c.Events = append(c.Events, s.event(by, now, EventStatus, "status", string(before), string(t.Status)))
		}
		return c, nil
	})
}

func inGroup(u identity.User, groupID int64) bool {
	for _, g := range u.GroupIDs {
		if g == groupID {
			return true
		}
	}
	return false
}

// Claim assigns an unassigned ticket of one's group to oneself. When two
// agents claim at once exactly one wins; the other gets ticket.already_assigned.
func (s *Service) Claim(ctx context.Context, by identity.Actor, number string) (Ticket, error) {
	if by.Login == "" {
		return Ticket{}, fmt.Errorf("ticket: claim: actor without login")
	}
	return s.Assign(ctx, by, number, 0, by.Login, "", "")
}
