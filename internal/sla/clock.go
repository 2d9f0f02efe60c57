package sla

import "time"

// Clock measures one SLA target of a ticket in working time.
//
// A clock runs from Start, stops while paused (the ticket waits on the
// customer, 待确认) and stops for good when met. Working time consumed is
// Elapsed plus, while running, the working time since RunningSince; Due and
// WarnAt are the instants at which, if the clock keeps running, the target
// and the warning share of it are used up. They are stored rather than
// derived so that a job can find clocks to warn or breach with an indexed
// query; while paused they are zero. Every field is a plain value, so a
// clock keeps in a few columns.
type Clock struct {
	Kind Kind
	// Target is the working time allowed.
	Target time.Duration
	// WarnAfter is the working time after which the deadline is near.
	WarnAfter time.Duration
	// Started is when the clock (last) started; zero: it never ran.
	Started time.Time
	// Elapsed is the working time consumed before RunningSince, or in total
	// while paused or once met.
	Elapsed time.Duration
	// RunningSince is the start of the current run; zero unless running.
	RunningSince time.Time
	// Due is when the target is used up, while running (and as it was
	// when met); zero while paused, or when the calendar has no working
	// time left to offer.
	Due time.Time
	// WarnAt is when WarnAfter is used up, while running; it may lie in the
	// past when the clock resumes late.
	WarnAt time.Time
	// Met is when the clock was met; zero until then.
	Met time.Time
	// Warned and Breached record that the warning and the breach were
	// reported (see Tick); Breached is also set when a clock is met late.
	Warned   bool
	Breached bool
}

// State is where a clock is in its life.
type State int

// The states of a clock.
const (
	NotStarted State = iota
	Running
	Paused
	Stopped
)

// String names the state: not_started, running, paused, met.
func (s State) String() string {
	return [...]string{"not_started", "running", "paused", "met"}[s]
}

// NewClock returns a stopped clock of kind k with the policy's target.
func NewClock(k Kind, p Policy) Clock {
	return Clock{Kind: k, Target: p.Target(k), WarnAfter: p.WarnAfter(k)}
}

// State reports whether the clock is running, paused, met or not started.
func (c Clock) State() State {
	switch {
	case !c.Met.IsZero():
		return Stopped
	case !c.RunningSince.IsZero():
		return Running
	case !c.Started.IsZero():
		return Paused
	}
	return NotStarted
}

// Consumed returns the working time the clock has used up at now.
func (c Clock) Consumed(cal Calendar, now time.Time) time.Duration {
	if c.State() != Running || !now.After(c.RunningSince) {
		return c.Elapsed
	}
	return c.Elapsed + cal.Between(c.RunningSince, now)
}

// Remaining returns the working time left at now: negative when overdue,
// by how much working time.
func (c Clock) Remaining(cal Calendar, now time.Time) time.Duration {
	return c.Target - c.Consumed(cal, now)
}

// Start starts the clock afresh at now, forgetting any earlier run: on
// creation, and for the acknowledge clock on every (re)assignment.
func (c *Clock) Start(cal Calendar, now time.Time) {
	*c = Clock{Kind: c.Kind, Target: c.Target, WarnAfter: c.WarnAfter, Started: now, RunningSince: now}
	c.schedule(cal)
}

// Pause stops a running clock, keeping the working time consumed.
func (c *Clock) Pause(cal Calendar, now time.Time) {
	if c.State() != Running {
		return
	}
	c.Elapsed = c.Consumed(cal, now)
	c.RunningSince, c.Due, c.WarnAt = time.Time{}, time.Time{}, time.Time{}
}

// Resume restarts a paused clock at now; the new Due is the remaining
// working time from now.
func (c *Clock) Resume(cal Calendar, now time.Time) {
	if c.State() != Paused {
		return
	}
	c.RunningSince = now
	c.schedule(cal)
}

// Retarget gives the clock a new target and warning point, as when the
// ticket's priority changes, keeping the working time consumed. Time until
// now counts on the calendar from, time after it on to (the new priority's
// policy may use another calendar). A met clock stays as it is. The warning
// and breach flags stay set only if the new thresholds are crossed too, so
// a later deadline is reported again and a crossed one is not reported twice.
func (c *Clock) Retarget(from, to Calendar, target, warnAfter time.Duration, now time.Time) {
	st := c.State()
	if st == Stopped {
		return
	}
	if st == Running {
		c.Elapsed = c.Consumed(from, now)
		c.RunningSince = now
	}
	c.Target, c.WarnAfter = target, warnAfter
	c.Warned = c.Warned && c.Elapsed >= warnAfter
	c.Breached = c.Breached && c.Elapsed > target
	if st == Running {
		c.schedule(to)
	}
}

// Meet stops the clock for good at now (the first response was given, the
// ticket resolved); a clock met late is Breached. Meeting a met clock
// changes nothing; meeting one that never ran records it met at once.
func (c *Clock) Meet(cal Calendar, now time.Time) {
	switch c.State() {
	case Stopped:
		return
	case NotStarted:
		c.Started = now
	}
	c.Elapsed = c.Consumed(cal, now)
	c.RunningSince, c.WarnAt, c.Met = time.Time{}, time.Time{}, now
	c.Breached = c.Breached || c.Elapsed > c.Target
}

// Tick records the thresholds a running clock has crossed at now and
// reports those crossed for the first time, for a job to notify once: warn
// when WarnAt has come, breach when Due has passed. A clock found already
// breached is not warned as well.
func (c *Clock) Tick(now time.Time) (warn, breach bool) {
	if c.State() != Running {
		return false, false
	}
	if !c.Breached && !c.Due.IsZero() && now.After(c.Due) {
		c.Breached, breach = true, true
		c.Warned = true
	}
	if !c.Warned && !c.WarnAt.IsZero() && !now.Before(c.WarnAt) {
		c.Warned, warn = true, true
	}
	return warn, breach
}

// schedule computes Due and WarnAt of a running clock.
func (c *Clock) schedule(cal Calendar) {
	c.Due = cal.Add(c.RunningSince, c.Target-c.Elapsed)
	c.WarnAt = cal.Add(c.RunningSince, c.WarnAfter-c.Elapsed)
}

// Clocks are the three clocks of a ticket and the calendar they run on.
type Clocks struct {
	// Calendar is the key of the calendar the clocks count on.
	Calendar      string
	Acknowledge   Clock
	FirstResponse Clock
	Resolution    Clock
}

// NewClocks returns the clocks of a ticket created at now under policy p,
// all three running on cal.
func NewClocks(p Policy, cal Calendar, now time.Time) Clocks {
	s := Clocks{Calendar: cal.Key, Acknowledge: NewClock(Acknowledge, p),
		FirstResponse: NewClock(FirstResponse, p), Resolution: NewClock(Resolution, p)}
	for _, c := range s.All() {
		c.Start(cal, now)
	}
	return s
}

// All returns the three clocks, for changing them in a loop.
func (s *Clocks) All() [3]*Clock { return [3]*Clock{&s.Acknowledge, &s.FirstResponse, &s.Resolution} }

// Get returns the clock of kind k, nil for an unknown kind.
func (s *Clocks) Get(k Kind) *Clock {
	for _, c := range s.All() {
		if c.Kind == k {
			return c
		}
	}
	return nil
}

// Pause pauses every running clock (the ticket waits on the customer).
func (s *Clocks) Pause(cal Calendar, now time.Time) {
	for _, c := range s.All() {
		c.Pause(cal, now)
	}
}

// Resume resumes every paused clock.
func (s *Clocks) Resume(cal Calendar, now time.Time) {
	for _, c := range s.All() {
		c.Resume(cal, now)
	}
}

// Retarget moves the clocks to policy p and its calendar to, after a
// priority change; from is the calendar they ran on so far (s.Calendar).
func (s *Clocks) Retarget(from Calendar, p Policy, to Calendar, now time.Time) {
	for _, c := range s.All() {
		c.Retarget(from, to, p.Target(c.Kind), p.WarnAfter(c.Kind), now)
	}
	s.Calendar = to.Key
}

// Tick ticks every clock and returns the kinds newly warned and breached.
func (s *Clocks) Tick(now time.Time) (warned, breached []Kind) {
	for _, c := range s.All() {
		w, b := c.Tick(now)
		if w {
			warned = append(warned, c.Kind)
		}
		if b {
			breached = append(breached, c.Kind)
		}
	}
	return warned, breached
}
