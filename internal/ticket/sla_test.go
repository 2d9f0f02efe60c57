package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/job"
	"helpdesk/internal/notify"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func create(t *testing.T, d *desktest.Desk, p ticket.Priority) ticket.Ticket {
	t.Helper()
	tk, err := d.Tickets.Create(context.Background(), d.Actors["cust1"], ticket.CreateInput{Title: "SLA " + string(p),
		Description: "d", Category: "software", Priority: p})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// jobAt returns when the timer with key is scheduled (zero if none is).
func jobAt(t *testing.T, db *store.DB, key string) time.Time {
	t.Helper()
	j, err := db.Jobs().ByKey(context.Background(), key)
	if err != nil || j.State != job.Scheduled {
		return time.Time{}
	}
	return j.RunAt
}

func TestSLADeadlines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Friday 17:00 in Shanghai.
		clk := newClock(time.Date(2026, 11, 20, 17, 0, 0, 0, shanghai).UTC())
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})

		// P3 runs on the Mon–Fri 09:00–18:00 calendar: 8 working hours from
		// Friday 17:00 is Monday 16:00.
		p3 := create(t, d, ticket.P3)
		if got, want := p3.SLA.FirstResponse.Due, time.Date(2026, 11, 23, 16, 0, 0, 0, shanghai); !got.Equal(want) {
			t.Errorf("P3 first response due %v, want %v", got.In(shanghai), want)
		}
		if p3.SLAStatus == nil || p3.SLAStatus.Remaining[sla.FirstResponse] != 8*time.Hour {
			t.Errorf("P3 remaining = %+v, want 8h of working time", p3.SLAStatus)
		}
		if st := p3.SLA.Acknowledge.State(); st != sla.NotStarted {
			t.Errorf("unassigned ticket: acknowledge clock %v, want not started", st)
		}
		// The timer of the first-response clock fires at its warning: 75 % of 8 h = 6 h → Monday 14:00.
		if got, want := jobAt(t, db, fmt.Sprintf("sla:%d", p3.ID)), time.Date(2026, 11, 23, 14, 0, 0, 0, shanghai); !got.Equal(want) {
			t.Errorf("first-response timer at %v, want %v", got.In(shanghai), want)
		}

		// P2 runs around the clock: 4 h.
		p2 := create(t, d, ticket.P2)
		if got, want := p2.SLA.FirstResponse.Due, clk.Now().Add(4*time.Hour); !got.Equal(want) {
			t.Errorf("P2 first response due %v, want %v", got, want)
		}

		// Raising P3 to P1 moves the clocks to the 24×7 calendar and a 2 h target.
		clk.Advance(10 * time.Minute) // Friday 17:10: 10 working minutes used
		pr := ticket.P1
		up, err := d.Tickets.Update(ctx, d.Actors["agent1"], p3.Number, 0, ticket.Patch{Priority: &pr})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := up.SLA.FirstResponse.Due, clk.Now().Add(110*time.Minute); !got.Equal(want) {
			t.Errorf("after P3→P1: first response due %v, want %v (2 h minus 10 min used)", got, want)
		}
		if got := jobAt(t, db, fmt.Sprintf("sla:%d", p3.ID)); !got.Equal(up.SLA.FirstResponse.WarnAt) { // the earliest threshold
			t.Errorf("timer after retarget at %v, want the new warning %v", got, up.SLA.FirstResponse.WarnAt)
		}

		// Claiming acknowledges; the first public reply meets the first response.
		claimed, err := d.Tickets.Claim(ctx, d.Actors["agent1"], p2.Number)
		if err != nil {
			t.Fatal(err)
		}
		if st := claimed.SLA.Acknowledge.State(); st != sla.Stopped || claimed.SLA.Acknowledge.Breached {
			t.Errorf("claim: acknowledge %v breached=%v, want met in time", st, claimed.SLA.Acknowledge.Breached)
		}
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], p2.Number, ticket.MessageInput{Body: "在看了"}); err != nil {
			t.Fatal(err)
		}
		got, _ := d.Tickets.Get(ctx, d.Actors["agent1"], p2.Number)
		// One timer per ticket, at the earliest threshold still ahead: now the resolution's warning.
		if got.SLA.FirstResponse.State() != sla.Stopped || !jobAt(t, db, fmt.Sprintf("sla:%d", p2.ID)).Equal(got.SLA.Resolution.WarnAt) {
			t.Errorf("after the reply: first response %v, timer %v; want met and the timer at the resolution warning %v",
				got.SLA.FirstResponse.State(), jobAt(t, db, fmt.Sprintf("sla:%d", p2.ID)), got.SLA.Resolution.WarnAt)
		}

		// Waiting on the customer pauses the resolution clock; rejecting resumes it, shifted by the wait.
		dueBefore := got.SLA.Resolution.Due
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], p2.Number, 0, ticket.StatusAwaitingConfirmation, ""); err != nil {
			t.Fatal(err)
		}
		paused, _ := d.Tickets.Get(ctx, d.Actors["agent1"], p2.Number)
		if paused.SLA.Resolution.State() != sla.Paused || !jobAt(t, db, fmt.Sprintf("sla:%d", p2.ID)).IsZero() {
			t.Errorf("awaiting confirmation: resolution %v, want paused without a timer", paused.SLA.Resolution.State())
		}
		if len(paused.SLAStatus.Paused) == 0 {
			t.Errorf("status lists no paused clock: %+v", paused.SLAStatus)
		}
		clk.Advance(3 * time.Hour)
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], p2.Number, 0, ticket.StatusFollowUp, "还是不行"); err != nil {
			t.Fatal(err)
		}
		resumed, _ := d.Tickets.Get(ctx, d.Actors["agent1"], p2.Number)
		if got, want := resumed.SLA.Resolution.Due, dueBefore.Add(3*time.Hour); !got.Equal(want) {
			t.Errorf("resumed: resolution due %v, want %v (shifted by the 3 h wait)", got, want)
		}
		// Resolving meets the resolution clock and leaves no SLA timer behind.
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], p2.Number, 0, ticket.StatusAwaitingConfirmation, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], p2.Number, 0, ticket.StatusResolved, ""); err != nil {
			t.Fatal(err)
		}
		done, _ := d.Tickets.Get(ctx, d.Actors["agent1"], p2.Number)
		if done.SLA.Resolution.State() != sla.Stopped || done.SLA.Resolution.Breached {
			t.Errorf("resolved: resolution %v breached=%v, want met in time", done.SLA.Resolution.State(), done.SLA.Resolution.Breached)
		}
		if at := jobAt(t, db, fmt.Sprintf("sla:%d", p2.ID)); !at.IsZero() {
			t.Errorf("resolved ticket still has an SLA timer at %v", at)
		}
	})
}

func TestSLAWarningAndBreach(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now, UnassignOnAckBreach: true})
		inbox := notify.NewInbox(db.Notify(), clk.Now)
		tk := create(t, d, ticket.P2) // 24×7: acknowledge 1 h, first response 4 h
		if _, err := d.Tickets.Assign(ctx, d.Actors["super1"], tk.Number, 0, "agent1", "", ""); err != nil {
			t.Fatal(err)
		}
		ackKey := fmt.Sprintf("sla:%d", tk.ID)
		if got, want := jobAt(t, db, ackKey), clk.Now().Add(45*time.Minute); !got.Equal(want) {
			t.Fatalf("acknowledge timer at %v, want %v (75 %% of 1 h)", got, want)
		}
		// Early: nothing happens, the timer stays.
		clk.Advance(30 * time.Minute)
		if err := d.Tickets.SLATick(ctx, tk.Number); err != nil {
			t.Fatal(err)
		}
		if got := jobAt(t, db, ackKey); got.IsZero() {
			t.Fatalf("an early tick dropped the timer")
		}
		// At 45 min: the assignee is warned, once; the timer moves to the breach.
		clk.Advance(15 * time.Minute)
		for range 2 {
			if err := d.Tickets.SLATick(ctx, tk.Number); err != nil {
				t.Fatal(err)
			}
		}
		ns, _ := inbox.List(ctx, d.Actors["agent1"], true, 0, 10)
		if len(ns) != 1 || ns[0].Kind != "sla.warning" {
			t.Errorf("assignee inbox = %+v, want one sla.warning", ns)
		}
		got, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		if at := jobAt(t, db, ackKey); !at.Equal(got.SLA.Acknowledge.Due) {
			t.Errorf("after the warning the timer is at %v, want the due time %v", at, got.SLA.Acknowledge.Due)
		}
		// Past 1 h: breached, escalated, supervisors told, back to the queue.
		clk.Advance(16 * time.Minute)
		for range 2 {
			if err := d.Tickets.SLATick(ctx, tk.Number); err != nil {
				t.Fatal(err)
			}
		}
		got, _ = d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		// The acknowledge clock restarts with the next assignee; the breach
		// stays in the history and the escalation level.
		if got.EscalationLevel != 1 || got.Status != ticket.StatusUnassigned || got.Assignee != "" ||
			got.SLA.Acknowledge.State() != sla.NotStarted {
			t.Errorf("after the breach: level %d, status %s, assignee %q, ack clock %v; want 1, unassigned, none, not started",
				got.EscalationLevel, got.Status, got.Assignee, got.SLA.Acknowledge.State())
		}
		sup, _ := inbox.List(ctx, d.Actors["super1"], true, 0, 10)
		if len(sup) != 1 || sup[0].Kind != "sla.breached" {
			t.Errorf("supervisor inbox = %+v, want one sla.breached", sup)
		}
		hist, _ := d.Tickets.History(ctx, d.Actors["admin"], tk.Number)
		var warns, breaches int
		for _, e := range hist {
			if e.Kind == ticket.EventSLA && e.To == "warning" {
				warns++
			}
			if e.Kind == ticket.EventSLA && e.To == "breached" {
				breaches++
			}
		}
		if warns != 1 || breaches != 1 {
			t.Errorf("history: %d warnings, %d breaches; want 1 and 1", warns, breaches)
		}
	})
}
