package sla_test

import (
	"testing"
	"time"

	"helpdesk/internal/sla"
)

func TestAdd(t *testing.T) {
	h, m := time.Hour, time.Minute
	for _, tc := range []struct {
		name  string
		cal   sla.Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the morning", office(), at(shanghai, "2026-01-05 09:00"), h, at(shanghai, "2026-01-05 10:00")},
		{"ends at the lunch break, not after it", office(), at(shanghai, "2026-01-05 09:00"), 3 * h, at(shanghai, "2026-01-05 12:00")},
		{"across the lunch break", office(), at(shanghai, "2026-01-05 11:00"), 2 * h, at(shanghai, "2026-01-05 14:30")},
		{"starting in the lunch break", office(), at(shanghai, "2026-01-05 12:30"), h, at(shanghai, "2026-01-05 14:30")},
		{"a whole day ends at closing", office(), at(shanghai, "2026-01-05 08:00"), 7*h + 30*m, at(shanghai, "2026-01-05 18:00")},
		{"across midnight", office(), at(shanghai, "2026-01-05 17:00"), 2 * h, at(shanghai, "2026-01-06 10:00")},
		{"starting at night", office(), at(shanghai, "2026-01-05 20:00"), 30 * m, at(shanghai, "2026-01-06 09:30")},
		{"across the weekend", office(), at(shanghai, "2026-01-09 17:00"), 2 * h, at(shanghai, "2026-01-12 10:00")},
		{"starting on Saturday", office(), at(shanghai, "2026-01-10 10:00"), h, at(shanghai, "2026-01-12 10:00")},
		{"across year end, holidays and a make-up Sunday", office(), at(shanghai, "2025-12-31 17:00"), 2 * h, at(shanghai, "2026-01-04 10:00")},
		{"starting on a holiday", office(), at(shanghai, "2026-01-01 10:00"), h, at(shanghai, "2026-01-04 10:00")},
		{"make-up Sunday has Monday's lunch break", office(), at(shanghai, "2026-01-04 11:00"), 2 * h, at(shanghai, "2026-01-04 14:30")},
		{"from the make-up Sunday into Monday", office(), at(shanghai, "2026-01-04 17:30"), h, at(shanghai, "2026-01-05 09:30")},
		{"40 working hours", office(), at(shanghai, "2026-01-05 09:00"), 40 * h, at(shanghai, "2026-01-12 11:30")},
		{"backwards into the make-up Sunday", office(), at(shanghai, "2026-01-05 10:00"), -2 * h, at(shanghai, "2026-01-04 17:00")},
		{"backwards over the lunch break", office(), at(shanghai, "2026-01-05 14:00"), -h, at(shanghai, "2026-01-05 11:30")},
		{"backwards from a closed instant", office(), at(shanghai, "2026-01-05 20:00"), -30 * m, at(shanghai, "2026-01-05 17:30")},
		{"zero is the start", office(), at(shanghai, "2026-01-10 10:00"), 0, at(shanghai, "2026-01-10 10:00")},

		{"24x7", always(), at(shanghai, "2026-12-31 20:00"), 8 * h, at(shanghai, "2027-01-01 04:00")},
		{"24x7 backwards", always(), at(shanghai, "2026-01-01 02:00"), -3 * h, at(shanghai, "2025-12-31 23:00")},

		{"New York weekend with spring-forward", nyOffice(), at(newYork, "2026-03-06 16:00"), 2 * h, at(newYork, "2026-03-09 10:00")},
		{"New York weekend with fall-back", nyOffice(), at(newYork, "2026-10-30 16:00"), 2 * h, at(newYork, "2026-11-02 10:00")},
		{"spring-forward night is 3 hours long", nyNights(), at(newYork, "2026-03-08 00:00"), 3 * h, at(newYork, "2026-03-08 04:00")},
		{"fall-back night is 5 hours long", nyNights(), at(newYork, "2026-11-01 00:00"), 5 * h, at(newYork, "2026-11-01 04:00")},
		{"through the skipped hour", nyAllDay(), at(newYork, "2026-03-08 01:30"), h, at(newYork, "2026-03-08 03:30")},
		{"a 23-hour day", nyAllDay(), at(newYork, "2026-03-08 00:00"), 23 * h, at(newYork, "2026-03-09 00:00")},
		{"a 25-hour day", nyAllDay(), at(newYork, "2026-11-01 00:00"), 25 * h, at(newYork, "2026-11-02 00:00")},
		{"over a holiday around the clock", nyAllDay(), at(newYork, "2026-12-24 23:00"), 2 * h, at(newYork, "2026-12-26 01:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, cal := range []sla.Calendar{compile(t, tc.cal), tc.cal} { // compiled and on the fly
				got := cal.Add(tc.start, tc.d)
				if !got.Equal(tc.want) {
					t.Fatalf("Add(%v, %v) = %v, want %v", tc.start, tc.d, got, tc.want)
				}
				if tc.d >= 0 {
					if b := cal.Between(tc.start, got); b != tc.d {
						t.Errorf("Between(%v, %v) = %v, want %v", tc.start, got, b, tc.d)
					}
				} else if b := cal.Between(got, tc.start); b != -tc.d {
					t.Errorf("Between(%v, %v) = %v, want %v", got, tc.start, b, -tc.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	h, m := time.Hour, time.Minute
	for _, tc := range []struct {
		name string
		cal  sla.Calendar
		a, b time.Time
		want time.Duration
	}{
		{"one office day", office(), at(shanghai, "2026-01-05 00:00"), at(shanghai, "2026-01-06 00:00"), 7*h + 30*m},
		{"lunch break only", office(), at(shanghai, "2026-01-05 12:00"), at(shanghai, "2026-01-05 13:30"), 0},
		{"a weekend", office(), at(shanghai, "2026-01-10 00:00"), at(shanghai, "2026-01-12 00:00"), 0},
		{"holidays and the make-up Sunday", office(), at(shanghai, "2026-01-01 00:00"), at(shanghai, "2026-01-05 00:00"), 7*h + 30*m},
		{"a week after the holidays", office(), at(shanghai, "2026-01-05 00:00"), at(shanghai, "2026-01-12 00:00"), 5 * (7*h + 30*m)},
		{"reversed is negative", office(), at(shanghai, "2026-01-05 10:00"), at(shanghai, "2026-01-05 09:00"), -h},
		{"empty", office(), at(shanghai, "2026-01-05 10:00"), at(shanghai, "2026-01-05 10:00"), 0},
		{"24x7", always(), at(shanghai, "2026-01-05 10:00"), at(shanghai, "2026-01-07 10:00"), 48 * h},
		{"23-hour day", nyAllDay(), at(newYork, "2026-03-08 00:00"), at(newYork, "2026-03-09 00:00"), 23 * h},
		{"25-hour day", nyAllDay(), at(newYork, "2026-11-01 00:00"), at(newYork, "2026-11-02 00:00"), 25 * h},
		{"holiday around the clock", nyAllDay(), at(newYork, "2026-12-24 00:00"), at(newYork, "2026-12-27 00:00"), 48 * h},
		{"spring-forward Sunday nights", nyNights(), at(newYork, "2026-03-08 00:00"), at(newYork, "2026-03-09 00:00"), 5 * h},
		{"fall-back Sunday nights", nyNights(), at(newYork, "2026-11-01 00:00"), at(newYork, "2026-11-02 00:00"), 7 * h},
		{"New York week with spring-forward", nyOffice(), at(newYork, "2026-03-06 00:00"), at(newYork, "2026-03-10 00:00"), 16 * h},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := compile(t, tc.cal)
			if got := cal.Between(tc.a, tc.b); got != tc.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestWorking(t *testing.T) {
	cal := compile(t, office())
	for _, tc := range []struct {
		at   string
		want bool
	}{
		{"2026-01-05 08:59", false},
		{"2026-01-05 09:00", true},
		{"2026-01-05 11:59", true},
		{"2026-01-05 12:00", false},
		{"2026-01-05 13:30", true},
		{"2026-01-05 18:00", false},
		{"2026-01-10 10:00", false}, // Saturday
		{"2026-01-01 10:00", false}, // 元旦
		{"2026-01-04 10:00", true},  // make-up Sunday
		{"2026-01-04 12:30", false}, // its lunch break
		{"2026-01-11 10:00", false}, // an ordinary Sunday
	} {
		if got := cal.Working(at(shanghai, tc.at)); got != tc.want {
			t.Errorf("Working(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if !compile(t, always()).Working(at(shanghai, "2026-01-01 03:00")) {
		t.Errorf("24x7 Working = false, want true")
	}
}

func TestNext(t *testing.T) {
	cal := compile(t, office())
	for _, tc := range []struct{ at, want string }{
		{"2026-01-05 10:00", "2026-01-05 10:00"},
		{"2026-01-05 12:00", "2026-01-05 13:30"},
		{"2026-01-05 18:00", "2026-01-06 09:00"},
		{"2025-12-31 19:00", "2026-01-04 09:00"},
	} {
		if got := cal.Next(at(shanghai, tc.at)); !got.Equal(at(shanghai, tc.want)) {
			t.Errorf("Next(%s) = %v, want %s", tc.at, got, tc.want)
		}
	}
}

func TestSkippedDay(t *testing.T) {
	// Samoa skipped 30 December 2011, moving across the date line.
	day := spans("09:00-17:00")
	cal := compile(t, sla.Calendar{Key: "apia", TimeZone: "Pacific/Apia", MakeUpAs: time.Monday,
		Hours: sla.Week{day, day, day, day, day, day, day}})
	a, b := at("Pacific/Apia", "2011-12-29 09:00"), at("Pacific/Apia", "2011-12-31 17:00")
	if got := cal.Between(a, b); got != 16*time.Hour {
		t.Errorf("Between = %v, want 16h", got)
	}
	if got, want := cal.Add(at("Pacific/Apia", "2011-12-29 16:00"), 2*time.Hour), at("Pacific/Apia", "2011-12-31 10:00"); !got.Equal(want) {
		t.Errorf("Add = %v, want %v", got, want)
	}
}

func TestNoWorkingTimeGivesUp(t *testing.T) {
	// Mondays only, and every Monday of four years a holiday.
	cal := sla.Calendar{Key: "never", TimeZone: shanghai, MakeUpAs: time.Monday,
		Hours: sla.Week{time.Monday: spans("09:00-10:00")}}
	for d := date("2026-01-05"); d.Year < 2030; d = d.AddDays(7) {
		cal.Days = append(cal.Days, sla.SpecialDay{Date: d, Name: "closed"})
	}
	cal = compile(t, cal)
	start := at(shanghai, "2026-01-01 00:00")
	if got := cal.Add(start, time.Hour); !got.IsZero() {
		t.Errorf("Add = %v, want the zero time", got)
	}
	if got := cal.Add(at(shanghai, "2029-12-31 00:00"), -time.Hour); !got.IsZero() {
		t.Errorf("Add backwards = %v, want the zero time", got)
	}
	if got := cal.Next(start); !got.IsZero() {
		t.Errorf("Next = %v, want the zero time", got)
	}
	// An invalid calendar has no working time at all.
	bad := sla.Calendar{TimeZone: "Mars/Olympus_Mons", Hours: sla.Week{time.Monday: spans("09:00-10:00")}}
	if got := bad.Add(start, time.Hour); !got.IsZero() || bad.Between(start, start.Add(time.Hour)) != 0 || bad.Working(start) {
		t.Errorf("invalid calendar: Add = %v, want the zero time and no working time", got)
	}
}

func TestDate(t *testing.T) {
	d := date("2026-02-28")
	if got := d.AddDays(1).String(); got != "2026-03-01" {
		t.Errorf("AddDays = %s, want 2026-03-01", got)
	}
	if d.Weekday() != time.Saturday {
		t.Errorf("Weekday = %v, want Saturday", d.Weekday())
	}
	if (sla.Date{Year: 2026, Month: 2, Day: 30}).Valid() {
		t.Errorf("2026-02-30 Valid = true, want false")
	}
	for _, bad := range []string{"9-12", "09:00", "+1:00-02:00", "09:00-24:01", "25:00-26:00", "09:60-10:00", "0a:00-10:00"} {
		if sp, err := sla.ParseSpan(bad); err == nil {
			t.Errorf("ParseSpan(%q) = %v, want an error", bad, sp)
		}
	}
	if sp, err := sla.ParseSpan(" 13:30–18:00 "); err != nil || sp != (sla.Span{Start: 13*time.Hour + 30*time.Minute, End: 18 * time.Hour}) {
		t.Errorf("ParseSpan(13:30–18:00) = %v, %v", sp, err)
	}
	if s := span("13:30-24:00"); s.String() != "13:30-24:00" || s.End != 24*time.Hour {
		t.Errorf("span = %v (%v), want 13:30-24:00", s, s.End)
	}
}
