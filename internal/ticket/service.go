package ticket

import (
	"context"
	"io"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/mask"
)

// Store is what the ticket service needs from persistence. Every mutation of
// a ticket is one ApplyChange call, which the store runs as one transaction.
type Store interface {
	CreateTicket(ctx context.Context, rec NewRecord) (t Ticket, replayed bool, err error)
	TicketByNumber(ctx context.Context, number string) (Ticket, error)
	ApplyChange(ctx context.Context, c Change) (Ticket, error)
	ListTickets(ctx context.Context, q Query) ([]Ticket, error)
	Messages(ctx context.Context, ticketID int64, withInternal bool) ([]Message, error)
	Events(ctx context.Context, ticketID int64, withInternal bool) ([]Event, error)
	Attachments(ctx context.Context, ticketID int64) ([]Attachment, error)
	AttachmentByID(ctx context.Context, ticketID, id int64) (Attachment, error)
	RemoteSessions(ctx context.Context, ticketID int64) ([]RemoteSession, error)
	Followups(ctx context.Context, ticketID int64) ([]Followup, error)
	// ScheduleTimers schedules (or moves) timers outside any ticket change.
	ScheduleTimers(ctx context.Context, timers ...Timer) error

	Categories(ctx context.Context) ([]Category, error)
	CategoryByKey(ctx context.Context, key string) (Category, error)
	CategoryByID(ctx context.Context, id int64) (Category, error)
	CreateCategory(ctx context.Context, c Category) (Category, error)
	UpdateCategory(ctx context.Context, c Category) (Category, error)
}

// Directory resolves people and groups named in requests.
type Directory interface {
	UserByLogin(ctx context.Context, login string) (identity.User, error)
	UserByID(ctx context.Context, id int64) (identity.User, error)
	GroupByKey(ctx context.Context, key string) (identity.Group, error)
	// GroupSupervisors lists the ids of a group's active supervisors.
	GroupSupervisors(ctx context.Context, groupID int64) ([]int64, error)
}

// Blobs stores attachment content by its SHA-256.
type Blobs interface {
	// Put stores r's content and returns its hex SHA-256 and size. It fails
	// without leaving anything behind if reading r fails.
	Put(ctx context.Context, r io.Reader) (digest string, size int64, err error)
	Open(ctx context.Context, digest string) (io.ReadSeekCloser, error)
}

// NewRecord is a ticket to insert, with its first history events.
type NewRecord struct {
	Ticket Ticket
	// Day is the date part of the number (20261122), in the site time zone.
	Day    string
	Events []Event
	// IdempotencyKey, when set, makes a retried creation by the same user
	// (CreatedBy) return the first ticket instead of a new one.
	IdempotencyKey string
	CreatedBy      int64
	// Timers, when set, gives the timers to schedule with the new ticket;
	// the store calls it once the ticket has its id and number.
	Timers func(t Ticket) []Timer
}

// Change is one atomic change of a ticket: its new field values, the
// history it writes, and optionally a message or an attachment.
type Change struct {
	Ticket        Ticket
	ExpectVersion int
	Events        []Event
	Message       *Message
	Attachment    *Attachment
	Rating        *Rating
	Followup      *Followup
	// Remote is inserted when its ID is zero, updated otherwise.
	Remote  *RemoteSession
	Notices []Notice
	// Timers are durable jobs to schedule (or move, by key) with the change;
	// CancelTimers are keys of jobs the change makes moot.
	Timers       []Timer
	CancelTimers []string
}

// Notice is an in-site notification written with the change it announces.
type Notice struct {
	UserID int64
	Kind   string
	Params map[string]any
}

// Timer is a durable job scheduled in the transaction of a change: it fires
// at At on whichever node takes it. Scheduling an existing key moves it.
type Timer struct {
	Key     string
	Kind    string
	At      time.Time
	Payload map[string]any
}

// Limits are the configurable input limits.
type Limits struct {
	MaxAttachmentBytes int64
	// AttachmentTypes are the accepted kinds: jpg, png, pdf, log, txt.
	AttachmentTypes []string
}

// Deps are the ticket service's collaborators.
type Deps struct {
	Store     Store
	Directory Directory
	Blobs     Blobs
	Now       func() time.Time
	// Location is the site time zone; ticket numbers use its date.
	Location *time.Location
	Limits   Limits
	// LimitStore, when set, holds the limits an admin saved, which
	// override Limits (see AttachmentLimits).
	LimitStore LimitStore
	// Periods are the automatic steps of the lifecycle.
	Periods Periods
	// SLA, when set, runs SLA clocks on every ticket.
	SLA SLAProvider
	// Router, when set, routes new tickets; otherwise they go to their
	// category's group, unassigned.
	Router Router
	// UnassignOnAckBreach returns a ticket to its group's queue when the
	// assignee misses the acknowledgement deadline.
	UnassignOnAckBreach bool
	// Announcer, when set, adds the outbound notifications of every change
	// (email, IM, webhooks) as timers of the change itself: see announce.go.
	Announcer Announcer
}

// Periods configures the lifecycle's automatic steps.
type Periods struct {
	// AutoConfirm: a proposed solution nobody answers is confirmed after this (default 72 h).
	AutoConfirm time.Duration
	// AutoClose: a resolved ticket closes after this (default 7 days).
	AutoClose time.Duration
}

// Service runs the ticket use cases.
type Service struct {
	store  Store
	dir    Directory
	blobs  Blobs
	now    func() time.Time
	loc    *time.Location
	limits Limits
	period Periods
	sla    SLAProvider
	router Router
	// unassignOnAckBreach: see Deps.UnassignOnAckBreach.
	unassignOnAckBreach bool
	// limitStore: see Deps.LimitStore.
	limitStore LimitStore
	announcer  Announcer
}

// NewService builds the ticket service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.Limits.MaxAttachmentBytes == 0 {
		d.Limits.MaxAttachmentBytes = 10 << 20
	}
	if len(d.Limits.AttachmentTypes) == 0 {
		d.Limits.AttachmentTypes = DefaultAttachmentTypes
	}
	if d.Periods.AutoConfirm <= 0 {
		d.Periods.AutoConfirm = 72 * time.Hour
	}
	if d.Periods.AutoClose <= 0 {
		d.Periods.AutoClose = 7 * 24 * time.Hour
	}
	return &Service{store: d.Store, dir: d.Directory, blobs: d.Blobs, now: d.Now, loc: d.Location, limits: d.Limits,
		limitStore: d.LimitStore, period: d.Periods, sla: d.SLA, router: d.Router, unassignOnAckBreach: d.UnassignOnAckBreach,
		announcer: d.Announcer}
}

// Limits on ticket text.
const (
	MaxTitleLen       = 200
	MaxDescriptionLen = 20000
	MaxBodyLen        = 20000
	MaxCommentLen     = 2000
	MaxIdempotencyKey = 200
)

// errNotFound is what a caller gets for a ticket that does not exist and
// for one they may not see: the two must be indistinguishable.
func errNotFound(number string) error {
	return apperr.NotFoundf("ticket.not_found", "ticket %q", number)
}

func errForbidden(code string) error { return apperr.New(apperr.Forbidden, code) }

// load fetches a ticket the actor may see, with the actor's relation to it.
func (s *Service) load(ctx context.Context, by identity.Actor, number string) (Ticket, Relation, error) {
	t, err := s.store.TicketByNumber(ctx, strings.TrimSpace(number))
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return Ticket{}, 0, errNotFound(number)
		}
		return Ticket{}, 0, err
	}
	rel := RelationOf(by, t)
	if !Can(rel, ActView) {
		return Ticket{}, 0, errNotFound(number)
	}
	return t, rel, nil
}

// present returns the ticket as the actor may see it: contact data masked
// unless the actor's relation needs it in full.
func present(rel Relation, t Ticket) Ticket {
	if !Can(rel, ActSeeContact) {
		t.ContactPhone = mask.Phone(t.ContactPhone)
		t.ContactEmail = mask.Email(t.ContactEmail)
	}
	return t
}

// Get returns one ticket.
func (s *Service) Get(ctx context.Context, by identity.Actor, number string) (Ticket, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return Ticket{}, err
	}
	return s.view(ctx, rel, t), nil
}

// event builds a history event stamped with the actor and time.
func (s *Service) event(by identity.Actor, at time.Time, kind EventKind, field, from, to string) Event {
	actor := by.Login
	if by.System && actor == "" {
		actor = "system"
	}
	return Event{ActorID: by.UserID, Actor: actor, Kind: kind, Field: field, From: from, To: to, At: at}
}

// apply runs a read-modify-write of one ticket. When the caller named the
// version they edited (If-Match) a concurrent change fails with 412; for
// internal writes (a reply bumping updated_at) the change is retried on the
// fresh ticket, so concurrent replies never fail.
func (s *Service) apply(ctx context.Context, by identity.Actor, number string, ifVersion int,
	build func(t *Ticket, rel Relation, now time.Time) (Change, error)) (Ticket, error) {
	for attempt := 0; ; attempt++ {
		t, rel, err := s.load(ctx, by, number)
		if err != nil {
			return Ticket{}, err
		}
		if ifVersion != 0 && t.Version != ifVersion {
			return Ticket{}, versionMismatch(t.Version)
		}
		now := s.now().UTC()
		next := t
		c, err := build(&next, rel, now)
		if err != nil {
			return Ticket{}, err
		}
		if err := s.slaChange(ctx, by, t, &next, now, &c); err != nil {
			return Ticket{}, err
		}
		if len(c.Events) == 0 && c.Message == nil && c.Attachment == nil && c.Rating == nil && c.Remote == nil &&
			c.Followup == nil && len(c.Timers) == 0 && len(c.CancelTimers) == 0 {
			return s.view(ctx, rel, t), nil // nothing changed
		}
		next.UpdatedAt = now
		if next.Status != t.Status {
			s.statusTimers(&next, t.Status, now, &c)
		}
		c.Ticket = next
		c.ExpectVersion = t.Version
		for i := range c.Events {
			c.Events[i].TicketID = t.ID
		}
		s.announce(t, &c) // outbound notifications, in this change's transaction (announce.go)
		got, err := s.store.ApplyChange(ctx, c)
		if apperr.Is(err, codeVersionMismatch) {
			// Each mismatch means another change committed, so a retry
			// loses at most once per concurrent writer; the cap only
			// guards against a store that never matches.
			if ifVersion != 0 || attempt >= maxApplyAttempts {
				return Ticket{}, versionMismatch(0)
			}
			continue
		}
		if err != nil {
			return Ticket{}, err
		}
		return s.view(ctx, RelationOf(by, got), got), nil
	}
}

// maxApplyAttempts bounds the retries of an internal write that keeps
// meeting concurrent changes of the same ticket.
const maxApplyAttempts = 100

const codeVersionMismatch = "ticket.version_mismatch"

func versionMismatch(current int) error {
	e := apperr.New(apperr.PreconditionFailed, codeVersionMismatch)
	if current != 0 {
		e = e.With("version", current)
	}
	return e
}

// CodeVersionMismatch is the code a store returns when a ticket changed
// since it was read.
const CodeVersionMismatch = codeVersionMismatch
