package report

import (
	"sort"
	"time"

	"helpdesk/internal/sla"
	"helpdesk/internal/ticket"
)

// Source is everything a ticket's fact is computed from.
type Source struct {
	Ticket    ticket.Ticket
	Events    []ticket.Event // oldest first
	Ratings   []ticket.Rating
	Followups []ticket.Followup
	// Calendar is the ticket's SLA calendar, by which working time is
	// measured; without one, working time equals calendar time.
	Calendar *sla.Calendar
}

// Breach is one SLA target a ticket missed, with the cause found in its
// history.
type Breach struct {
	Kind sla.Kind
	At   time.Time
	// Cause is one of the Cause… values.
	Cause string
}

// The causes of a breach, read from the ticket's state when it breached.
const (
	// CauseUnassigned: nobody had the ticket when the target passed.
	CauseUnassigned = "unassigned"
	// CauseTransferred: the ticket changed group or assignee before it breached.
	CauseTransferred = "transferred"
	// CauseNoAction: the assignee had it and did not act in time.
	CauseNoAction = "no_action"
	// CauseMetLate: the target was met, after its deadline.
	CauseMetLate = "met_late"
)

// Fact is a ticket as the reports see it: its dimension values, its
// contributions to each day, and its breaches.
type Fact struct {
	TicketID  int64
	Number    string
	Keys      Keys
	CreatedAt time.Time
	// Open reports whether the ticket is open now.
	Open bool
	// Parts are the contributions by local day, ordered by day.
	Parts    []Part
	Breaches []Breach
}

// LastDay is the latest day the fact contributes to.
func (f Fact) LastDay() int32 {
	if len(f.Parts) == 0 {
		return DayOf(f.CreatedAt)
	}
	return f.Parts[len(f.Parts)-1].Day
}

// NewFact computes a ticket's fact, with days and hours in loc.
func NewFact(src Source, loc *time.Location) Fact {
	t := src.Ticket
	f := Fact{TicketID: t.ID, Number: t.Number, CreatedAt: t.CreatedAt,
		Keys: Keys{Group: t.GroupID, Agent: t.AssigneeID, Category: t.CategoryID, Org: t.OrgID,
			Priority: string(t.Priority), Channel: string(t.Channel)},
		Open: t.Status.Open()}
	parts := map[int32]*Cell{}
	at := func(tm time.Time) (*Cell, int) {
		l := tm.In(loc)
		d := DayOf(l)
		c := parts[d]
		if c == nil {
			c = &Cell{}
			parts[d] = c
		}
		return c, l.Hour()
	}
	work := func(a, b time.Time) int64 {
		if src.Calendar == nil {
			return int64(b.Sub(a) / time.Second)
		}
		return int64(src.Calendar.Between(a, b) / time.Second)
	}

	// Volume and backlog, from the status history.
	c, h := at(t.CreatedAt)
	c.Created[h]++
	c.Net[h]++
	var replies, reopens int
	var repliesAtFirstResolve = -1
	for _, e := range src.Events {
		switch {
		case e.Kind == ticket.EventMessage && !e.Internal && e.ActorID != 0 && e.ActorID != t.RequesterID:
			replies++
		case e.Kind == ticket.EventStatus:
			from, to := ticket.Status(e.From), ticket.Status(e.To)
			c, h := at(e.At)
			switch {
			case to == ticket.StatusResolved:
				c.Resolved[h]++
				c.Resolutions++
				if repliesAtFirstResolve < 0 {
					repliesAtFirstResolve = replies
				}
			case to == ticket.StatusClosed:
				c.Closed[h]++
			}
			if from.Open() && !to.Open() {
				c.Net[h]--
			}
			if !from.Open() && to.Open() {
				c.Net[h]++
				c.Reopened[h]++
				reopens++
			}
		}
	}

	// The cohort figures belong to the day of creation.
	c, _ = at(t.CreatedAt)
	c.Tickets++
	done := !t.Status.Open()
	if done {
		c.ResolvedTickets++
	}
	if reopens > 0 {
		c.ReopenedTickets++
	}
	if t.EscalationLevel > 0 {
		c.EscalatedTickets++
	}
	resolvedOnce := repliesAtFirstResolve >= 0
	if done && resolvedOnce && reopens == 0 && repliesAtFirstResolve <= 1 {
		c.FirstContact++
	}
	if !t.FirstResponseAt.IsZero() {
		c.FirstResponseCal.Observe(int64(t.FirstResponseAt.Sub(t.CreatedAt) / time.Second))
		c.FirstResponseWork.Observe(work(t.CreatedAt, t.FirstResponseAt))
	}
	if !t.ResolvedAt.IsZero() {
		c.ResolutionCal.Observe(int64(t.ResolvedAt.Sub(t.CreatedAt) / time.Second))
		c.ResolutionWork.Observe(work(t.CreatedAt, t.ResolvedAt))
	}
	if t.SLA.Calendar != "" {
		for _, p := range []struct {
			clock sla.Clock
			into  *Clock
		}{{t.SLA.Acknowledge, &c.Acknowledge}, {t.SLA.FirstResponse, &c.FirstResponse}, {t.SLA.Resolution, &c.Resolve}} {
			switch {
			case p.clock.Breached:
				p.into.Breached++
				f.Breaches = append(f.Breaches, breachOf(p.clock, src))
			case p.clock.State() == sla.Stopped:
				p.into.Met++
			default:
				p.into.Pending++
			}
		}
	}

	for _, r := range src.Ratings {
		c, _ := at(r.CreatedAt)
		for i, s := range ticket.Scores {
			if r.Score == s {
				c.Ratings[i]++
			}
		}
	}
	for _, fu := range src.Followups {
		c, _ := at(fu.DueAt)
		c.FollowupsDue++
		switch {
		case fu.DoneAt.IsZero():
		case !fu.DoneAt.After(fu.DueAt):
			c.FollowupsOnTime++
		default:
			c.FollowupsLate++
		}
	}

	for d, c := range parts {
		f.Parts = append(f.Parts, Part{Day: d, Cell: *c})
	}
	sort.Slice(f.Parts, func(i, j int) bool { return f.Parts[i].Day < f.Parts[j].Day })
	return f
}

// breachOf finds when and why a clock breached, from the history.
func breachOf(c sla.Clock, src Source) Breach {
	b := Breach{Kind: c.Kind, Cause: CauseMetLate}
	for _, e := range src.Events {
		if e.Kind == ticket.EventSLA && e.Field == string(c.Kind) && e.To == "breached" {
			b.At, b.Cause = e.At, ""
			break
		}
	}
	if b.Cause == CauseMetLate {
		b.At = c.Met
		if b.At.IsZero() {
			b.At = c.Due
		}
		return b
	}
	// The state at the breach: who had the ticket, and was it moved before.
	assigned, moved := src.Ticket.AssigneeID != 0, false
	var seenAssignee bool
	for _, e := range src.Events {
		if e.At.After(b.At) {
			break
		}
		// Routing at creation places the ticket; it does not move it.
		initial := !e.At.After(src.Ticket.CreatedAt)
		switch e.Kind {
		case ticket.EventAssignee:
			if seenAssignee && e.From != "" && !initial {
				moved = true
			}
			seenAssignee = true
			assigned = e.To != ""
		case ticket.EventGroup:
			if e.From != "" && !initial {
				moved = true
			}
		}
	}
	if !seenAssignee {
		assigned = false
	}
	switch {
	case !assigned:
		b.Cause = CauseUnassigned
	case moved:
		b.Cause = CauseTransferred
	default:
		b.Cause = CauseNoAction
	}
	return b
}
