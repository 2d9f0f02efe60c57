// Package report owns the desk's figures: ticket volume and backlog over
// time, response and resolution times in calendar and working time, SLA
// compliance and breaches, resolution, first-contact resolution, reopen and
// escalation rates, satisfaction, and per-agent and per-group figures.
//
// Figures are computed from per-ticket facts (Fact): a pure function of a
// ticket, its history, ratings, follow-ups and SLA calendar, split into
// contributions to the local days they belong to (Cell). The store keeps the
// facts and daily sums per dimension value (a rollup), maintained by a
// refresh job from tickets marked changed in their own transactions, so a
// report for a year reads a few hundred rows instead of every ticket.
//
// The package knows no HTTP, SQL or translations.
package report

import (
	"time"

	"helpdesk/internal/apperr"
)

// Dim names a dimension reports are filtered and broken down by.
type Dim string

// The dimensions. DimAll is the one value every ticket has.
const (
	DimAll      Dim = "all"
	DimGroup    Dim = "group"
	DimAgent    Dim = "agent"
	DimCategory Dim = "category"
	DimPriority Dim = "priority"
	DimChannel  Dim = "channel"
	DimOrg      Dim = "org"
)

// Dims lists every dimension in a stable order.
var Dims = []Dim{DimAll, DimGroup, DimAgent, DimCategory, DimPriority, DimChannel, DimOrg}

// Priorities and Channels map the ticket's string values onto the small
// integers the rollup keys use (index + 1).
var (
	Priorities = []string{"P1", "P2", "P3", "P4"}
	Channels   = []string{"web", "email", "phone", "api"}
)

func indexOf(list []string, v string) int64 {
	for i, s := range list {
		if s == v {
			return int64(i + 1)
		}
	}
	return 0
}

// Keys are a ticket's dimension values (zero: none).
type Keys struct {
	Group, Agent, Category, Org int64
	Priority, Channel           string
}

// Value returns the rollup value of one dimension (0 when unset).
func (k Keys) Value(d Dim) int64 {
	switch d {
	case DimGroup:
		return k.Group
	case DimAgent:
		return k.Agent
	case DimCategory:
		return k.Category
	case DimPriority:
		return indexOf(Priorities, k.Priority)
	case DimChannel:
		return indexOf(Channels, k.Channel)
	case DimOrg:
		return k.Org
	}
	return 0
}

// Filter restricts a report to tickets with the given values; zero values
// do not filter. The service resolves keys and logins into these ids.
type Filter struct {
	Group, Agent, Category, Org int64
	Priority, Channel           string
}

// Keys returns the filter as dimension values.
func (f Filter) Keys() Keys {
	return Keys{Group: f.Group, Agent: f.Agent, Category: f.Category, Org: f.Org, Priority: f.Priority, Channel: f.Channel}
}

// Set lists the dimensions the filter restricts, in Dims order.
func (f Filter) Set() []Dim {
	var out []Dim
	k := f.Keys()
	for _, d := range Dims[1:] {
		if k.Value(d) != 0 {
			out = append(out, d)
		}
	}
	return out
}

// Matches reports whether a ticket with keys k passes the filter.
func (f Filter) Matches(k Keys) bool {
	fk := f.Keys()
	for _, d := range f.Set() {
		if k.Value(d) != fk.Value(d) {
			return false
		}
	}
	return true
}

// Interval is the step of a time series.
type Interval string

// The intervals.
const (
	Hour  Interval = "hour"
	Day   Interval = "day"
	Week  Interval = "week"
	Month Interval = "month"
)

// Limits on what a report may ask for.
const (
	// MaxDays bounds a period: two years and a day.
	MaxDays = 731
	// MaxHourDays bounds a period shown by the hour (744 points).
	MaxHourDays = 31
	// MaxBreaches bounds the breach list of one answer.
	MaxBreaches = 500
)

// Query is what a report is asked for: a period of local days [From, To)
// in the site time zone, a filter and a series step.
type Query struct {
	From, To time.Time // local midnights, To exclusive
	Filter   Filter
	Interval Interval
}

// Days returns the period as day numbers [from, to).
func (q Query) Days() (from, to int32) { return DayOf(q.From), DayOf(q.To) }

// NewQuery checks and builds a query for the local dates from and to
// (both inclusive, "2006-01-02") in loc.
func NewQuery(loc *time.Location, from, to string, f Filter, iv Interval) (Query, error) {
	var m apperr.Multi
	a, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		m.Add(apperr.FieldError("report.date_invalid", "from", map[string]any{"value": from}))
	}
	b, err2 := time.ParseInLocation(time.DateOnly, to, loc)
	if err2 != nil {
		m.Add(apperr.FieldError("report.date_invalid", "to", map[string]any{"value": to}))
	}
	if iv == "" {
		iv = Day
	}
	switch iv {
	case Hour, Day, Week, Month:
	default:
		m.Add(apperr.FieldError("report.interval_invalid", "interval", map[string]any{"value": string(iv)}))
	}
	if f.Priority != "" && indexOf(Priorities, f.Priority) == 0 {
		m.Add(apperr.FieldError("report.priority_invalid", "priority", map[string]any{"value": f.Priority}))
	}
	if f.Channel != "" && indexOf(Channels, f.Channel) == 0 {
		m.Add(apperr.FieldError("report.channel_invalid", "channel", map[string]any{"value": f.Channel}))
	}
	if err := m.Err(); err != nil {
		return Query{}, err
	}
	b = b.AddDate(0, 0, 1)
	n := int(DayOf(b) - DayOf(a))
	switch {
	case n <= 0:
		return Query{}, apperr.FieldError("report.period_reversed", "to", nil)
	case n > MaxDays:
		return Query{}, apperr.FieldError("report.period_too_long", "to", map[string]any{"max": MaxDays})
	case iv == Hour && n > MaxHourDays:
		return Query{}, apperr.FieldError("report.hour_period_too_long", "interval", map[string]any{"max": MaxHourDays})
	}
	return Query{From: a, To: b, Filter: f, Interval: iv}, nil
}

// DayOf numbers t's local date (in t's location) as days since 1970-01-01.
func DayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DayDate is the date of day number n, as midnight in loc.
func DayDate(n int32, loc *time.Location) time.Time {
	u := time.Unix(int64(n)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
}
