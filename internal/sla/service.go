package sla

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Store is what the SLA service needs from persistence. Every change of a
// calendar or policy bumps one version counter in the same transaction.
type Store interface {
	// Version returns the current value of the change counter.
	Version(ctx context.Context) (int64, error)
	// Snapshot returns every calendar and policy, with the counter read
	// before them (so the data is at least as new as the version says).
	Snapshot(ctx context.Context) (Snapshot, error)
	// SaveCalendar creates a calendar (Revision 0) or replaces one whose
	// stored revision is c.Revision, with its special days, and returns it
	// with its new revision. A stale revision is sla.calendar_changed, a
	// taken key on creation sla.calendar_exists.
	SaveCalendar(ctx context.Context, c Calendar) (Calendar, error)
	// SavePolicy replaces the policy of p.Priority.
	SavePolicy(ctx context.Context, p Policy) (Policy, error)
}

// Snapshot is every calendar and policy at one version.
type Snapshot struct {
	Version   int64
	Calendars []Calendar
	Policies  []Policy
}

// Deps are the service's collaborators.
type Deps struct {
	Store Store
	// Now is the clock; tests pass a fixed one.
	Now func() time.Time
}

// Service runs the SLA use cases: admins edit calendars and policies,
// ticket code asks for the policy of a priority.
//
// Calendars and policies change rarely and are read on every ticket
// creation, so the service serves them from an in-memory snapshot. Before
// each use it reads the version counter (one indexed single-row query, a
// few microseconds on SQLite) and reloads the snapshot only when the
// counter moved. Any node's change is therefore seen by every node on its
// next call, with no cache expiry to tune and no stale window; a time-based
// cache would save the one query but let nodes disagree for its lifetime.
type Service struct {
	store Store
	now   func() time.Time
	// mu serialises reloads so concurrent callers do not load the same
	// snapshot several times.
	mu  sync.Mutex
	cur atomic.Pointer[cache]
}

// cache is a snapshot prepared for use: calendars compiled, by key.
type cache struct {
	version   int64
	calendars map[string]Calendar
	keys      []string
	policies  map[string]Policy
}

// NewService builds the SLA service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, now: d.Now}
}

// fresh returns the snapshot, reloaded if the version counter moved.
func (s *Service) fresh(ctx context.Context) (*cache, error) {
	v, err := s.store.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("sla: version: %w", err)
	}
	if c := s.cur.Load(); c != nil && c.version == v {
		return c, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.cur.Load(); c != nil && c.version >= v {
		return c, nil
	}
	snap, err := s.store.Snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("sla: load: %w", err)
	}
	c := &cache{version: snap.Version, calendars: map[string]Calendar{}, policies: map[string]Policy{}}
	for _, cal := range snap.Calendars {
		cc, err := cal.Compile()
		if err != nil {
			return nil, fmt.Errorf("sla: calendar %s: %w", cal.Key, err)
		}
		c.calendars[cal.Key] = cc
		c.keys = append(c.keys, cal.Key)
	}
	slices.Sort(c.keys)
	for _, p := range snap.Policies {
		c.policies[p.Priority] = p
	}
	s.cur.Store(c)
	return c, nil
}

// ForPriority returns the policy of a ticket priority and its calendar,
// compiled. It is meant for the ticket service (no permission check) and
// costs one cheap query while nothing changes.
func (s *Service) ForPriority(ctx context.Context, priority string) (Policy, Calendar, error) {
	c, err := s.fresh(ctx)
	if err != nil {
		return Policy{}, Calendar{}, err
	}
	p, ok := c.policies[priority]
	if !ok {
		return Policy{}, Calendar{}, apperr.FieldError("sla.priority_invalid", "priority", map[string]any{"priority": priority})
	}
	cal, ok := c.calendars[p.Calendar]
	if !ok {
		return Policy{}, Calendar{}, fmt.Errorf("sla: policy %s names missing calendar %q", priority, p.Calendar)
	}
	return p, cal, nil
}

// CalendarByKey returns a compiled calendar for internal callers (no
// permission check), such as ticket code moving clocks that run on it.
func (s *Service) CalendarByKey(ctx context.Context, key string) (Calendar, error) {
	c, err := s.fresh(ctx)
	if err != nil {
		return Calendar{}, err
	}
	cal, ok := c.calendars[key]
	if !ok {
		return Calendar{}, errCalendarNotFound(key)
	}
	return cal, nil
}

func errCalendarNotFound(key string) error {
	return apperr.New(apperr.NotFound, "sla.calendar_not_found").With("key", key)
}

// canRead reports whether the actor may see calendars and policies: staff.
func canRead(by identity.Actor) bool { return by.System || by.Role.Staff() }

// Calendars lists every calendar by key. Staff only.
func (s *Service) Calendars(ctx context.Context, by identity.Actor) ([]Calendar, error) {
	if !canRead(by) {
		return nil, errForbidden()
	}
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Calendar, 0, len(c.keys))
	for _, k := range c.keys {
		out = append(out, c.calendars[k])
	}
	return out, nil
}

// Calendar returns one calendar. Staff only.
func (s *Service) Calendar(ctx context.Context, by identity.Actor, key string) (Calendar, error) {
	if !canRead(by) {
		return Calendar{}, errForbidden()
	}
	return s.CalendarByKey(ctx, key)
}

var keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// SaveCalendar creates a calendar (Revision 0) or replaces the one with its
// key at revision c.Revision. Admins only. It checks the key, names, time
// zone, spans (within 00:00–24:00, not overlapping, at most MaxSpansPerDay
// a day) and special days (real, unique dates, at most MaxSpecialDays), and
// returns the calendar as saved.
func (s *Service) SaveCalendar(ctx context.Context, by identity.Actor, c Calendar) (Calendar, error) {
	if !by.IsAdmin() {
		return Calendar{}, errForbidden()
	}
	var m apperr.Multi
	if !keyRE.MatchString(c.Key) {
		m.Add(apperr.FieldError("sla.key_invalid", "key", map[string]any{"key": c.Key}))
	}
	c.NameZH, c.NameEN = strings.TrimSpace(c.NameZH), strings.TrimSpace(c.NameEN)
	for _, f := range []struct{ field, v string }{{"name_zh", c.NameZH}, {"name_en", c.NameEN}} {
		if e := validName(f.field, f.v); e != nil {
			m.Add(e)
		}
	}
	c.check(&m)
	if err := m.Err(); err != nil {
		return Calendar{}, err
	}
	c.UpdatedAt = s.now().UTC()
	saved, err := s.store.SaveCalendar(ctx, c)
	if err != nil {
		return Calendar{}, err
	}
	return saved.Compile()
}

func validName(field, s string) *apperr.Error {
	switch {
	case !utf8.ValidString(s):
		return apperr.FieldError("field.invalid_utf8", field, nil)
	case s == "":
		return apperr.FieldError("field.required", field, nil)
	case utf8.RuneCountInString(s) > MaxNameLen:
		return apperr.FieldError("field.too_long", field, map[string]any{"max": MaxNameLen})
	}
	return nil
}

// ImportICS adds the all-day events of an iCalendar file to a calendar as
// holidays and make-up workdays (see ParseICS); an imported date replaces
// what the calendar said about it. Admins only. It retries when another
// change of the calendar lands meanwhile.
func (s *Service) ImportICS(ctx context.Context, by identity.Actor, calendarKey string, r io.Reader) (ImportResult, error) {
	if !by.IsAdmin() {
		return ImportResult{}, errForbidden()
	}
	res, err := ParseICS(r)
	if err != nil {
		return ImportResult{}, err
	}
	for attempt := 0; ; attempt++ {
		cal, err := s.CalendarByKey(ctx, calendarKey)
		if err != nil {
			return ImportResult{}, err
		}
		cal.Days = mergeDays(cal.Days, res.Days)
		var m apperr.Multi
		cal.check(&m)
		if err := m.Err(); err != nil {
			return ImportResult{}, err
		}
		cal.UpdatedAt = s.now().UTC()
		_, err = s.store.SaveCalendar(ctx, cal)
		if apperr.Is(err, "sla.calendar_changed") && attempt < 3 {
			continue
		}
		if err != nil {
			return ImportResult{}, err
		}
		return res, nil
	}
}

// mergeDays returns old with add laid over it, by date.
func mergeDays(old, add []SpecialDay) []SpecialDay {
	byDate := make(map[Date]SpecialDay, len(old)+len(add))
	for _, d := range old {
		byDate[d.Date] = d
	}
	for _, d := range add {
		byDate[d.Date] = d
	}
	out := make([]SpecialDay, 0, len(byDate))
	for _, d := range byDate {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b SpecialDay) int { return a.Date.Compare(b.Date) })
	return out
}

// Policies lists the policies by priority. Staff only.
func (s *Service) Policies(ctx context.Context, by identity.Actor) ([]Policy, error) {
	if !canRead(by) {
		return nil, errForbidden()
	}
	c, err := s.fresh(ctx)
	if err != nil {
		return nil, err
	}
	var out []Policy
	for _, p := range Priorities {
		if pol, ok := c.policies[p]; ok {
			out = append(out, pol)
		}
	}
	return out, nil
}

// SavePolicy replaces the policy of p.Priority. Admins only. Targets must be
// whole minutes, more than zero and at most MaxTarget; the warning share
// lies strictly between 0 and 1; the calendar must exist.
func (s *Service) SavePolicy(ctx context.Context, by identity.Actor, p Policy) (Policy, error) {
	if !by.IsAdmin() {
		return Policy{}, errForbidden()
	}
	var m apperr.Multi
	if !slices.Contains(Priorities, p.Priority) {
		m.Add(apperr.FieldError("sla.priority_invalid", "priority", map[string]any{"priority": p.Priority}))
	}
	if _, err := s.CalendarByKey(ctx, p.Calendar); apperr.Is(err, "sla.calendar_not_found") {
		m.Add(apperr.FieldError("sla.calendar_not_found", "calendar", map[string]any{"key": p.Calendar}))
	} else if err != nil {
		return Policy{}, err
	}
	for _, k := range Kinds {
		if t := p.Target(k); t <= 0 || t > MaxTarget || t%time.Minute != 0 {
			m.Add(apperr.FieldError("sla.target_invalid", string(k), map[string]any{"max_days": int(MaxTarget / day)}))
		}
	}
	if !(p.WarnShare > 0 && p.WarnShare < 1) {
		m.Add(apperr.FieldError("sla.warn_share_invalid", "warn_share", nil))
	}
	if err := m.Err(); err != nil {
		return Policy{}, err
	}
	p.UpdatedAt = s.now().UTC()
	return s.store.SavePolicy(ctx, p)
}
