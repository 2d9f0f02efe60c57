package sla

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

// Span is a stretch of working time within a day, [Start, End), given as
// wall-clock offsets from local midnight: {9h, 12h} is 09:00–12:00 whatever
// the day's length, so on a daylight-saving day it still starts at 09:00.
type Span struct{ Start, End time.Duration }

// ParseSpan reads a span written "09:00-12:00" (or with an en dash);
// "24:00" ends the day.
func ParseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), "–", "-"), "-")
	if !ok {
		return Span{}, fmt.Errorf("sla: span %q: want HH:MM-HH:MM", s)
	}
	a, err := parseClock(from)
	if err != nil {
		return Span{}, fmt.Errorf("sla: span %q: %w", s, err)
	}
	b, err := parseClock(to)
	if err != nil {
		return Span{}, fmt.Errorf("sla: span %q: %w", s, err)
	}
	return Span{a, b}, nil
}

func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || s[2] != ':' || !allDigits(s[:2]) || !allDigits(s[3:]) {
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q: want 00:00 to 24:00", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// String writes the span as ParseSpan reads it.
func (s Span) String() string { return clock(s.Start) + "-" + clock(s.End) }

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Week holds the working spans of each weekday, indexed by time.Weekday
// (Sunday is 0). A weekday without spans is a day off.
type Week [7][]Span

// Date is a calendar date without a time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads a date written 2026-01-01.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// String writes the date as 2026-01-01.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return cmp.Compare(d.number(), e.number()) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return weekday(d.number()) }

// Valid reports whether d names a real date.
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.AddDays(0) == d
}

// number counts days since 1970-01-01.
func (d Date) number() int {
	return int(floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), 86400))
}

// SpecialDay overrides the weekly hours on one date.
type SpecialDay struct {
	Date Date
	// Workday marks a make-up workday (调休上班), worked with the hours of the
	// calendar's MakeUpAs weekday; otherwise the date is a holiday.
	Workday bool
	// Name says why, for people: 春节, 国庆节补班.
	Name string
}

// Calendar is a business calendar: when the desk works, in its time zone.
//
// The exported fields are plain data. Calendars from the Service are
// compiled (see Compile), which makes the arithmetic fast; a calendar built
// by hand works too, compiling itself on every call. Compile again after
// changing fields.
type Calendar struct {
	// Key identifies the calendar: 24x7, workdays.
	Key    string
	NameZH string
	NameEN string
	// TimeZone is an IANA name such as Asia/Shanghai; working hours are
	// wall-clock times there.
	TimeZone string
	Hours    Week
	// MakeUpAs is the weekday whose hours a make-up workday has (Monday by
	// default).
	MakeUpAs time.Weekday
	// Days are the holidays and make-up workdays, one per date, by date.
	Days []SpecialDay
	// Revision counts saves; a save names the revision it changes, so two
	// admins cannot overwrite each other unknowingly. Zero creates.
	Revision  int64
	UpdatedAt time.Time

	k *compiled
}

// compiled is a calendar prepared for arithmetic.
type compiled struct {
	loc    *time.Location
	hours  [7][]Span
	makeUp []Span
	days   []int  // day numbers of special days, ascending
	work   []bool // whether days[i] is a make-up workday
	always bool   // every instant is working time
}

// Compile checks the calendar's time zone, hours and days and returns a
// copy prepared for fast arithmetic, with spans and days sorted. Errors are
// apperr field errors (sla.timezone_invalid, sla.span_invalid …).
func (c Calendar) Compile() (Calendar, error) {
	var m apperr.Multi
	c.check(&m)
	if err := m.Err(); err != nil {
		return c, err
	}
	return c, nil
}

// kit returns the compiled form, compiling on the fly when needed; nil
// when the calendar is invalid.
func (c *Calendar) kit() *compiled {
	if c.k != nil {
		return c.k
	}
	var m apperr.Multi
	cc := *c
	cc.check(&m)
	return cc.k
}

// check validates and normalises c's schedule, adding field errors to m;
// when there are none it sets c.k.
func (c *Calendar) check(m *apperr.Multi) {
	n := len(m.Errors)
	c.k = nil
	loc, err := time.LoadLocation(c.TimeZone)
	if c.TimeZone == "" || strings.EqualFold(c.TimeZone, "local") || err != nil {
		m.Add(apperr.FieldError("sla.timezone_invalid", "time_zone", map[string]any{"zone": c.TimeZone}))
	}
	k := &compiled{loc: loc, always: true}
	total := 0
	for wd := range c.Hours {
		spans := slices.Clone(c.Hours[wd])
		slices.SortFunc(spans, func(a, b Span) int { return cmp.Compare(a.Start, b.Start) })
		if len(spans) > MaxSpansPerDay {
			m.Add(apperr.FieldError("sla.spans_too_many", "hours", map[string]any{"weekday": weekdayKey(wd), "max": MaxSpansPerDay}))
			continue
		}
		for i, s := range spans {
			if s.Start < 0 || s.End > 24*time.Hour || s.Start >= s.End || s.Start%time.Minute != 0 || s.End%time.Minute != 0 ||
				(i > 0 && s.Start < spans[i-1].End) {
				m.Add(apperr.FieldError("sla.span_invalid", "hours", map[string]any{"weekday": weekdayKey(wd), "span": s.String()}))
			}
			total++
		}
		if len(spans) == 0 {
			spans = nil
		}
		c.Hours[wd], k.hours[wd] = spans, spans
		if len(spans) != 1 || spans[0] != (Span{0, 24 * time.Hour}) {
			k.always = false
		}
	}
	if total == 0 {
		m.Add(apperr.FieldError("sla.no_working_time", "hours", nil))
	}
	c.checkDays(m, k)
	if len(m.Errors) == n {
		c.k = k
	}
}

// checkDays validates and sorts the special days into k.
func (c *Calendar) checkDays(m *apperr.Multi, k *compiled) {
	if c.MakeUpAs < time.Sunday || c.MakeUpAs > time.Saturday {
		m.Add(apperr.FieldError("sla.makeup_weekday_invalid", "make_up_as", nil))
		return
	}
	k.makeUp = k.hours[c.MakeUpAs]
	if len(c.Days) > MaxSpecialDays {
		m.Add(apperr.FieldError("sla.days_too_many", "days", map[string]any{"max": MaxSpecialDays}))
		return
	}
	days := slices.Clone(c.Days)
	slices.SortStableFunc(days, func(a, b SpecialDay) int { return a.Date.Compare(b.Date) })
	makeUp := false
	for i, d := range days {
		switch {
		case !d.Date.Valid() || d.Date.Year < MinYear || d.Date.Year > MaxYear:
			m.Add(apperr.FieldError("sla.date_invalid", "days", map[string]any{"date": d.Date.String(), "min": MinYear, "max": MaxYear}))
			continue
		case i > 0 && days[i-1].Date == d.Date:
			m.Add(apperr.FieldError("sla.day_duplicate", "days", map[string]any{"date": d.Date.String()}))
			continue
		case !utf8.ValidString(d.Name) || utf8.RuneCountInString(d.Name) > MaxNameLen:
			m.Add(apperr.FieldError("field.too_long", "days", map[string]any{"max": MaxNameLen}))
		}
		k.days = append(k.days, d.Date.number())
		k.work = append(k.work, d.Workday)
		makeUp = makeUp || d.Workday
		if !d.Workday {
			k.always = false
		}
	}
	if makeUp && len(k.makeUp) == 0 {
		m.Add(apperr.FieldError("sla.makeup_weekday_invalid", "make_up_as", map[string]any{"weekday": weekdayKey(int(c.MakeUpAs))}))
	}
	if len(days) == 0 {
		days = nil
	}
	c.Days = days
}

// weekdayKey names a weekday in error parameters: sun, mon, … sat.
func weekdayKey(wd int) string {
	return [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}[wd]
}

// Location returns the calendar's time zone, UTC when it does not load.
func (c Calendar) Location() *time.Location {
	if k := c.kit(); k != nil {
		return k.loc
	}
	return time.UTC
}

// SpecialDay returns the holiday or make-up workday on date d, if any.
func (c Calendar) SpecialDay(d Date) (SpecialDay, bool) {
	i := slices.IndexFunc(c.Days, func(s SpecialDay) bool { return s.Date == d })
	if i < 0 {
		return SpecialDay{}, false
	}
	return c.Days[i], true
}

// AlwaysOpen reports whether every instant is working time (a 24×7
// calendar without holidays), for which the arithmetic takes a fast path.
func (c Calendar) AlwaysOpen() bool {
	k := c.kit()
	return k != nil && k.always
}
