package report

import (
	"sort"
	"time"
)

// Rate is a share: Num of Den. Its value is undefined when Den is zero.
type Rate struct{ Num, Den int64 }

// Value returns Num/Den; ok is false when Den is zero.
func (r Rate) Value() (v float64, ok bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Stat summarises durations in seconds.
type Stat struct {
	N int64
	// Avg is exact; Median and P90 are read from the histogram (see Hist).
	Avg, Median, P90 float64
}

// StatOf summarises d.
func StatOf(d Durations) Stat {
	s := Stat{N: d.N}
	if d.N == 0 {
		return s
	}
	s.Avg = float64(d.Sum) / float64(d.N)
	m, _ := d.Hist.Quantile(0.5)
	p, _ := d.Hist.Quantile(0.9)
	s.Median, s.P90 = float64(m), float64(p)
	return s
}

// Period is the set of day cells a report is computed from.
type Period struct {
	Query Query
	Loc   *time.Location
	// Days holds the matching tickets' cells by day; missing days are empty.
	Days map[int32]*Cell
}

// Total sums every day of the period.
func (p Period) Total() Cell {
	var t Cell
	for _, c := range p.Days {
		t.Add(c, 1)
	}
	return t
}

// Point is one step of a volume series.
type Point struct {
	Start                               time.Time
	Created, Resolved, Closed, Reopened int64
	// Open is the backlog at the end of the step.
	Open int64
}

// Series cuts the period into steps of its interval, starting from the
// backlog open at its start.
func (p Period) Series(openAtStart int64) []Point {
	from, to := p.Query.Days()
	var out []Point
	open := openAtStart
	key := func(d int32, h int) time.Time {
		t := DayDate(d, p.Loc)
		switch p.Query.Interval {
		case Hour:
			return t.Add(time.Duration(h) * time.Hour)
		case Week:
			wd := (int(t.Weekday()) + 6) % 7 // Monday first
			t = t.AddDate(0, 0, -wd)
		case Month:
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, p.Loc)
		}
		if t.Before(p.Query.From) {
			t = p.Query.From
		}
		return t
	}
	for d := from; d < to; d++ {
		c := p.Days[d]
		if c == nil {
			c = &Cell{}
		}
		hours := 1
		if p.Query.Interval == Hour {
			hours = 24
		}
		for h := range hours {
			k := key(d, h)
			if len(out) == 0 || !out[len(out)-1].Start.Equal(k) {
				out = append(out, Point{Start: k, Open: open})
			}
			pt := &out[len(out)-1]
			if hours == 24 {
				pt.Created += c.Created[h]
				pt.Resolved += c.Resolved[h]
				pt.Closed += c.Closed[h]
				pt.Reopened += c.Reopened[h]
				open += c.Net[h]
			} else {
				pt.Created += sum(c.Created)
				pt.Resolved += sum(c.Resolved)
				pt.Closed += sum(c.Closed)
				pt.Reopened += sum(c.Reopened)
				open += c.NetDay()
			}
			pt.Open = open
		}
	}
	return out
}

// Volume is the ticket volume report.
type Volume struct {
	Points                              []Point
	Created, Resolved, Closed, Reopened int64
	OpenAtStart, OpenAtEnd              int64
}

// VolumeOf builds the volume and backlog report.
func VolumeOf(p Period, openAtStart int64) Volume {
	v := Volume{Points: p.Series(openAtStart), OpenAtStart: openAtStart, OpenAtEnd: openAtStart}
	for _, pt := range v.Points {
		v.Created += pt.Created
		v.Resolved += pt.Resolved
		v.Closed += pt.Closed
		v.Reopened += pt.Reopened
		v.OpenAtEnd = pt.Open
	}
	return v
}

// Times is the response and resolution time report, over the tickets
// created in the period.
type Times struct {
	FirstResponseCal, FirstResponseWork Stat
	ResolutionCal, ResolutionWork       Stat
}

// TimesOf builds the time report.
func TimesOf(t Cell) Times {
	return Times{FirstResponseCal: StatOf(t.FirstResponseCal), FirstResponseWork: StatOf(t.FirstResponseWork),
		ResolutionCal: StatOf(t.ResolutionCal), ResolutionWork: StatOf(t.ResolutionWork)}
}

// Compliance is one SLA target's outcome over the tickets created in the period.
type Compliance struct {
	Clock
	// Rate is met of met + breached.
	Rate Rate
}

func complianceOf(c Clock) Compliance {
	return Compliance{Clock: c, Rate: Rate{c.Met, c.Met + c.Breached}}
}

// SLA is the SLA compliance report.
type SLA struct {
	Acknowledge, FirstResponse, Resolution Compliance
	Breaches                               []BreachRow
	// More reports that the breach list was cut at MaxBreaches.
	More bool
}

// BreachRow is a breach with its ticket, for the breach list.
type BreachRow struct {
	Number    string
	Priority  string
	CreatedAt time.Time
	Breach
}

// SLAOf builds the compliance figures.
func SLAOf(t Cell) SLA {
	return SLA{Acknowledge: complianceOf(t.Acknowledge), FirstResponse: complianceOf(t.FirstResponse),
		Resolution: complianceOf(t.Resolve)}
}

// Rates is the rate report over the tickets created in the period.
type Rates struct {
	Tickets int64
	// Resolution: resolved or closed of created; FirstContact: resolved
	// with at most one reply and never reopened, of those resolved;
	// Reopen: reopened of resolved; Escalation: escalated of created.
	Resolution, FirstContact, Reopen, Escalation Rate
	// Deflection: questions answered by the knowledge base without a
	// ticket, of those plus tickets; Available is false when no source
	// of deflections can answer for the filter.
	Deflection          Rate
	DeflectionAvailable bool
}

// RatesOf builds the rates; deflected < 0 means no source is wired.
func RatesOf(t Cell, deflected int64) Rates {
	r := Rates{Tickets: t.Tickets, Resolution: Rate{t.ResolvedTickets, t.Tickets},
		FirstContact: Rate{t.FirstContact, t.ResolvedTickets}, Reopen: Rate{t.ReopenedTickets, t.ResolvedTickets},
		Escalation: Rate{t.EscalatedTickets, t.Tickets}}
	if deflected >= 0 {
		r.Deflection, r.DeflectionAvailable = Rate{deflected, deflected + t.Tickets}, true
	}
	return r
}

// Satisfaction is the satisfaction report over ratings given in the period.
type Satisfaction struct {
	// Ratings by score: 非常满意, 满意, 一般, 不满意.
	Ratings [4]int64
	// CSAT: 非常满意 + 满意 of all ratings. Response: ratings of resolutions.
	CSAT, Response Rate
	// Followups due in the period and how many were done on time.
	FollowupsDue, FollowupsLate int64
	FollowupsOnTime             Rate
}

// SatisfactionOf builds the satisfaction report.
func SatisfactionOf(t Cell) Satisfaction {
	n := t.Ratings[0] + t.Ratings[1] + t.Ratings[2] + t.Ratings[3]
	return Satisfaction{Ratings: t.Ratings, CSAT: Rate{t.Ratings[0] + t.Ratings[1], n}, Response: Rate{n, t.Resolutions},
		FollowupsDue: t.FollowupsDue, FollowupsLate: t.FollowupsLate, FollowupsOnTime: Rate{t.FollowupsOnTime, t.FollowupsDue}}
}

// Member is one agent's or group's line of the team report.
type Member struct {
	ID   int64
	Name string
	// Handled: tickets created in the period and resolved; Open: open now.
	Handled, Open int64
	// HandlingWork is the working time from creation to resolution: count
	// and average (team rows carry no histogram, so no median).
	HandlingWork Stat
	CSAT         Rate
	Ratings      int64
}

// MemberOf builds one line from the member's totals and open count.
func MemberOf(id int64, name string, t Cell, open int64) Member {
	n := t.Ratings[0] + t.Ratings[1] + t.Ratings[2] + t.Ratings[3]
	return Member{ID: id, Name: name, Handled: t.ResolvedTickets, Open: open, HandlingWork: avgOf(t.ResolutionWork),
		CSAT: Rate{t.Ratings[0] + t.Ratings[1], n}, Ratings: n}
}

// SortMembers orders lines by handled tickets, most first, then by name.
func SortMembers(ms []Member) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Handled != ms[j].Handled {
			return ms[i].Handled > ms[j].Handled
		}
		return ms[i].Name < ms[j].Name
	})
}

// avgOf summarises durations by count and average only.
func avgOf(d Durations) Stat {
	s := Stat{N: d.N}
	if d.N > 0 {
		s.Avg = float64(d.Sum) / float64(d.N)
	}
	return s
}
