package ticket

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
)

// SLAProvider gives the policy and calendar a ticket's clocks run on.
type SLAProvider interface {
	ForPriority(ctx context.Context, priority string) (sla.Policy, sla.Calendar, error)
	CalendarByKey(ctx context.Context, key string) (sla.Calendar, error)
}

// TimerSLA is the job kind that checks a ticket's SLA clocks. Each ticket
// has at most one such job, due at the earliest threshold of its running
// clocks (a warning or a breach); each run reports what is due and sets the
// job again for the next threshold.
const TimerSLA = "sla.tick"

func slaKey(ticketID int64) string { return fmt.Sprintf("sla:%d", ticketID) }

// startSLA starts a new ticket's clocks. The acknowledge clock waits for an
// assignee: it measures how fast the person given the ticket takes it up.
func (s *Service) startSLA(ctx context.Context, t *Ticket, now time.Time) error {
	if s.sla == nil {
		return nil
	}
	p, cal, err := s.sla.ForPriority(ctx, string(t.Priority))
	if err != nil {
		return err
	}
	t.SLA = sla.NewClocks(p, cal, now)
	if t.AssigneeID == 0 {
		t.SLA.Acknowledge = sla.NewClock(sla.Acknowledge, p)
	}
	return nil
}

// slaChange moves the clocks along with a change of the ticket (before →
// t, made by `by`) and adds the timer updates the change needs.
func (s *Service) slaChange(ctx context.Context, by identity.Actor, before Ticket, t *Ticket, now time.Time, c *Change) error {
	if s.sla == nil || t.SLA.Calendar == "" {
		return nil
	}
	cal, err := s.sla.CalendarByKey(ctx, t.SLA.Calendar)
	if err != nil {
		return err
	}
	if t.Priority != before.Priority {
		p, to, err := s.sla.ForPriority(ctx, string(t.Priority))
		if err != nil {
			return err
		}
		t.SLA.Retarget(cal, p, to, now)
		cal = to
	}
	ack := &t.SLA.Acknowledge
	if t.AssigneeID != before.AssigneeID {
		if t.AssigneeID == 0 {
			*ack = sla.Clock{Kind: ack.Kind, Target: ack.Target, WarnAfter: ack.WarnAfter}
		} else {
			ack.Start(cal, now)
			if waiting(t.Status) {
				ack.Pause(cal, now) // it runs once the ticket is back with us
			}
		}
	}
	// The assignee acts on the ticket (claiming it included): acknowledged.
	if t.AssigneeID != 0 && by.UserID == t.AssigneeID {
		ack.Meet(cal, now)
	}
	if before.FirstResponseAt.IsZero() && !t.FirstResponseAt.IsZero() {
		t.SLA.FirstResponse.Meet(cal, now)
	}
	if t.Status != before.Status {
		switch {
		case t.Status == StatusResolved:
			t.SLA.Resolution.Meet(cal, now)
			t.SLA.Pause(cal, now) // the others stop with the resolution
		case t.Status == StatusAwaitingConfirmation || t.Status == StatusClosed:
			t.SLA.Pause(cal, now) // waiting on the customer, or over
		case before.Status == StatusAwaitingConfirmation || before.Status == StatusResolved:
			t.SLA.Resume(cal, now)
			if before.Status == StatusResolved {
				// Reopened: the resolution clock starts over with its full target.
				t.SLA.Resolution.Start(cal, now)
			}
		}
	}
	s.slaTimers(before.SLA, t, c, false)
	return nil
}

// slaTimers keeps the ticket's SLA job at the earliest threshold of its
// running clocks: moved when that instant changed (or always, with force),
// cancelled when no clock runs.
func (s *Service) slaTimers(before sla.Clocks, t *Ticket, c *Change, force bool) {
	next := nextDue(t.SLA)
	if !force && next.Equal(nextDue(before)) {
		return
	}
	key := slaKey(t.ID)
	if next.IsZero() {
		c.CancelTimers = append(c.CancelTimers, key)
		return
	}
	c.Timers = append(c.Timers, Timer{Key: key, Kind: TimerSLA, At: next, Payload: map[string]any{"ticket": t.Number}})
}

// nextDue is the earliest threshold of the running clocks, zero for none.
func nextDue(s sla.Clocks) time.Time {
	var next time.Time
	for _, c := range s.All() {
		if at := nextThreshold(*c); !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// nextThreshold is when a clock next needs attention: its warning, then
// its breach; zero when it is not running or has breached already.
func nextThreshold(c sla.Clock) time.Time {
	if c.State() != sla.Running || c.Breached {
		return time.Time{}
	}
	if !c.Warned && !c.WarnAt.IsZero() && c.WarnAt.Before(c.Due) {
		return c.WarnAt
	}
	return c.Due
}

// SLATick is run by a clock's timer: it records the warnings and breaches
// that are due. A warning tells the assignee (or, with none, the group's
// supervisors); a breach raises the escalation level, tells the
// supervisors and, for a missed acknowledgement when configured, returns
// the ticket to its group's queue. Repeated or early runs change nothing
// twice: each threshold is reported once, and the timer is set again for
// whatever is still ahead.
func (s *Service) SLATick(ctx context.Context, number string) error {
	var early *Timer
	_, err := s.apply(ctx, identity.System, number, 0, func(t *Ticket, _ Relation, now time.Time) (Change, error) {
		if t.SLA.Calendar == "" {
			return Change{}, nil
		}
		before := t.SLA
		warned, breached := t.SLA.Tick(now)
		var c Change
		for _, k := range warned {
			ev := s.event(identity.System, now, EventSLA, string(k), "running", "warning")
			c.Events = append(c.Events, ev)
			params := map[string]any{"number": t.Number, "clock": string(k)}
			if t.AssigneeID != 0 {
				c.Notices = append(c.Notices, Notice{UserID: t.AssigneeID, Kind: "sla.warning", Params: params})
			} else {
				ns, err := s.toSupervisors(ctx, t, "sla.warning", params)
				if err != nil {
					return Change{}, err
				}
				c.Notices = append(c.Notices, ns...)
			}
		}
		for _, k := range breached {
			c.Events = append(c.Events, s.event(identity.System, now, EventSLA, string(k), "running", "breached"),
				s.event(identity.System, now, EventEscalation, "escalation_level", fmt.Sprint(t.EscalationLevel), fmt.Sprint(t.EscalationLevel+1)))
			t.EscalationLevel++
			ns, err := s.toSupervisors(ctx, t, "sla.breached", map[string]any{"number": t.Number, "clock": string(k), "level": t.EscalationLevel})
			if err != nil {
				return Change{}, err
			}
			c.Notices = append(c.Notices, ns...)
			if k == sla.Acknowledge && s.unassignOnAckBreach && t.AssigneeID != 0 && t.Status == StatusAssigned {
				c.Events = append(c.Events, s.event(identity.System, now, EventAssignee, "assignee", t.Assignee, ""),
					s.event(identity.System, now, EventStatus, "status", string(t.Status), string(StatusUnassigned)))
				t.AssigneeID, t.Assignee, t.Status = 0, "", StatusUnassigned
				t.SLA.Acknowledge = sla.Clock{Kind: sla.Acknowledge, Target: t.SLA.Acknowledge.Target, WarnAfter: t.SLA.Acknowledge.WarnAfter}
			}
		}
		if len(warned) == 0 && len(breached) == 0 {
			// Woken early (a node whose clock runs behind): set the timer
			// again without touching the ticket.
			if next := nextDue(t.SLA); !next.IsZero() {
				early = &Timer{Key: slaKey(t.ID), Kind: TimerSLA, At: next, Payload: map[string]any{"ticket": t.Number}}
			}
			return Change{}, nil
		}
		s.slaTimers(before, t, &c, true)
		return c, nil
	})
	if err == nil && early != nil {
		err = s.store.ScheduleTimers(ctx, *early)
	}
	return ignoreGone(err)
}

// waiting reports whether the ticket's clocks stand still in this status.
func waiting(st Status) bool {
	return st == StatusAwaitingConfirmation || st == StatusResolved || st == StatusClosed
}

// SLAStatus is a ticket's SLA as people read it: when each clock is due,
// how much working time is left, which are paused or breached.
type SLAStatus struct {
	// Due holds the deadline of each running clock.
	Due map[sla.Kind]time.Time
	// Remaining is the working time left on each running clock (negative
	// once overdue).
	Remaining map[sla.Kind]time.Duration
	Paused    []sla.Kind
	Breached  []sla.Kind
	Met       []sla.Kind
}

// view is the ticket as the actor may see it: contact data masked as the
// relation requires, and the SLA status computed for now.
func (s *Service) view(ctx context.Context, rel Relation, t Ticket) Ticket {
	t = present(rel, t)
	if s.sla == nil || t.SLA.Calendar == "" {
		return t
	}
	cal, err := s.sla.CalendarByKey(ctx, t.SLA.Calendar)
	if err != nil {
		return t // the clocks are still shown, without the remaining time
	}
	now := s.now().UTC()
	st := SLAStatus{Due: map[sla.Kind]time.Time{}, Remaining: map[sla.Kind]time.Duration{}}
	for _, c := range t.SLA.All() {
		if c.Breached {
			st.Breached = append(st.Breached, c.Kind)
		}
		switch c.State() {
		case sla.Running:
			st.Due[c.Kind] = c.Due
			st.Remaining[c.Kind] = c.Remaining(cal, now)
		case sla.Paused:
			st.Paused = append(st.Paused, c.Kind)
		case sla.Stopped:
			st.Met = append(st.Met, c.Kind)
		}
	}
	t.SLAStatus = &st
	return t
}
