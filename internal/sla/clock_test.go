package sla_test

import (
	"slices"
	"testing"
	"time"

	"helpdesk/internal/sla"
)

// step is one operation on a clock and what should hold after it.
type step struct {
	op     string // start, pause, resume, meet, retarget (to 24x7, target 4h), shorten (target 1h), tick
	at     string // Shanghai time
	state  sla.State
	due    string // "" when zero
	warnAt string
	left   time.Duration // Remaining at the step's time
	warned bool
	breach bool
}

func TestClock(t *testing.T) {
	h, m := time.Hour, time.Minute
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"runs to its deadline", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "tick", at: "2026-01-05 16:29", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 2*h + 1*m},
			{op: "tick", at: "2026-01-05 16:30", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 2 * h, warned: true},
			{op: "tick", at: "2026-01-06 09:30", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", warned: true},
			{op: "tick", at: "2026-01-06 09:31", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: -m, warned: true, breach: true},
			{op: "meet", at: "2026-01-06 10:00", state: sla.Stopped, due: "2026-01-06 09:30", left: -30 * m, warned: true, breach: true},
		}},
		{"paused while waiting on the customer", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "pause", at: "2026-01-05 11:00", state: sla.Paused, left: 6 * h},
			{op: "pause", at: "2026-01-05 15:00", state: sla.Paused, left: 6 * h},
			{op: "tick", at: "2026-01-07 15:00", state: sla.Paused, left: 6 * h},
			{op: "resume", at: "2026-01-07 09:00", state: sla.Running, due: "2026-01-07 16:30", warnAt: "2026-01-07 14:30", left: 6 * h},
			{op: "resume", at: "2026-01-07 10:00", state: sla.Running, due: "2026-01-07 16:30", warnAt: "2026-01-07 14:30", left: 5 * h},
			{op: "meet", at: "2026-01-07 14:00", state: sla.Stopped, due: "2026-01-07 16:30", left: 2*h + 30*m},
			{op: "meet", at: "2026-01-08 14:00", state: sla.Stopped, due: "2026-01-07 16:30", left: 2*h + 30*m},
		}},
		{"paused and resumed on holidays costs nothing", []step{
			{op: "start", at: "2025-12-31 16:00", state: sla.Running, due: "2026-01-04 16:30", warnAt: "2026-01-04 14:30", left: 8 * h},
			{op: "pause", at: "2026-01-01 10:00", state: sla.Paused, left: 6 * h},
			{op: "resume", at: "2026-01-02 10:00", state: sla.Running, due: "2026-01-04 16:30", warnAt: "2026-01-04 14:30", left: 6 * h},
		}},
		{"priority raised to 24x7", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "retarget", at: "2026-01-05 11:00", state: sla.Running, due: "2026-01-05 13:00", warnAt: "2026-01-05 12:00", left: 2 * h},
			{op: "tick", at: "2026-01-05 12:30", state: sla.Running, due: "2026-01-05 13:00", warnAt: "2026-01-05 12:00", left: 30 * m, warned: true},
		}},
		{"target shortened below the time used", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "shorten", at: "2026-01-05 11:00", state: sla.Running, due: "2026-01-05 10:00", warnAt: "2026-01-05 09:45", left: -h},
			{op: "tick", at: "2026-01-05 11:00", state: sla.Running, due: "2026-01-05 10:00", warnAt: "2026-01-05 09:45", left: -h, warned: true, breach: true},
		}},
		{"retarget while paused keeps it paused", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "pause", at: "2026-01-05 10:00", state: sla.Paused, left: 7 * h},
			{op: "retarget", at: "2026-01-05 11:00", state: sla.Paused, left: 3 * h},
			{op: "resume", at: "2026-01-05 11:00", state: sla.Running, due: "2026-01-05 14:00", warnAt: "2026-01-05 13:00", left: 3 * h},
		}},
		{"warned, then given more time, warns again", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "shorten", at: "2026-01-05 09:50", state: sla.Running, due: "2026-01-05 10:00", warnAt: "2026-01-05 09:45", left: 10 * m},
			{op: "tick", at: "2026-01-05 09:50", state: sla.Running, due: "2026-01-05 10:00", warnAt: "2026-01-05 09:45", left: 10 * m, warned: true},
			{op: "retarget", at: "2026-01-05 09:50", state: sla.Running, due: "2026-01-05 13:00", warnAt: "2026-01-05 12:00", left: 3*h + 10*m},
		}},
		{"met before it ever ran", []step{
			{op: "meet", at: "2026-01-05 09:00", state: sla.Stopped, left: 8 * h},
		}},
		{"restart forgets the earlier run", []step{
			{op: "start", at: "2026-01-05 09:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: 8 * h},
			{op: "tick", at: "2026-01-06 10:00", state: sla.Running, due: "2026-01-06 09:30", warnAt: "2026-01-05 16:30", left: -30 * m, warned: true, breach: true},
			{op: "start", at: "2026-01-06 10:00", state: sla.Running, due: "2026-01-07 10:30", warnAt: "2026-01-06 17:30", left: 8 * h},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal, fast := compile(t, office()), compile(t, always())
			p := sla.Policy{Resolution: 8 * h, WarnShare: 0.75}
			c := sla.NewClock(sla.Resolution, p)
			for i, s := range tc.steps {
				now := at(shanghai, s.at)
				switch s.op {
				case "start":
					c.Start(cal, now)
				case "pause":
					c.Pause(cal, now)
				case "resume":
					c.Resume(cal, now)
				case "meet":
					c.Meet(cal, now)
				case "retarget":
					c.Retarget(cal, fast, 4*h, 3*h, now)
					cal = fast
				case "shorten":
					c.Retarget(cal, cal, h, 45*m, now)
				case "tick":
					c.Tick(now)
				}
				if got := c.State(); got != s.state {
					t.Fatalf("step %d (%s): state %v, want %v", i, s.op, got, s.state)
				}
				if got := fmtTime(c.Due); got != s.due {
					t.Errorf("step %d (%s): Due %s, want %s", i, s.op, got, s.due)
				}
				if got := fmtTime(c.WarnAt); got != s.warnAt {
					t.Errorf("step %d (%s): WarnAt %s, want %s", i, s.op, got, s.warnAt)
				}
				if got := c.Remaining(cal, now); got != s.left {
					t.Errorf("step %d (%s): Remaining %v, want %v", i, s.op, got, s.left)
				}
				if c.Warned != s.warned || c.Breached != s.breach {
					t.Errorf("step %d (%s): warned %v breached %v, want %v %v", i, s.op, c.Warned, c.Breached, s.warned, s.breach)
				}
			}
		})
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(mustLoc(shanghai)).Format("2006-01-02 15:04")
}

func TestTickReportsOnce(t *testing.T) {
	cal := compile(t, office())
	c := sla.NewClock(sla.FirstResponse, sla.Policy{FirstResponse: 4 * time.Hour, WarnShare: 0.5})
	c.Start(cal, at(shanghai, "2026-01-05 09:00"))
	for _, tc := range []struct {
		at           string
		warn, breach bool
	}{
		{"2026-01-05 10:00", false, false},
		{"2026-01-05 11:00", true, false},
		{"2026-01-05 11:30", false, false},
		{"2026-01-05 14:31", false, true},
		{"2026-01-05 15:00", false, false},
	} {
		w, b := c.Tick(at(shanghai, tc.at))
		if w != tc.warn || b != tc.breach {
			t.Errorf("Tick(%s) = %v %v, want %v %v", tc.at, w, b, tc.warn, tc.breach)
		}
	}
	// A breach found late is not also reported as a warning.
	c.Start(cal, at(shanghai, "2026-01-05 09:00"))
	if w, b := c.Tick(at(shanghai, "2026-01-06 09:00")); w || !b {
		t.Errorf("late Tick = %v %v, want false true", w, b)
	}
	if w, b := c.Tick(at(shanghai, "2026-01-06 10:00")); w || b {
		t.Errorf("Tick after breach = %v %v, want false false", w, b)
	}
}

func TestNewClocks(t *testing.T) {
	pols := sla.DefaultPolicies()
	p3, p1 := pols[2], pols[0]
	work, fast := compile(t, sla.DefaultCalendars()[1]), compile(t, always())
	now := at(shanghai, "2026-01-09 17:00") // Friday
	s := sla.NewClocks(p3, work, now)
	if s.Calendar != sla.Workdays {
		t.Errorf("Calendar = %s, want workdays", s.Calendar)
	}
	for _, tc := range []struct {
		kind      sla.Kind
		due, warn string
	}{
		{sla.Acknowledge, "2026-01-09 18:00", "2026-01-09 17:45"},
		{sla.FirstResponse, "2026-01-12 16:00", "2026-01-12 14:00"},
		{sla.Resolution, "2026-01-16 12:00", "2026-01-15 11:00"},
	} {
		c := s.Get(tc.kind)
		if c == nil || c.State() != sla.Running || fmtTime(c.Due) != tc.due || fmtTime(c.WarnAt) != tc.warn {
			t.Errorf("%s: got %+v, want running, due %s, warn %s", tc.kind, c, tc.due, tc.warn)
		}
	}
	s.Acknowledge.Meet(work, at(shanghai, "2026-01-09 17:30"))
	s.Pause(work, at(shanghai, "2026-01-12 10:00"))
	s.Resume(work, at(shanghai, "2026-01-12 11:00"))
	if c := s.FirstResponse; fmtTime(c.Due) != "2026-01-12 17:00" || c.Elapsed != 2*time.Hour {
		t.Errorf("first response after pause: due %s elapsed %v, want 2026-01-12 17:00, 2h", fmtTime(c.Due), c.Elapsed)
	}
	s.Retarget(work, p1, fast, at(shanghai, "2026-01-12 11:00"))
	if s.Calendar != sla.Always || s.Acknowledge.State() != sla.Stopped {
		t.Errorf("after retarget: calendar %s, acknowledge %v; want 24x7 and still met", s.Calendar, s.Acknowledge.State())
	}
	// P1 first response is 2h, of which 2h are used: due now.
	if fmtTime(s.FirstResponse.Due) != "2026-01-12 11:00" || fmtTime(s.Resolution.Due) != "2026-01-12 17:00" {
		t.Errorf("after retarget: first response due %s, resolution due %s", fmtTime(s.FirstResponse.Due), fmtTime(s.Resolution.Due))
	}
	warned, breached := s.Tick(at(shanghai, "2026-01-12 11:01"))
	if !slices.Equal(breached, []sla.Kind{sla.FirstResponse}) || !slices.Equal(warned, []sla.Kind(nil)) {
		t.Errorf("Tick: warned %v breached %v, want none and [first_response]", warned, breached)
	}
	if s.Get("nope") != nil || sla.NotStarted.String() != "not_started" || sla.Stopped.String() != "met" {
		t.Errorf("Get/String misbehave")
	}
}
