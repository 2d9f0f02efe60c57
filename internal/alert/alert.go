// Package alert owns operational alerts: rules admins set (a backlog of
// unassigned tickets above N for M minutes, any ticket without a first
// response past its target, any P1 unacknowledged for 15 minutes, an
// intake mailbox failing), evaluated by a scheduled durable job. An alert
// opens once per rule while its condition holds (deduplicated), tells the
// rule's recipients in their in-site inbox (and through any Delivery
// plugged in, e.g. email or IM), and resolves itself when the condition
// clears.
package alert

import (
	"context"
	"fmt"
	"slices"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Kind is what a rule watches.
type Kind string

// The rule kinds.
const (
	UnassignedBacklog    Kind = "unassigned_backlog"     // more than Threshold unassigned tickets for ForMinutes
	FirstResponseOverdue Kind = "first_response_overdue" // any open ticket without a first response past its target
	P1Unacknowledged     Kind = "p1_unacknowledged"      // any P1 not taken up within ForMinutes (default 15)
	MailboxFailing       Kind = "mailbox_failing"        // an intake mailbox reports failures
)

// Kinds lists the rule kinds.
var Kinds = []Kind{UnassignedBacklog, FirstResponseOverdue, P1Unacknowledged, MailboxFailing}

// Rule is one alert rule.
type Rule struct {
	ID         int64
	Kind       Kind
	Threshold  int
	ForMinutes int
	// Recipients are the users told, by id; Logins names them for people.
	Recipients []int64
	Logins     []string
	Enabled    bool
	// PendingSince is when the condition was first seen holding, for rules
	// that must hold for a while; zero when it does not hold.
	PendingSince time.Time
	UpdatedAt    time.Time
}

// Alert is a rule whose condition held.
type Alert struct {
	ID         int64
	RuleID     int64
	Kind       Kind
	Detail     string
	OpenedAt   time.Time
	ResolvedAt time.Time
}

// Notice is an in-site message to one recipient.
type Notice struct {
	UserID int64
	Kind   string // alert.opened, alert.resolved
	Params map[string]any
}

// Store keeps rules and alerts.
type Store interface {
	Rules(ctx context.Context) ([]Rule, error)
	SaveRule(ctx context.Context, r Rule) (Rule, error)
	DeleteRule(ctx context.Context, id int64) error
	SetPending(ctx context.Context, ruleID int64, since time.Time) error
	// OpenAlerts lists unresolved alerts.
	OpenAlerts(ctx context.Context) ([]Alert, error)
	// Alerts lists recent alerts, newest first.
	Alerts(ctx context.Context, limit int) ([]Alert, error)
	// Open inserts the alert and its notices in one transaction; a rule
	// that already has an open alert opens none (ok false).
	Open(ctx context.Context, a Alert, ns []Notice) (Alert, bool, error)
	// Resolve marks the alert resolved and writes its notices.
	Resolve(ctx context.Context, id int64, at time.Time, ns []Notice) error
}

// Conditions reads the live state the rules watch.
type Conditions interface {
	UnassignedCount(ctx context.Context) (int64, error)
	// FirstResponseOverdue lists open tickets without a first response
	// whose first-response target has passed (up to limit numbers).
	FirstResponseOverdue(ctx context.Context, limit int) (int64, []string, error)
	// Unacknowledged lists P1 tickets created before `before` not yet
	// taken up (unassigned, or assigned and not started).
	Unacknowledged(ctx context.Context, priority string, before time.Time, limit int) (int64, []string, error)
}

// Mailboxes reports failing intake mailboxes (the app reads the mail
// processing log); when Deps.Mailboxes is nil mailbox rules never fire.
type Mailboxes interface {
	Failing(ctx context.Context) ([]string, error)
}

// Delivery sends an alert beyond the inbox (email, IM webhook). Optional.
type Delivery interface {
	Deliver(ctx context.Context, userID int64, kind string, params map[string]any) error
}

// Directory resolves recipients' logins.
type Directory interface {
	UserByLogin(ctx context.Context, login string) (identity.User, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Store      Store
	Conditions Conditions
	Mailboxes  Mailboxes
	Delivery   []Delivery
	Directory  Directory
	Now        func() time.Time
}

// Service manages rules and evaluates them.
type Service struct{ d Deps }

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Limits on rules.
const (
	MaxRules      = 50
	MaxRecipients = 20
	MaxThreshold  = 100000
	MaxForMinutes = 24 * 60
)

// Rules lists the rules (supervisors and admins).
func (s *Service) Rules(ctx context.Context, by identity.Actor) ([]Rule, error) {
	if !by.IsAdmin() && by.Role != identity.RoleSupervisor {
		return nil, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return s.d.Store.Rules(ctx)
}

// SaveRule creates (ID 0) or changes a rule (admins).
func (s *Service) SaveRule(ctx context.Context, by identity.Actor, r Rule) (Rule, error) {
	if !by.IsAdmin() {
		return Rule{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	var m apperr.Multi
	if !slices.Contains(Kinds, r.Kind) {
		m.Add(apperr.FieldError("alert.kind_invalid", "kind", map[string]any{"value": string(r.Kind)}))
	}
	if r.Threshold < 0 || r.Threshold > MaxThreshold {
		m.Add(apperr.FieldError("alert.threshold_invalid", "threshold", map[string]any{"max": MaxThreshold}))
	}
	if r.Kind == P1Unacknowledged && r.ForMinutes == 0 {
		r.ForMinutes = 15
	}
	if r.ForMinutes < 0 || r.ForMinutes > MaxForMinutes {
		m.Add(apperr.FieldError("alert.for_invalid", "for_minutes", map[string]any{"max": MaxForMinutes}))
	}
	if len(r.Logins) == 0 || len(r.Logins) > MaxRecipients {
		m.Add(apperr.FieldError("alert.recipients_invalid", "recipients", map[string]any{"max": MaxRecipients}))
	}
	r.Recipients = nil
	for _, l := range r.Logins {
		u, err := s.d.Directory.UserByLogin(ctx, l)
		if err != nil || !u.Role.Staff() {
			m.Add(apperr.FieldError("alert.recipient_unknown", "recipients", map[string]any{"login": l}))
			continue
		}
		r.Recipients = append(r.Recipients, u.ID)
	}
	if err := m.Err(); err != nil {
		return Rule{}, err
	}
	if r.ID == 0 {
		rs, err := s.d.Store.Rules(ctx)
		if err != nil {
			return Rule{}, err
		}
		if len(rs) >= MaxRules {
			return Rule{}, apperr.New(apperr.Conflict, "alert.too_many_rules").With("max", MaxRules)
		}
	}
	r.PendingSince, r.UpdatedAt = time.Time{}, s.d.Now().UTC()
	return s.d.Store.SaveRule(ctx, r)
}

// DeleteRule removes a rule and resolves its open alert (admins).
func (s *Service) DeleteRule(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return s.d.Store.DeleteRule(ctx, id)
}

// Alerts lists recent alerts (supervisors and admins).
func (s *Service) Alerts(ctx context.Context, by identity.Actor) ([]Alert, error) {
	if !by.IsAdmin() && by.Role != identity.RoleSupervisor {
		return nil, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return s.d.Store.Alerts(ctx, 200)
}

// condition evaluates one rule now: does it hold, and what to say.
func (s *Service) condition(ctx context.Context, r Rule, now time.Time) (bool, string, error) {
	switch r.Kind {
	case UnassignedBacklog:
		n, err := s.d.Conditions.UnassignedCount(ctx)
		return n > int64(r.Threshold), fmt.Sprintf("%d", n), err
	case FirstResponseOverdue:
		n, nums, err := s.d.Conditions.FirstResponseOverdue(ctx, 10)
		return n > int64(r.Threshold), fmt.Sprintf("%d %v", n, nums), err
	case P1Unacknowledged:
		n, nums, err := s.d.Conditions.Unacknowledged(ctx, "P1", now.Add(-time.Duration(r.ForMinutes)*time.Minute), 10)
		return n > int64(r.Threshold), fmt.Sprintf("%d %v", n, nums), err
	case MailboxFailing:
		if s.d.Mailboxes == nil {
			return false, "", nil
		}
		boxes, err := s.d.Mailboxes.Failing(ctx)
		return len(boxes) > r.Threshold, fmt.Sprintf("%v", boxes), err
	}
	return false, "", nil
}

// needsDuration reports whether the rule must hold ForMinutes before it
// opens (the backlog and mailbox rules; the P1 rule's minutes are the
// tickets' age instead).
func needsDuration(r Rule) bool {
	return (r.Kind == UnassignedBacklog || r.Kind == MailboxFailing) && r.ForMinutes > 0
}

// Evaluate checks every enabled rule: opens an alert (once) for a rule
// whose condition holds (long enough), resolves the open alert of one
// whose condition cleared. The job handler; safe to repeat.
func (s *Service) Evaluate(ctx context.Context) error {
	now := s.d.Now().UTC()
	rules, err := s.d.Store.Rules(ctx)
	if err != nil {
		return err
	}
	open, err := s.d.Store.OpenAlerts(ctx)
	if err != nil {
		return err
	}
	openBy := map[int64]Alert{}
	for _, a := range open {
		openBy[a.RuleID] = a
	}
	for _, r := range rules {
		holds, detail, err := s.condition(ctx, r, now)
		if err != nil {
			return err
		}
		holds = holds && r.Enabled
		a, isOpen := openBy[r.ID]
		switch {
		case holds && needsDuration(r) && r.PendingSince.IsZero():
			if err := s.d.Store.SetPending(ctx, r.ID, now); err != nil {
				return err
			}
			continue
		case holds && needsDuration(r) && now.Sub(r.PendingSince) < time.Duration(r.ForMinutes)*time.Minute:
			continue
		case !holds && !r.PendingSince.IsZero():
			if err := s.d.Store.SetPending(ctx, r.ID, time.Time{}); err != nil {
				return err
			}
		}
		switch {
		case holds && !isOpen:
			params := map[string]any{"rule": r.ID, "kind": string(r.Kind), "detail": detail}
			if _, ok, err := s.d.Store.Open(ctx, Alert{RuleID: r.ID, Kind: r.Kind, Detail: detail, OpenedAt: now}, notices(r, "alert.opened", params)); err != nil {
				return err
			} else if ok {
				s.deliver(ctx, r, "alert.opened", params)
			}
		case !holds && isOpen:
			params := map[string]any{"rule": r.ID, "kind": string(r.Kind)}
			if err := s.d.Store.Resolve(ctx, a.ID, now, notices(r, "alert.resolved", params)); err != nil {
				return err
			}
			s.deliver(ctx, r, "alert.resolved", params)
		}
	}
	return nil
}

func notices(r Rule, kind string, params map[string]any) []Notice {
	out := make([]Notice, len(r.Recipients))
	for i, id := range r.Recipients {
		out[i] = Notice{UserID: id, Kind: kind, Params: params}
	}
	return out
}

// deliver hands the alert to the extra channels; their failures do not
// undo the alert (the inbox has it).
func (s *Service) deliver(ctx context.Context, r Rule, kind string, params map[string]any) {
	for _, d := range s.d.Delivery {
		for _, id := range r.Recipients {
			d.Deliver(ctx, id, kind, params)
		}
	}
}
