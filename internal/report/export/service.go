package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/ticket"
)

// State is where an export job is.
type State string

// The states of an export.
const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
)

// JobKind is the durable job that writes an export's file.
const JobKind = "report.export"

// KindTickets is the export of a filtered ticket list.
const KindTickets = "tickets"

// Record is one export and its progress.
type Record struct {
	ID     int64
	UserID int64
	Kind   string
	Format Format
	Lang   string
	// Params is the ticket filter the export was asked with.
	Params TicketParams
	State  State
	// RowsDone counts rows written; Progress is the share done, 0–1.
	RowsDone  int64
	Progress  float64
	File      string
	Size      int64
	Error     string
	CreatedAt time.Time
	// FinishedAt is set when the export is done or failed.
	FinishedAt time.Time
}

// TicketParams filter the exported tickets: created in [From, To), plus
// the listing's own filters.
type TicketParams struct {
	From, To   time.Time
	Statuses   []string
	Priorities []string
	Category   string
	Group      string
	Assignee   string
}

// Store keeps export records.
type Store interface {
	// CreateExport inserts the record and schedules its job in one transaction.
	CreateExport(ctx context.Context, r Record) (Record, error)
	Export(ctx context.Context, id int64) (Record, error)
	SaveExport(ctx context.Context, r Record) error
}

// Tickets lists tickets as a caller sees them (their scope, contact data
// masked as their relation to each ticket requires).
type Tickets interface {
	List(ctx context.Context, by identity.Actor, in ticket.ListInput) (ticket.Page, error)
}

// Users finds the user an export runs for.
type Users interface {
	UserByID(ctx context.Context, id int64) (identity.User, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Store   Store
	Tickets Tickets
	Users   Users
	// Dir is where files are written.
	Dir string
	// Label translates a catalog key into lang.
	Label func(lang, key string) string
	Loc   *time.Location
	Now   func() time.Time
}

// Service runs exports.
type Service struct{ d Deps }

// NewService builds the service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Loc == nil {
		d.Loc = time.UTC
	}
	return &Service{d: d}
}

// MaxTicketDays bounds the period of a ticket export.
const MaxTicketDays = report.MaxDays

// StartTickets queues the export of the tickets the caller may list.
// Staff only: customers read their tickets on the portal.
func (s *Service) StartTickets(ctx context.Context, by identity.Actor, p TicketParams, f Format, lang string) (Record, error) {
	if !by.Role.Staff() {
		return Record{}, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if !f.Valid() {
		return Record{}, apperr.FieldError("export.format_invalid", "format", map[string]any{"value": string(f)})
	}
	if p.From.IsZero() || p.To.IsZero() || !p.To.After(p.From) {
		return Record{}, apperr.FieldError("report.period_reversed", "to", nil)
	}
	if p.To.Sub(p.From) > MaxTicketDays*24*time.Hour {
		return Record{}, apperr.FieldError("report.period_too_long", "to", map[string]any{"max": MaxTicketDays})
	}
	return s.d.Store.CreateExport(ctx, Record{UserID: by.UserID, Kind: KindTickets, Format: f, Lang: lang, Params: p,
		State: Queued, CreatedAt: s.d.Now().UTC()})
}

// Get returns an export to its owner (or an admin).
func (s *Service) Get(ctx context.Context, by identity.Actor, id int64) (Record, error) {
	r, err := s.d.Store.Export(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if r.UserID != by.UserID && !by.IsAdmin() {
		return Record{}, apperr.New(apperr.NotFound, "export.not_found")
	}
	return r, nil
}

// Open opens a finished export's file for its owner.
func (s *Service) Open(ctx context.Context, by identity.Actor, id int64) (Record, *os.File, error) {
	r, err := s.Get(ctx, by, id)
	if err != nil {
		return r, nil, err
	}
	if r.State != Done {
		return r, nil, apperr.New(apperr.Conflict, "export.not_ready")
	}
	fh, err := os.Open(filepath.Join(s.d.Dir, r.File))
	if err != nil {
		return r, nil, fmt.Errorf("export %d: %w", id, err)
	}
	return r, fh, nil
}

// ticketColumns are the columns of a ticket export.
var ticketColumns = []struct {
	key  string
	kind report.Kind
}{{"report.col.number", report.Text}, {"report.col.title", report.Text}, {"report.col.status", report.Text},
	{"report.col.priority", report.Text}, {"report.col.category", report.Text}, {"report.col.group", report.Text},
	{"report.col.agent", report.Text}, {"report.col.requester", report.Text}, {"report.col.org", report.Text},
	{"report.col.phone", report.Text}, {"report.col.email", report.Text}, {"report.col.created_at", report.Time},
	{"report.col.first_response_at", report.Time}, {"report.col.resolved_at", report.Time}, {"report.col.closed_at", report.Time}}

// Run writes an export's file: the job handler. The caller's listing is
// read page by page (oldest first) and streamed into the file, with the
// progress saved after every page. A rerun starts the file over.
func (s *Service) Run(ctx context.Context, id int64) error {
	r, err := s.d.Store.Export(ctx, id)
	if err != nil {
		return err
	}
	if r.State == Done || r.State == Failed {
		return nil
	}
	u, err := s.d.Users.UserByID(ctx, r.UserID)
	if err != nil {
		return err
	}
	by := identity.ActorOf(u)
	r.State, r.RowsDone, r.Progress = Running, 0, 0
	if err := s.d.Store.SaveExport(ctx, r); err != nil {
		return err
	}
	if err := os.MkdirAll(s.d.Dir, 0o750); err != nil {
		return err
	}
	name := fmt.Sprintf("export-%d.%s", r.ID, r.Format)
	tmp := filepath.Join(s.d.Dir, name+".part")
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	label := func(k report.Label) string { return s.d.Label(r.Lang, string(k)) }
	sheet := Sheet{Name: label("report.export.tickets"), Label: label, Loc: s.d.Loc}
	for _, c := range ticketColumns {
		sheet.Headers = append(sheet.Headers, label(report.Label(c.key)))
		sheet.Kinds = append(sheet.Kinds, c.kind)
	}
	p := r.Params
	span := p.To.Sub(p.From)
	sheet.Rows = func(emit func([]any) error) error {
		in := ticket.ListInput{Statuses: p.Statuses, Priorities: p.Priorities, Category: p.Category, Group: p.Group,
			Assignee: p.Assignee, CreatedFrom: p.From, CreatedTo: p.To, Sort: "created_at", Order: "asc", Limit: ticket.MaxPageSize}
		for {
			page, err := s.d.Tickets.List(ctx, by, in)
			if err != nil {
				return err
			}
			for _, t := range page.Tickets {
				if err := emit([]any{t.Number, t.Title, label(report.Label("status." + string(t.Status))), string(t.Priority),
					t.CategoryKey, t.GroupKey, t.Assignee, t.Requester, t.OrgName, t.ContactPhone, t.ContactEmail,
					t.CreatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt}); err != nil {
					return err
				}
				r.RowsDone++
			}
			if n := len(page.Tickets); n > 0 && span > 0 {
				r.Progress = min(0.99, float64(page.Tickets[n-1].CreatedAt.Sub(p.From))/float64(span))
			}
			if err := s.d.Store.SaveExport(ctx, r); err != nil {
				return err
			}
			if page.Next == "" {
				return nil
			}
			in.Cursor = page.Next
		}
	}
	werr := Write(fh, r.Format, sheet)
	cerr := fh.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, filepath.Join(s.d.Dir, name))
	}
	if werr != nil {
		os.Remove(tmp)
		if e, ok := apperr.As(werr); ok {
			// The caller lost access or the filter is no longer valid: final.
			r.State, r.Error, r.FinishedAt = Failed, e.Code, s.d.Now().UTC()
			return s.d.Store.SaveExport(ctx, r)
		}
		return werr
	}
	st, _ := os.Stat(filepath.Join(s.d.Dir, name))
	if st != nil {
		r.Size = st.Size()
	}
	r.State, r.File, r.Progress, r.FinishedAt = Done, name, 1, s.d.Now().UTC()
	return s.d.Store.SaveExport(ctx, r)
}
