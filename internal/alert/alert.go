// Package alert owns operational alerts: rules admins set (a backlog of
// unassigned tickets above N for M minutes, any ticket without a first
// response past its target, any P1 unacknowledged for 15 minutes, an
// intake mailbox failing), evaluated by a scheduled durable job. An alert
// opens once per rule while its condition holds (deduplicated), tells the
// rule's recipients on the rule's channels (the in-site inbox directly;
// email and IM robots through the durable job an Announcer adds to the same
// transaction), and resolves itself when the condition clears.
package alert

import (
	"context"
	"fmt"
	"slices"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
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

// Channel is a way an alert reaches people.
type Channel string

// The channels of an alert.
const (
	ChannelInbox Channel = "inbox" // in-site message to each recipient
	ChannelEmail Channel = "email" // email to each recipient, in their language
	ChannelIM    Channel = "im"    // the IM robots subscribed to alert events
)

// Channels lists the channels.
var Channels = []Channel{ChannelInbox, ChannelEmail, ChannelIM}

// The events of an alert, as notices and IM robot subscriptions name them.
const (
	EventOpened   = "alert.opened"
	EventResolved = "alert.resolved"
)

// Rule is one alert rule.
type Rule struct {
	ID         int64
	Kind       Kind
	Threshold  int
	ForMinutes int
	// Recipients are the users told, by id; Logins names them for people.
	Recipients []int64
	Logins     []string
	// Channels are the ways recipients are told; empty means all of them
	// (each as far as the recipient has it enabled).
	Channels []Channel
	Enabled  bool
	// PendingSince is when the condition was first seen holding, for rules
	// that must hold for a while; zero when it does not hold.
	PendingSince time.Time
	UpdatedAt    time.Time
}

// Uses reports whether the rule tells its recipients on channel c.
func (r Rule) Uses(c Channel) bool {
	return len(r.Channels) == 0 || slices.Contains(r.Channels, c)
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
	// Open inserts the alert, its notices and the jobs out returns for it
	// (its ID set; out may be nil) in one transaction; a rule that already
	// has an open alert opens none (ok false) and writes nothing.
	Open(ctx context.Context, a Alert, ns []Notice, out Outbox) (Alert, bool, error)
	// Resolve marks the alert resolved and writes its notices and the jobs
	// out returns, in one transaction; an alert resolved already writes
	// nothing.
	Resolve(ctx context.Context, a Alert, at time.Time, ns []Notice, out Outbox) error
}

// Outbox returns the durable jobs that deliver an alert event beyond the
// inbox; the store calls it inside the transaction of the change, once the
// alert has its ID.
type Outbox func(a Alert) ([]job.Job, error)

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

// Event is an alert opening or resolving, as the Announcer sees it.
type Event struct {
	Name  string // EventOpened, EventResolved
	Alert Alert
	Rule  Rule
	At    time.Time
}

// Announcer turns an alert event into the durable jobs that deliver it by
// email and IM (the outbox: they are written with the change, keyed so each
// is sent once however often the evaluation runs). Optional: without one
// alerts reach the inbox only.
type Announcer interface {
	Announce(e Event) ([]job.Job, error)
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
	Announcer  Announcer
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
	var chans []Channel
	for _, c := range r.Channels {
		if !slices.Contains(Channels, c) {
			m.Add(apperr.FieldError("alert.channel_invalid", "channels", map[string]any{"value": string(c)}))
		} else if !slices.Contains(chans, c) {
			chans = append(chans, c)
		}
	}
	if len(chans) == len(Channels) {
		chans = nil // all of them, as when none is named
	}
	r.Channels = chans
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
			a := Alert{RuleID: r.ID, Kind: r.Kind, Detail: detail, OpenedAt: now}
			if _, _, err := s.d.Store.Open(ctx, a, notices(r, EventOpened, params), s.outbox(r, EventOpened, now)); err != nil {
				return err
			}
		case !holds && isOpen:
			params := map[string]any{"rule": r.ID, "kind": string(r.Kind)}
			if err := s.d.Store.Resolve(ctx, a, now, notices(r, EventResolved, params), s.outbox(r, EventResolved, now)); err != nil {
				return err
			}
		}
	}
	return nil
}

// notices are the in-site messages of an event, when the rule uses the inbox.
func notices(r Rule, kind string, params map[string]any) []Notice {
	if !r.Uses(ChannelInbox) {
		return nil
	}
	out := make([]Notice, len(r.Recipients))
	for i, id := range r.Recipients {
		out[i] = Notice{UserID: id, Kind: kind, Params: params}
	}
	return out
}

// outbox asks the Announcer for the event's delivery jobs, when there is
// one and the rule uses a channel beyond the inbox.
func (s *Service) outbox(r Rule, name string, at time.Time) Outbox {
	if s.d.Announcer == nil || (!r.Uses(ChannelEmail) && !r.Uses(ChannelIM)) {
		return nil
	}
	return func(a Alert) ([]job.Job, error) {
		return s.d.Announcer.Announce(Event{Name: name, Alert: a, Rule: r, At: at})
	}
}
