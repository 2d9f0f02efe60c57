package sla_test

import (
	"testing"
	"time"

	"helpdesk/internal/sla"
)

// fuzzCalendars cover lunch breaks and holidays (Shanghai), daylight saving
// (New York), a midnight transition (Santiago moves its clocks at 00:00), a
// half-hour shift (Lord Howe) and a skipped day (Apia).
func fuzzCalendars(t testing.TB) []sla.Calendar {
	odd := spans("00:00-01:00", "08:00-20:00", "23:00-24:00")
	week := func(zone string, day []sla.Span) sla.Calendar {
		return sla.Calendar{Key: zone, TimeZone: zone, MakeUpAs: time.Monday,
			Hours: sla.Week{day, day, day, day, day, day, day}, Days: []sla.SpecialDay{{Date: date("2026-04-01")}}}
	}
	cals := []sla.Calendar{office(), nyOffice(), nyNights(), nyAllDay(), always(),
		week("America/Santiago", odd), week("Australia/Lord_Howe", spans("01:00-03:00", "09:00-17:00")),
		week("Pacific/Apia", spans("09:00-17:00"))}
	for i := range cals {
		cals[i] = compile(t, cals[i])
	}
	return cals
}

// FuzzArithmetic checks the invariants tying Add, Between, Working and Next
// together, for instants 2000–2070 and durations up to about 40 days.
func FuzzArithmetic(f *testing.F) {
	cals := fuzzCalendars(f)
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Add(uint8(0), int64(822_000_000_000), int64(3600), int64(86400))   // 2026-01-06
	f.Add(uint8(2), int64(826_000_000_000), int64(-7200), int64(200000)) // 2026-03
	f.Add(uint8(5), int64(840_000_000_000), int64(99999), int64(3))
	f.Add(uint8(7), int64(378_400_000), int64(36000), int64(259200)) // Apia 2011-12-29
	f.Fuzz(func(t *testing.T, which uint8, startSec, dSec, spanSec int64) {
		cal := cals[int(which)%len(cals)]
		const maxStart, maxD = 70 * 365 * 86400, 40 * 86400
		start := base.Add(time.Duration(mod(startSec, maxStart))*time.Second + time.Duration(mod(dSec, 1e9)))
		d := time.Duration(mod(dSec, 2*maxD)-maxD) * time.Second
		u := start.Add(time.Duration(mod(spanSec, maxD)) * time.Second)

		checkInvariants(t, cal, start, d, u)
	})
}

// checkInvariants checks the laws tying Add, Between, Working and Next
// together at one start instant, duration and later instant u.
func checkInvariants(t *testing.T, cal sla.Calendar, start time.Time, d time.Duration, u time.Time) {
	t.Helper()
	// Add and Between are inverse.
	r := cal.Add(start, d)
	if r.IsZero() {
		t.Fatalf("%s: Add(%v, %v) gave up", cal.Key, start, d)
	}
	if d >= 0 {
		if got := cal.Between(start, r); got != d {
			t.Fatalf("%s: Between(%v, Add(.., %v) = %v) = %v", cal.Key, start, d, r, got)
		}
		if d > 0 && !cal.Working(r.Add(-time.Nanosecond)) {
			t.Fatalf("%s: Add(%v, %v) = %v is not the end of working time", cal.Key, start, d, r)
		}
	} else if got := cal.Between(r, start); got != -d {
		t.Fatalf("%s: Between(Add(%v, %v) = %v, start) = %v", cal.Key, start, d, r, got)
	}

	// Add(start, Between(start, u)) lands at or before u with no
	// working time left between them.
	b := cal.Between(start, u)
	if b < 0 || b > u.Sub(start) {
		t.Fatalf("%s: Between(%v, %v) = %v, out of [0, %v]", cal.Key, start, u, b, u.Sub(start))
	}
	v := cal.Add(start, b)
	if v.After(u) || cal.Between(v, u) != 0 {
		t.Fatalf("%s: Add(%v, Between(.., %v) = %v) = %v; want at or before u, no work between", cal.Key, start, u, b, v)
	}
	if cal.Between(u, start) != -b {
		t.Fatalf("%s: Between reversed is not negated", cal.Key)
	}

	// Working agrees with Between, and Next finds the next working instant.
	if w, one := cal.Working(start), cal.Between(start, start.Add(time.Nanosecond)); w != (one == time.Nanosecond) {
		t.Fatalf("%s: Working(%v) = %v but Between over 1ns = %v", cal.Key, start, w, one)
	}
	n := cal.Next(start)
	if n.IsZero() || n.Before(start) || !cal.Working(n) || cal.Between(start, n) != 0 {
		t.Fatalf("%s: Next(%v) = %v, want the first working instant", cal.Key, start, n)
	}

	// More working time is never earlier.
	if d >= 0 && cal.Add(start, d+time.Minute).Before(r) {
		t.Fatalf("%s: Add not monotonic at %v, %v", cal.Key, start, d)
	}
}

func mod(a, n int64) int64 {
	a %= n
	if a < 0 {
		a += n
	}
	return a
}

// TestAroundTransitions sweeps the invariants across every clock change of
// 2026 (and Samoa's skipped day) in the zones of the fuzz calendars, where
// random inputs rarely land.
func TestAroundTransitions(t *testing.T) {
	for _, cal := range fuzzCalendars(t) {
		loc := cal.Location()
		var changes []time.Time
		for c := time.Date(2026, 1, 1, 0, 0, 0, 0, loc); c.Year() < 2027; {
			_, end := c.ZoneBounds()
			if end.IsZero() {
				break
			}
			changes, c = append(changes, end), end
		}
		if cal.Key == "Pacific/Apia" {
			changes = append(changes, time.Date(2011, 12, 31, 0, 0, 0, 0, loc))
		}
		for _, ch := range changes {
			for start := ch.Add(-50 * time.Hour); start.Before(ch.Add(50 * time.Hour)); start = start.Add(37 * time.Minute) {
				for _, d := range []time.Duration{time.Minute, 59 * time.Minute, 3 * time.Hour, 25 * time.Hour, -2 * time.Hour, -30 * time.Hour} {
					checkInvariants(t, cal, start, d, start.Add(d.Abs()+time.Hour))
				}
			}
		}
	}
}

// TestDayWindowsTile checks the assumption the arithmetic rests on: local
// midnights, as time.Date resolves them, never go backwards.
func TestDayWindowsTile(t *testing.T) {
	for _, zone := range []string{shanghai, newYork, "America/Santiago", "Australia/Lord_Howe", "Pacific/Apia",
		"Asia/Tehran", "America/Havana", "Europe/London", "Asia/Beirut"} {
		loc := mustLoc(zone)
		prev := time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
		for n := 1; n < 100*366; n++ {
			cur := time.Date(1970, 1, 1+n, 0, 0, 0, 0, loc)
			if cur.Before(prev) {
				t.Fatalf("%s: midnight of day %d (%v) is before the previous one (%v)", zone, n, cur, prev)
			}
			prev = cur
		}
	}
}
