// Package sla owns service level agreements: business calendars (working
// hours, holidays and make-up workdays in a time zone), the SLA policy of
// each ticket priority, and the deadline clocks that measure a ticket
// against its policy in working time.
//
// Calendar arithmetic (Add, Between, Working) and the clocks are pure
// functions of their inputs; the Service keeps calendars and policies in
// the database through a Store and serves them from a revalidated
// in-memory copy on the hot path of ticket creation.
package sla

import (
	"slices"
	"time"

	"helpdesk/internal/apperr"
)

// Kind names what a deadline clock measures.
type Kind string

// The three clocks every ticket has.
const (
	// Acknowledge runs until the assignee acknowledges the ticket.
	Acknowledge Kind = "acknowledge"
	// FirstResponse runs until the first public reply from support staff.
	FirstResponse Kind = "first_response"
	// Resolution runs until the ticket is resolved.
	Resolution Kind = "resolution"
)

// Kinds lists every clock kind in the order clocks are presented.
var Kinds = []Kind{Acknowledge, FirstResponse, Resolution}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Priorities are the ticket priorities a policy exists for, most urgent first.
var Priorities = []string{"P1", "P2", "P3", "P4"}

// Limits on policies and calendars.
const (
	// MaxTarget is the longest target a policy may set.
	MaxTarget = 365 * 24 * time.Hour
	// MaxSpansPerDay bounds the working spans of one weekday.
	MaxSpansPerDay = 8
	// MaxSpecialDays bounds the holidays and make-up workdays of a calendar.
	MaxSpecialDays = 2000
	// MaxNameLen bounds calendar names and special day names, in characters.
	MaxNameLen = 100
	// MinYear and MaxYear bound the dates a calendar may name.
	MinYear, MaxYear = 1970, 2199
	// MaxIdle is how long Add searches for working time before giving up:
	// a calendar without working hours for three years has none to offer.
	MaxIdle = 3 * 366 * 24 * time.Hour
)

// DefaultWarnShare is the share of a target after which a warning is due.
const DefaultWarnShare = 0.75

// Policy is the SLA of one ticket priority: how much working time, counted
// on the named calendar, each clock allows.
type Policy struct {
	// Priority is P1 … P4.
	Priority string
	// Calendar is the key of the calendar the targets are counted on.
	Calendar      string
	Acknowledge   time.Duration
	FirstResponse time.Duration
	Resolution    time.Duration
	// WarnShare is the share of a target, in (0, 1), after which the clock
	// warns that its deadline is near.
	WarnShare float64
	UpdatedAt time.Time
}

// Target returns the policy's target for a clock kind, zero for an unknown kind.
func (p Policy) Target(k Kind) time.Duration {
	switch k {
	case Acknowledge:
		return p.Acknowledge
	case FirstResponse:
		return p.FirstResponse
	case Resolution:
		return p.Resolution
	}
	return 0
}

// WarnAfter returns the working time after which the clock of kind k warns:
// the warning share of its target, to the second.
func (p Policy) WarnAfter(k Kind) time.Duration {
	return time.Duration(float64(p.Target(k)) * p.WarnShare).Round(time.Second)
}

// DefaultPolicies returns the policies a fresh desk starts with (the
// migration seeds the same values).
func DefaultPolicies() []Policy {
	h := time.Hour
	return []Policy{
		{Priority: "P1", Calendar: Always, Acknowledge: h, FirstResponse: 2 * h, Resolution: 8 * h, WarnShare: DefaultWarnShare},
		{Priority: "P2", Calendar: Always, Acknowledge: h, FirstResponse: 4 * h, Resolution: 24 * h, WarnShare: DefaultWarnShare},
		{Priority: "P3", Calendar: Workdays, Acknowledge: h, FirstResponse: 8 * h, Resolution: 40 * h, WarnShare: DefaultWarnShare},
		{Priority: "P4", Calendar: Always, Acknowledge: h, FirstResponse: 24 * h, Resolution: 72 * h, WarnShare: DefaultWarnShare},
	}
}

// The keys of the calendars a fresh desk starts with.
const (
	// Always is the 24×7 calendar.
	Always = "24x7"
	// Workdays is Monday to Friday, 09:00–18:00 in Asia/Shanghai.
	Workdays = "workdays"
)

// DefaultCalendars returns the calendars a fresh desk starts with (the
// migration seeds the same values).
func DefaultCalendars() []Calendar {
	all := []Span{{0, 24 * time.Hour}}
	office := []Span{{9 * time.Hour, 18 * time.Hour}}
	return []Calendar{
		{Key: Always, NameZH: "全天候（7×24 小时）", NameEN: "Around the clock (24×7)", TimeZone: "Asia/Shanghai",
			Hours: Week{all, all, all, all, all, all, all}, MakeUpAs: time.Monday, Revision: 1},
		{Key: Workdays, NameZH: "工作日 9:00–18:00（北京时间）", NameEN: "Workdays 09:00–18:00 (Beijing time)",
			TimeZone: "Asia/Shanghai", Hours: Week{nil, office, office, office, office, office, nil},
			MakeUpAs: time.Monday, Revision: 1},
	}
}

func errForbidden() error { return apperr.New(apperr.Forbidden, "auth.forbidden") }
