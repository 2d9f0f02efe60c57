package report

import (
	"context"
	"time"

	"helpdesk/internal/identity"
)

// OpsStore reads the live state of the desk for the dashboard.
type OpsStore interface {
	// StatusCounts counts open tickets by status and priority.
	OpenCounts(ctx context.Context) ([]StatusCount, error)
	// Unassigned counts unassigned tickets and finds the oldest one's creation.
	Unassigned(ctx context.Context) (n int64, oldest time.Time, err error)
	// DueBetween counts open tickets whose earliest SLA deadline (a breach
	// of a running clock, tickets.sla_next_due) lies in
	// [from, to) and lists up to limit of their numbers, soonest first.
	DueBetween(ctx context.Context, from, to time.Time, limit int) (int64, []string, error)
	// BreachedOpen counts open tickets with a breached target.
	BreachedOpen(ctx context.Context) (int64, error)
	// Staff lists staff with their away flag and whether they were seen since.
	Staff(ctx context.Context, seenSince time.Time) ([]AgentLoad, error)
	// CreatedSince counts tickets created at or after t.
	CreatedSince(ctx context.Context, t time.Time) (int64, error)
	// OnDuty sums, per local hour of the day, the distinct staff who
	// acted on a ticket in each hour of [from, to).
	OnDuty(ctx context.Context, from, to time.Time, loc *time.Location) ([24]float64, error)
}

// StatusCount is the number of open tickets in one status and priority.
type StatusCount struct {
	Status, Priority string
	N                int64
}

// AgentLoad is one staff member on the dashboard.
type AgentLoad struct {
	ID           int64
	Login, Name  string
	Online, Away bool
	// Open counts the agent's open tickets.
	Open int64
}

// Dashboard is the live state of the desk.
type Dashboard struct {
	At               time.Time
	Open             []StatusCount
	Unassigned       int64
	OldestUnassigned time.Duration // age of the oldest unassigned ticket
	// DueSoon counts tickets that will breach an SLA target within the
	// next hour unless someone acts; DueSoonList names the first ones.
	DueSoon     int64
	DueSoonList []string
	BreachedNow int64
	Agents      []AgentLoad
	// Today counts tickets created since local midnight; SameWeekday is
	// the average of the previous four same weekdays up to the same hour.
	Today       int64
	SameWeekday float64
}

// OnlineWindow is how recently a session must have been seen for its
// user to count as online.
const OnlineWindow = 15 * time.Minute

// Dashboard returns the live figures (supervisors and admins).
func (s *Service) Dashboard(ctx context.Context, by identity.Actor) (Dashboard, error) {
	if err := s.allowed(by); err != nil {
		return Dashboard{}, err
	}
	ops := s.d.Ops
	now := s.now().UTC()
	d := Dashboard{At: now}
	var err error
	if d.Open, err = ops.OpenCounts(ctx); err != nil {
		return d, err
	}
	n, oldest, err := ops.Unassigned(ctx)
	if err != nil {
		return d, err
	}
	d.Unassigned = n
	if n > 0 {
		d.OldestUnassigned = now.Sub(oldest)
	}
	if d.DueSoon, d.DueSoonList, err = ops.DueBetween(ctx, now, now.Add(time.Hour), 20); err != nil {
		return d, err
	}
	if d.BreachedNow, err = ops.BreachedOpen(ctx); err != nil {
		return d, err
	}
	if d.Agents, err = ops.Staff(ctx, now.Add(-OnlineWindow)); err != nil {
		return d, err
	}
	open, err := s.d.Store.OpenBy(ctx, DimAgent, Filter{})
	if err != nil {
		return d, err
	}
	for i := range d.Agents {
		d.Agents[i].Open = open[d.Agents[i].ID]
	}
	local := now.In(s.loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.loc)
	if d.Today, err = ops.CreatedSince(ctx, midnight); err != nil {
		return d, err
	}
	today := DayOf(local)
	cells, err := s.d.Store.Cells(ctx, today-28, today, Filter{})
	if err != nil {
		return d, err
	}
	var total int64
	for w := int32(1); w <= 4; w++ {
		if c := cells[today-7*w]; c != nil {
			for h := 0; h <= local.Hour(); h++ {
				total += c.Created[h]
			}
		}
	}
	d.SameWeekday = float64(total) / 4
	return d, nil
}
