package ticket_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestReplyToClosedOpensLinkedTicket: a customer writing to a closed
// ticket gets a new ticket linked to the old one; the old stays closed.
func TestReplyToClosedOpensLinkedTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		for _, by := range []string{"cust1", "cust2"} {
			old := ticketIn(t, d, ticket.StatusClosed)
			m, err := d.Tickets.AddMessage(ctx, d.Actors[by], old.Number, ticket.MessageInput{Body: "又坏了 broken again"})
			if err != nil {
				t.Fatalf("%s: %v", by, err)
			}
			if m.Number == old.Number || m.Number == "" {
				t.Fatalf("%s: reply landed on %q, want a new ticket", by, m.Number)
			}
			nt, err := d.Tickets.Get(ctx, d.Actors["admin"], m.Number)
			if err != nil {
				t.Fatal(err)
			}
			if nt.ParentNumber != old.Number || nt.Description != "又坏了 broken again" || !strings.HasPrefix(nt.Title, "Re: ") ||
				nt.Status != ticket.StatusUnassigned || nt.CategoryKey != old.CategoryKey {
				t.Errorf("%s: new ticket = %+v, want linked to %s", by, nt, old.Number)
			}
			if got, _ := d.Tickets.Get(ctx, d.Actors["admin"], old.Number); got.Status != ticket.StatusClosed {
				t.Errorf("%s: old ticket status = %s, want closed", by, got.Status)
			}
		}
	})
}

func TestRating(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		inbox := notify.NewInbox(db.Notify(), clk.Now)

		open := ticketIn(t, d, ticket.StatusInProgress)
		if _, err := d.Tickets.Rate(ctx, d.Actors["cust1"], open.Number, ticket.Satisfied, ""); !apperr.Is(err, "rating.not_resolved") {
			t.Errorf("rating an open ticket: got %v, want rating.not_resolved", err)
		}
		tk := ticketIn(t, d, ticket.StatusResolved)
		if _, err := d.Tickets.Rate(ctx, d.Actors["agent1"], tk.Number, ticket.Satisfied, ""); !apperr.Is(err, "rating.forbidden") {
			t.Errorf("agent rating: got %v, want rating.forbidden", err)
		}
		if _, err := d.Tickets.Rate(ctx, d.Actors["cust1"], tk.Number, "great", ""); !apperr.Is(err, "rating.invalid") {
			t.Errorf("bad score: got %v, want rating.invalid", err)
		}
		r, err := d.Tickets.Rate(ctx, d.Actors["cust1"], tk.Number, ticket.Dissatisfied, "太慢了 too slow")
		if err != nil {
			t.Fatal(err)
		}
		if r.Resolution != 1 {
			t.Errorf("resolution = %d, want 1", r.Resolution)
		}
		if _, err := d.Tickets.Rate(ctx, d.Actors["cust1"], tk.Number, ticket.Satisfied, ""); !apperr.Is(err, "rating.already_rated") {
			t.Errorf("second rating: got %v, want rating.already_rated", err)
		}
		// The software supervisor is told.
		ns, err := inbox.List(ctx, d.Actors["super1"], true, 0, 10)
		if err != nil || len(ns) != 1 || ns[0].Kind != "rating.poor" || ns[0].TicketNumber != tk.Number {
			t.Fatalf("supervisor inbox = %+v (%v), want one rating.poor for %s", ns, err, tk.Number)
		}
		// Reopened and resolved again, it may be rated again.
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], tk.Number, 0, ticket.StatusFollowUp, "还是不行"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], tk.Number, 0, ticket.StatusAwaitingConfirmation, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], tk.Number, 0, ticket.StatusResolved, ""); err != nil {
			t.Fatal(err)
		}
		if r, err := d.Tickets.Rate(ctx, d.Actors["cust1"], tk.Number, ticket.VerySatisfied, ""); err != nil || r.Resolution != 2 {
			t.Errorf("rating the second resolution: %+v %v", r, err)
		}
	})
}

func TestEscalation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		inbox := notify.NewInbox(db.Notify(), clk.Now)
		tk := ticketIn(t, d, ticket.StatusInProgress)
		if _, err := d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, ""); !apperr.Is(err, "field.required") {
			t.Errorf("no reason: got %v, want field.required", err)
		}
		got, err := d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, "三天没人理 no answer for 3 days")
		if err != nil || got.EscalationLevel != 1 {
			t.Fatalf("escalate: level %d, %v", got.EscalationLevel, err)
		}
		if _, err := d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, "again"); !apperr.Is(err, "ticket.already_escalated") {
			t.Errorf("second customer escalation at one level: got %v, want ticket.already_escalated", err)
		}
		// Staff raise the level; the customer may escalate again at the new level.
		if got, err = d.Tickets.Escalate(ctx, d.Actors["agent1"], tk.Number, "需要二线 needs tier 2"); err != nil || got.EscalationLevel != 2 {
			t.Fatalf("staff escalation: level %d, %v", got.EscalationLevel, err)
		}
		if got, err = d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, "still nothing"); err != nil || got.EscalationLevel != 3 {
			t.Fatalf("customer at new level: level %d, %v", got.EscalationLevel, err)
		}
		if _, err := d.Tickets.Escalate(ctx, d.Actors["cust3"], tk.Number, "x"); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("stranger: got %v, want not found", err)
		}
		ns, _ := inbox.List(ctx, d.Actors["super1"], true, 0, 10)
		if len(ns) != 3 {
			t.Errorf("supervisor got %d notices, want 3", len(ns))
		}
		hist, _ := d.Tickets.History(ctx, d.Actors["cust1"], tk.Number)
		n := 0
		for _, e := range hist {
			if e.Kind == ticket.EventEscalation {
				n++
			}
		}
		if n != 3 {
			t.Errorf("history has %d escalation events, want 3", n)
		}
	})
}

func TestRemoteAssistance(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusInProgress) // assigned to agent1
		if _, err := d.Tickets.RequestRemote(ctx, d.Actors["cust1"], tk.Number, "ToDesk", "x"); !apperr.Is(err, "remote.forbidden") {
			t.Errorf("customer requesting: got %v, want remote.forbidden", err)
		}
		r, err := d.Tickets.RequestRemote(ctx, d.Actors["agent1"], tk.Number, "向日葵", "检查打印机驱动 check the printer driver")
		if err != nil || r.State != ticket.RemoteRequested {
			t.Fatalf("request: %+v %v", r, err)
		}
		if _, err := d.Tickets.GrantRemote(ctx, d.Actors["agent1"], tk.Number, r.ID, "123 456 789"); !apperr.Is(err, "remote.consent_forbidden") {
			t.Errorf("agent granting: got %v, want remote.consent_forbidden", err)
		}
		clk.Advance(time.Minute)
		g, err := d.Tickets.GrantRemote(ctx, d.Actors["cust1"], tk.Number, r.ID, "123 456 789")
		if err != nil || g.State != ticket.RemoteActive || g.SessionCode != "123 456 789" || g.GrantedAt.IsZero() {
			t.Fatalf("grant: %+v %v", g, err)
		}
		if _, err := d.Tickets.GrantRemote(ctx, d.Actors["cust1"], tk.Number, r.ID, "x"); !apperr.Is(err, "remote.not_requested") {
			t.Errorf("granting twice: got %v, want remote.not_requested", err)
		}
		e, err := d.Tickets.EndRemote(ctx, d.Actors["cust1"], tk.Number, r.ID)
		if err != nil || e.State != ticket.RemoteEnded || e.EndedAt.IsZero() {
			t.Fatalf("end: %+v %v", e, err)
		}
		all, err := d.Tickets.RemoteSessions(ctx, d.Actors["cust1"], tk.Number)
		if err != nil || len(all) != 1 || all[0].State != ticket.RemoteEnded || all[0].Tool != "向日葵" {
			t.Errorf("sessions = %+v, %v", all, err)
		}
		hist, _ := d.Tickets.History(ctx, d.Actors["cust1"], tk.Number)
		n := 0
		for _, ev := range hist {
			if ev.Kind == ticket.EventRemote {
				n++
			}
		}
		if n != 3 {
			t.Errorf("history has %d remote events, want 3 (requested, granted, ended)", n)
		}
	})
}
