package kb

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// Macro is a canned response: a reply with variables and, optionally,
// a status, category or assignee to set in the same step.
type Macro struct {
	ID          int64
	Name        string
	Body        string
	SetStatus   string
	SetCategory string
	// SetAssignee is a login, or "me" for whoever applies the macro.
	SetAssignee string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MacroStore keeps macros.
type MacroStore interface {
	SaveMacro(ctx context.Context, m Macro) (Macro, error)
	Macros(ctx context.Context) ([]Macro, error)
	Macro(ctx context.Context, id int64) (Macro, error)
	DeleteMacro(ctx context.Context, id int64) error
}

// TicketActions are the ticket service methods a macro's actions run
// through, so every rule of the ticket lifecycle applies.
type TicketActions interface {
	AddMessage(ctx context.Context, by identity.Actor, number string, in ticket.MessageInput) (ticket.Message, error)
	Update(ctx context.Context, by identity.Actor, number string, ifVersion int, p ticket.Patch) (ticket.Ticket, error)
	Assign(ctx context.Context, by identity.Actor, number string, ifVersion int, assignee, group, reason string) (ticket.Ticket, error)
	ChangeStatus(ctx context.Context, by identity.Actor, number string, ifVersion int, to ticket.Status, comment string) (ticket.Ticket, error)
}

// MacroVariables are the variables a macro body may use.
var MacroVariables = []string{"requester.name", "requester.login", "ticket.number", "ticket.title", "ticket.category",
	"ticket.priority", "agent.name", "agent.login"}

var varRE = regexp.MustCompile(`\{\{\s*([A-Za-z_.]+)\s*\}\}`)

// Limits on macros.
const (
	MaxMacroName = 100
	MaxMacroBody = 20000
)

// SaveMacro creates (ID zero) or replaces a macro (supervisors and admins).
func (s *Service) SaveMacro(ctx context.Context, by identity.Actor, m Macro) (Macro, error) {
	if !isReviewer(by) {
		return Macro{}, errForbidden()
	}
	var errs apperr.Multi
	m.Name = strings.TrimSpace(m.Name)
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0:
		errs.Add(apperr.FieldError("field.required", "name", nil))
	case n > MaxMacroName:
		errs.Add(apperr.FieldError("field.too_long", "name", map[string]any{"max": MaxMacroName}))
	}
	if utf8.RuneCountInString(m.Body) > MaxMacroBody {
		errs.Add(apperr.FieldError("field.too_long", "body", map[string]any{"max": MaxMacroBody}))
	}
	for _, v := range varRE.FindAllStringSubmatch(m.Body, -1) {
		if !slices.Contains(MacroVariables, v[1]) {
			errs.Add(apperr.FieldError("kb.macro_variable_unknown", "body", map[string]any{"name": v[1],
				"known": strings.Join(MacroVariables, ", ")}))
			break
		}
	}
	if m.SetStatus != "" && !ticket.Status(m.SetStatus).Valid() {
		errs.Add(apperr.FieldError("ticket.status_invalid", "set_status", map[string]any{"value": m.SetStatus}))
	}
	if m.SetCategory != "" {
		if _, err := s.store.CategoryID(ctx, m.SetCategory); apperr.KindOf(err) == apperr.NotFound {
			errs.Add(apperr.FieldError("category.not_found", "set_category", map[string]any{"key": m.SetCategory}))
		} else if err != nil {
			return Macro{}, err
		}
	}
	if strings.TrimSpace(m.Body) == "" && m.SetStatus == "" && m.SetCategory == "" && m.SetAssignee == "" {
		errs.Add(apperr.FieldError("kb.macro_empty", "body", nil))
	}
	if err := errs.Err(); err != nil {
		return Macro{}, err
	}
	now := s.now().UTC()
	if m.ID == 0 {
		m.CreatedBy, m.CreatedAt = by.UserID, now
	}
	m.UpdatedAt = now
	return s.macros.SaveMacro(ctx, m)
}

// Macros lists the macros (staff).
func (s *Service) Macros(ctx context.Context, by identity.Actor) ([]Macro, error) {
	if !isStaff(by) {
		return nil, errForbidden()
	}
	return s.macros.Macros(ctx)
}

// DeleteMacro removes a macro (supervisors and admins).
func (s *Service) DeleteMacro(ctx context.Context, by identity.Actor, id int64) error {
	if !isReviewer(by) {
		return errForbidden()
	}
	return s.macros.DeleteMacro(ctx, id)
}

// Render fills a macro body's variables.
func Render(body string, vars map[string]string) string {
	return varRE.ReplaceAllStringFunc(body, func(m string) string {
		return vars[varRE.FindStringSubmatch(m)[1]]
	})
}

// Applied is what applying a macro did.
type Applied struct {
	Ticket  ticket.Ticket
	Message *ticket.Message
}

// ApplyMacro posts a macro's reply on a ticket, with its variables filled
// in, and sets the status, category and assignee it names — each through
// the ticket service as if done by hand, so permissions, the status
// machine and history apply. The steps run in order (category, assignee,
// reply, status); one that fails stops the rest and is reported.
func (s *Service) ApplyMacro(ctx context.Context, by identity.Actor, number string, id int64) (Applied, error) {
	if !isStaff(by) {
		return Applied{}, errForbidden()
	}
	m, err := s.macros.Macro(ctx, id)
	if err != nil {
		return Applied{}, err
	}
	t, err := s.tickets.Get(ctx, by, number)
	if err != nil {
		return Applied{}, err
	}
	var out Applied
	out.Ticket = t
	if m.SetCategory != "" && m.SetCategory != t.CategoryKey {
		cat := m.SetCategory
		if out.Ticket, err = s.actions.Update(ctx, by, number, 0, ticket.Patch{Category: &cat}); err != nil {
			return out, err
		}
	}
	if m.SetAssignee != "" {
		who := m.SetAssignee
		if who == "me" {
			who = by.Login
		}
		if who != out.Ticket.Assignee {
			if out.Ticket, err = s.actions.Assign(ctx, by, number, 0, who, "", m.Name); err != nil {
				return out, err
			}
		}
	}
	if strings.TrimSpace(m.Body) != "" {
		vars := map[string]string{"ticket.number": t.Number, "ticket.title": t.Title, "ticket.category": out.Ticket.CategoryKey,
			"ticket.priority": string(t.Priority), "requester.login": t.Requester, "requester.name": t.Requester,
			"agent.login": by.Login, "agent.name": by.Login}
		if s.users != nil {
			if u, err := s.users.UserByLogin(ctx, identity.System, t.Requester); err == nil && u.Name != "" {
				vars["requester.name"] = u.Name
			}
			if u, err := s.users.UserByLogin(ctx, identity.System, by.Login); err == nil && u.Name != "" {
				vars["agent.name"] = u.Name
			}
		}
		msg, err := s.actions.AddMessage(ctx, by, number, ticket.MessageInput{Body: Render(m.Body, vars)})
		if err != nil {
			return out, err
		}
		out.Message = &msg
	}
	if m.SetStatus != "" {
		if out.Ticket, err = s.actions.ChangeStatus(ctx, by, number, 0, ticket.Status(m.SetStatus), m.Name); err != nil {
			return out, err
		}
	} else if out.Message != nil {
		if out.Ticket, err = s.tickets.Get(ctx, by, number); err != nil {
			return out, err
		}
	}
	return out, nil
}
