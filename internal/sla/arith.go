package sla

import (
	"math"
	"slices"
	"time"
)

// Working time is computed one local day at a time. A local day n (days
// since 1970-01-01 in the calendar's zone) is the window [start(n),
// start(n+1)), where start(n) is local midnight as time.Date resolves it;
// for every zone in the tz database these windows tile the time line in
// order (a day a zone skipped, like 2011-12-30 in Pacific/Apia, is an empty
// window). A day's spans become intervals of instants at their wall-clock
// times, clamped to the window and to each other, so intervals never
// overlap and Add, Between and Working agree on every instant.

const day = 24 * time.Hour

// maxIdleDays is how many days without working time Add crosses before it
// gives up.
const maxIdleDays = int(MaxIdle / day)

// interval is working time [a, b).
type interval struct{ a, b time.Time }

// Add returns the instant at which d of working time has elapsed from start:
// the earliest instant r with Between(start, r) == d. A deadline that ends
// exactly at the close of a span is that close (18:00), not the next
// opening. For negative d it goes back: the latest r with
// Between(r, start) == -d. Add(start, 0) is start. The result is in start's
// location; it is the zero Time when no working time is found within
// MaxIdle, or when the calendar is invalid.
func (c Calendar) Add(start time.Time, d time.Duration) time.Time {
	k := c.kit()
	switch {
	case k == nil:
		return time.Time{}
	case d == 0:
		return start
	case k.always:
		return start.Add(d)
	case d > 0:
		return k.forward(start, d).In(start.Location())
	case d == math.MinInt64:
		d++
	}
	return k.backward(start, -d).In(start.Location())
}

// Between returns the working time in [a, b); negative when b is before a.
func (c Calendar) Between(a, b time.Time) time.Duration {
	k := c.kit()
	switch {
	case k == nil || !a.Before(b) && !b.Before(a):
		return 0
	case b.Before(a):
		return -c.Between(b, a)
	case k.always:
		return b.Sub(a)
	}
	var sum time.Duration
	var buf [MaxSpansPerDay]interval
	n, ds, de := k.dayOf(a)
	for ds.Before(b) {
		for _, iv := range k.day(n, ds, de, buf[:0]) {
			lo, hi := iv.a, iv.b
			if lo.Before(a) {
				lo = a
			}
			if hi.After(b) {
				hi = b
			}
			if hi.After(lo) {
				sum += hi.Sub(lo)
			}
		}
		n, ds, de = n+1, de, k.dayStart(n+2)
	}
	return sum
}

// Working reports whether t is working time.
func (c Calendar) Working(t time.Time) bool {
	k := c.kit()
	if k == nil || k.always {
		return k != nil
	}
	var buf [MaxSpansPerDay]interval
	n, ds, de := k.dayOf(t)
	for _, iv := range k.day(n, ds, de, buf[:0]) {
		if !t.Before(iv.a) && t.Before(iv.b) {
			return true
		}
	}
	return false
}

// Next returns the first working instant at or after t (t itself when it
// is working time), or the zero Time when there is none within MaxIdle.
func (c Calendar) Next(t time.Time) time.Time {
	k := c.kit()
	if k == nil || k.always {
		if k == nil {
			return time.Time{}
		}
		return t
	}
	var buf [MaxSpansPerDay]interval
	n, ds, de := k.dayOf(t)
	for range maxIdleDays + 1 {
		for _, iv := range k.day(n, ds, de, buf[:0]) {
			if iv.b.After(t) {
				if iv.a.After(t) {
					return iv.a.In(t.Location())
				}
				return t
			}
		}
		n, ds, de = n+1, de, k.dayStart(n+2)
	}
	return time.Time{}
}

func (k *compiled) forward(t time.Time, d time.Duration) time.Time {
	var buf [MaxSpansPerDay]interval
	n, ds, de := k.dayOf(t)
	for idle := 0; idle <= maxIdleDays; {
		used := false
		for _, iv := range k.day(n, ds, de, buf[:0]) {
			a := iv.a
			if a.Before(t) {
				a = t
			}
			if !iv.b.After(a) {
				continue
			}
			used = true
			l := iv.b.Sub(a)
			if d <= l {
				return a.Add(d)
			}
			d -= l
		}
		if used {
			idle = 0
		} else {
			idle++
		}
		n, ds, de = n+1, de, k.dayStart(n+2)
	}
	return time.Time{}
}

func (k *compiled) backward(t time.Time, d time.Duration) time.Time {
	var buf [MaxSpansPerDay]interval
	n, ds, de := k.dayOf(t)
	for idle := 0; idle <= maxIdleDays; {
		used := false
		ivs := k.day(n, ds, de, buf[:0])
		for i := len(ivs) - 1; i >= 0; i-- {
			b := ivs[i].b
			if b.After(t) {
				b = t
			}
			if !b.After(ivs[i].a) {
				continue
			}
			used = true
			l := b.Sub(ivs[i].a)
			if d <= l {
				return b.Add(-d)
			}
			d -= l
		}
		if used {
			idle = 0
		} else {
			idle++
		}
		n, ds, de = n-1, k.dayStart(n-1), ds
	}
	return time.Time{}
}

// dayOf returns the local day whose window holds t, and the window.
func (k *compiled) dayOf(t time.Time) (n int, start, end time.Time) {
	_, off := t.In(k.loc).Zone()
	n = int(floorDiv(t.Unix()+int64(off), 86400))
	start, end = k.dayStart(n), k.dayStart(n+1)
	switch {
	case t.Before(start):
		return n - 1, k.dayStart(n - 1), start
	case !t.Before(end):
		return n + 1, end, k.dayStart(n + 2)
	}
	return n, start, end
}

// dayStart returns local midnight of day n.
func (k *compiled) dayStart(n int) time.Time {
	return time.Date(1970, time.January, 1+n, 0, 0, 0, 0, k.loc)
}

// spans returns the working spans of day n.
func (k *compiled) spans(n int) []Span {
	if i, ok := slices.BinarySearch(k.days, n); ok {
		if k.work[i] {
			return k.makeUp
		}
		return nil
	}
	return k.hours[weekday(n)]
}

// day appends the working intervals of day n, whose window is [ds, de), to buf.
func (k *compiled) day(n int, ds, de time.Time, buf []interval) []interval {
	spans := k.spans(n)
	if len(spans) == 0 || !de.After(ds) {
		return buf
	}
	// Without a zone transition inside the day, wall-clock offsets are
	// offsets from midnight; otherwise each bound is resolved on its own.
	fast := de.Sub(ds) == day
	if fast {
		if _, end := ds.ZoneBounds(); !end.IsZero() && end.Before(de) {
			fast = false
		}
	}
	prev := ds
	for _, s := range spans {
		var a, b time.Time
		if fast {
			a, b = ds.Add(s.Start), ds.Add(s.End)
		} else {
			a = time.Date(1970, time.January, 1+n, 0, 0, 0, int(s.Start), k.loc)
			b = time.Date(1970, time.January, 1+n, 0, 0, 0, int(s.End), k.loc)
		}
		if a.Before(prev) {
			a = prev
		}
		if b.After(de) {
			b = de
		}
		if b.After(a) {
			buf = append(buf, interval{a, b})
			prev = b
		}
	}
	return buf
}

// weekday returns the weekday of day n; 1970-01-01 was a Thursday.
func weekday(n int) time.Weekday { return time.Weekday(((n+4)%7 + 7) % 7) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
