package report

import (
	"context"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
)

// Store reads the rollups and facts.
type Store interface {
	// Cells sums the cells of the tickets passing f, by day in [from, to).
	Cells(ctx context.Context, from, to int32, f Filter) (map[int32]*Cell, error)
	// OpenBefore is the backlog at the start of day: the net of every
	// earlier day for tickets passing f.
	OpenBefore(ctx context.Context, day int32, f Filter) (int64, error)
	// CellsBy sums the period's cells per value of dim (agent or group).
	CellsBy(ctx context.Context, dim Dim, from, to int32, f Filter) (map[int64]*Cell, error)
	// OpenBy counts open tickets now per value of dim (agent or group).
	OpenBy(ctx context.Context, dim Dim, f Filter) (map[int64]int64, error)
	// Names returns display names of dim values (logins, group keys).
	Names(ctx context.Context, dim Dim) (map[int64]string, error)
	// Breaches lists breaches of tickets created in [from, to), oldest first.
	Breaches(ctx context.Context, from, to time.Time, f Filter, limit int) ([]BreachRow, error)
}

// Deflections counts questions the knowledge base answered without a
// ticket. Without one (Deps.Deflections nil), or when it answers -1 for a
// filter it cannot apply, the figure is reported as not available.
type Deflections interface {
	Deflected(ctx context.Context, from, to time.Time, f Filter) (int64, error)
}

// Directory resolves the filter's keys and logins.
type Directory interface {
	UserByLogin(ctx context.Context, login string) (identity.User, error)
	GroupByKey(ctx context.Context, key string) (identity.Group, error)
	OrgByName(ctx context.Context, name string) (identity.Org, error)
}

// Categories resolves category keys.
type Categories interface {
	CategoryID(ctx context.Context, key string) (int64, error)
}

// Calendars gives the SLA calendar a ticket's working time is measured on.
type Calendars interface {
	CalendarByKey(ctx context.Context, key string) (sla.Calendar, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Store       Store
	Refresh     RefreshStore
	Directory   Directory
	Categories  Categories
	Calendars   Calendars
	Deflections Deflections
	// Ops reads the live state for the dashboard.
	Ops OpsStore
	// Policies gives staffing its first-response targets.
	Policies Policies
	Location *time.Location
	Now      func() time.Time
}

// Service answers report queries for supervisors and admins.
type Service struct {
	d   Deps
	loc *time.Location
	now func() time.Time
}

// NewService builds the service.
func NewService(d Deps) *Service {
	s := &Service{d: d, loc: d.Location, now: d.Now}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Location is the site time zone the reports count days in.
func (s *Service) Location() *time.Location { return s.loc }

// CanRead reports whether the actor may read reports: supervisors and admins.
func CanRead(by identity.Actor) bool {
	return by.System || by.Role == identity.RoleSupervisor || by.Role == identity.RoleAdmin
}

func (s *Service) allowed(by identity.Actor) error {
	if !CanRead(by) {
		return apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	return nil
}

// FilterKeys names a filter as a person writes it: keys and logins.
type FilterKeys struct {
	Group, Agent, Category, Org string
	Priority, Channel           string
}

// Resolve checks the period and turns keys into ids.
func (s *Service) Resolve(ctx context.Context, by identity.Actor, from, to string, k FilterKeys, iv Interval) (Query, error) {
	if err := s.allowed(by); err != nil {
		return Query{}, err
	}
	f := Filter{Priority: k.Priority, Channel: k.Channel}
	var m apperr.Multi
	if k.Group != "" {
		g, err := s.d.Directory.GroupByKey(ctx, k.Group)
		if err != nil {
			m.Add(apperr.FieldError("report.group_unknown", "group", map[string]any{"value": k.Group}))
		}
		f.Group = g.ID
	}
	if k.Agent != "" {
		u, err := s.d.Directory.UserByLogin(ctx, k.Agent)
		if err != nil || !u.Role.Staff() {
			m.Add(apperr.FieldError("report.agent_unknown", "agent", map[string]any{"value": k.Agent}))
		}
		f.Agent = u.ID
	}
	if k.Org != "" {
		o, err := s.d.Directory.OrgByName(ctx, k.Org)
		if err != nil {
			m.Add(apperr.FieldError("report.org_unknown", "org", map[string]any{"value": k.Org}))
		}
		f.Org = o.ID
	}
	if k.Category != "" {
		id, err := s.d.Categories.CategoryID(ctx, k.Category)
		if err != nil {
			m.Add(apperr.FieldError("report.category_unknown", "category", map[string]any{"value": k.Category}))
		}
		f.Category = id
	}
	if err := m.Err(); err != nil {
		return Query{}, err
	}
	return NewQuery(s.loc, from, to, f, iv)
}

func (s *Service) period(ctx context.Context, q Query) (Period, error) {
	from, to := q.Days()
	days, err := s.d.Store.Cells(ctx, from, to, q.Filter)
	if err != nil {
		return Period{}, err
	}
	return Period{Query: q, Loc: s.loc, Days: days}, nil
}

// Volume reports created, resolved, closed and reopened tickets and the
// backlog over the period.
func (s *Service) Volume(ctx context.Context, by identity.Actor, q Query) (Volume, error) {
	if err := s.allowed(by); err != nil {
		return Volume{}, err
	}
	p, err := s.period(ctx, q)
	if err != nil {
		return Volume{}, err
	}
	from, _ := q.Days()
	open, err := s.d.Store.OpenBefore(ctx, from, q.Filter)
	if err != nil {
		return Volume{}, err
	}
	return VolumeOf(p, open), nil
}

// Times reports first response and resolution times.
func (s *Service) Times(ctx context.Context, by identity.Actor, q Query) (Times, error) {
	if err := s.allowed(by); err != nil {
		return Times{}, err
	}
	p, err := s.period(ctx, q)
	if err != nil {
		return Times{}, err
	}
	return TimesOf(p.Total()), nil
}

// SLA reports compliance per target and the breaches.
func (s *Service) SLA(ctx context.Context, by identity.Actor, q Query) (SLA, error) {
	if err := s.allowed(by); err != nil {
		return SLA{}, err
	}
	p, err := s.period(ctx, q)
	if err != nil {
		return SLA{}, err
	}
	out := SLAOf(p.Total())
	rows, err := s.d.Store.Breaches(ctx, q.From, q.To, q.Filter, MaxBreaches+1)
	if err != nil {
		return SLA{}, err
	}
	if len(rows) > MaxBreaches {
		rows, out.More = rows[:MaxBreaches], true
	}
	out.Breaches = rows
	return out, nil
}

// Rates reports resolution, first-contact, reopen, escalation and
// deflection rates.
func (s *Service) Rates(ctx context.Context, by identity.Actor, q Query) (Rates, error) {
	if err := s.allowed(by); err != nil {
		return Rates{}, err
	}
	p, err := s.period(ctx, q)
	if err != nil {
		return Rates{}, err
	}
	deflected := int64(-1)
	if s.d.Deflections != nil {
		if deflected, err = s.d.Deflections.Deflected(ctx, q.From, q.To, q.Filter); err != nil {
			return Rates{}, err
		}
	}
	return RatesOf(p.Total(), deflected), nil
}

// Satisfaction reports ratings, CSAT, response rate and follow-ups.
func (s *Service) Satisfaction(ctx context.Context, by identity.Actor, q Query) (Satisfaction, error) {
	if err := s.allowed(by); err != nil {
		return Satisfaction{}, err
	}
	p, err := s.period(ctx, q)
	if err != nil {
		return Satisfaction{}, err
	}
	return SatisfactionOf(p.Total()), nil
}

// Team reports per agent (dim DimAgent) or per group (DimGroup).
func (s *Service) Team(ctx context.Context, by identity.Actor, q Query, dim Dim) ([]Member, error) {
	if err := s.allowed(by); err != nil {
		return nil, err
	}
	if dim != DimAgent && dim != DimGroup {
		return nil, apperr.FieldError("report.dim_invalid", "by", map[string]any{"value": string(dim)})
	}
	from, to := q.Days()
	cells, err := s.d.Store.CellsBy(ctx, dim, from, to, q.Filter)
	if err != nil {
		return nil, err
	}
	open, err := s.d.Store.OpenBy(ctx, dim, q.Filter)
	if err != nil {
		return nil, err
	}
	names, err := s.d.Store.Names(ctx, dim)
	if err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	for id := range cells {
		ids[id] = true
	}
	for id := range open {
		ids[id] = true
	}
	var out []Member
	for id := range ids {
		if id == 0 {
			continue // unassigned / no group
		}
		c := cells[id]
		if c == nil {
			c = &Cell{}
		}
		out = append(out, MemberOf(id, names[id], *c, open[id]))
	}
	SortMembers(out)
	return out, nil
}

// Exportable lists the reports that download as tables (CSV, XLSX), in the
// order the pages show them.
var Exportable = []string{"volume", "times", "sla", "rates", "satisfaction", "agents", "groups", "staffing", "arrivals"}

// Tables computes report name (one of Exportable) and returns the tables it
// exports: one per report, two for sla (compliance, then breaches) and for
// staffing (hours, then the assumptions; in says what to assume, and only
// staffing reads it). The JSON API and the web pages export through it, so
// they export the same.
func (s *Service) Tables(ctx context.Context, by identity.Actor, name string, q Query, in StaffingInput) ([]Table, error) {
	switch name {
	case "staffing":
		v, err := s.Staffing(ctx, by, q, in)
		return []Table{v.Table(), v.AssumptionTable()}, err
	case "arrivals":
		m, err := s.Arrivals(ctx, by, q)
		return []Table{ArrivalTable(m)}, err
	case "volume":
		v, err := s.Volume(ctx, by, q)
		return []Table{v.Table()}, err
	case "times":
		v, err := s.Times(ctx, by, q)
		return []Table{v.Table()}, err
	case "sla":
		v, err := s.SLA(ctx, by, q)
		return []Table{v.Table(), v.BreachTable()}, err
	case "rates":
		v, err := s.Rates(ctx, by, q)
		return []Table{v.Table()}, err
	case "satisfaction":
		v, err := s.Satisfaction(ctx, by, q)
		return []Table{v.Table()}, err
	case "agents", "groups":
		dim := DimAgent
		if name == "groups" {
			dim = DimGroup
		}
		v, err := s.Team(ctx, by, q, dim)
		return []Table{TeamTable(dim, v)}, err
	}
	return nil, apperr.NotFoundf("report.not_found", "report %q", name)
}
