package sla_test

import (
	"testing"
	"time"

	"helpdesk/internal/sla"
)

func span(s string) sla.Span {
	sp, err := sla.ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return sp
}

func spans(ss ...string) []sla.Span {
	out := make([]sla.Span, len(ss))
	for i, s := range ss {
		out[i] = span(s)
	}
	return out
}

func date(s string) sla.Date {
	d, err := sla.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func compile(t testing.TB, c sla.Calendar) sla.Calendar {
	t.Helper()
	cc, err := c.Compile()
	if err != nil {
		t.Fatalf("compile %s: %v", c.Key, err)
	}
	return cc
}

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at parses "2026-01-05 09:00" in the zone.
func at(zone, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mustLoc(zone))
	if err != nil {
		panic(err)
	}
	return t
}

const (
	shanghai = "Asia/Shanghai"
	newYork  = "America/New_York"
)

// office is Mon–Fri 09:00–12:00 and 13:30–18:00 in Shanghai, with
// 元旦 2026 (1–3 January) off and Sunday 4 January a make-up workday.
func office() sla.Calendar {
	day := spans("09:00-12:00", "13:30-18:00")
	return sla.Calendar{Key: "office", NameZH: "办公时间", NameEN: "Office hours", TimeZone: shanghai,
		Hours: sla.Week{nil, day, day, day, day, day, nil}, MakeUpAs: time.Monday,
		Days: []sla.SpecialDay{
			{Date: date("2026-01-01"), Name: "元旦"},
			{Date: date("2026-01-02"), Name: "元旦"},
			{Date: date("2026-01-03"), Name: "元旦"},
			{Date: date("2026-01-04"), Workday: true, Name: "元旦补班"},
		}}
}

// nyOffice is Mon–Fri 09:00–17:00 in New York.
func nyOffice() sla.Calendar {
	day := spans("09:00-17:00")
	return sla.Calendar{Key: "ny", NameZH: "纽约", NameEN: "New York", TimeZone: newYork,
		Hours: sla.Week{nil, day, day, day, day, day, nil}, MakeUpAs: time.Monday}
}

// nyNights is 00:00–04:00 and 22:00–24:00 every day in New York; its
// Sunday spans straddle the daylight-saving changes.
func nyNights() sla.Calendar {
	day := spans("00:00-04:00", "22:00-24:00")
	return sla.Calendar{Key: "nights", NameZH: "夜班", NameEN: "Nights", TimeZone: newYork,
		Hours: sla.Week{day, day, day, day, day, day, day}, MakeUpAs: time.Monday}
}

// nyAllDay is around the clock in New York but for one holiday, so the
// arithmetic cannot take the 24×7 shortcut.
func nyAllDay() sla.Calendar {
	day := spans("00:00-24:00")
	return sla.Calendar{Key: "nyall", NameZH: "纽约全天", NameEN: "New York all day", TimeZone: newYork,
		Hours: sla.Week{day, day, day, day, day, day, day}, MakeUpAs: time.Monday,
		Days: []sla.SpecialDay{{Date: date("2026-12-25"), Name: "Christmas"}}}
}

// always is the default 24×7 calendar.
func always() sla.Calendar { return sla.DefaultCalendars()[0] }
