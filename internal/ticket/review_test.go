package ticket_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestNoLeaksThroughSidePaths: contact data, remote session codes and
// supervisors' notes stay hidden on every path, not just on Get.
func TestNoLeaksThroughSidePaths(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusInProgress) // cust1's, assigned to agent1
		phone := "13999998888"
		if _, err := d.Tickets.Update(ctx, d.Actors["cust1"], tk.Number, 0, ticket.Patch{ContactPhone: &phone}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"cust2", "agent2"} { // colleague, group agent not assigned
			hist, err := d.Tickets.History(ctx, d.Actors[who], tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range hist {
				if e.Field == "contact_phone" && (e.From == "13812341234" || e.To == phone) {
					t.Errorf("%s reads the contact change unmasked: %q → %q", who, e.From, e.To)
				}
			}
		}
		r, err := d.Tickets.RequestRemote(ctx, d.Actors["agent1"], tk.Number, "ToDesk", "driver")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.GrantRemote(ctx, d.Actors["cust1"], tk.Number, r.ID, "123 456 789"); err != nil {
			t.Fatal(err)
		}
		for who, see := range map[string]bool{"cust1": true, "agent1": true, "super1": true, "cust2": false, "agent2": false} {
			rs, err := d.Tickets.RemoteSessions(ctx, d.Actors[who], tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			if got := rs[0].SessionCode != ""; got != see {
				t.Errorf("%s sees the session code: %v, want %v", who, got, see)
			}
		}
		// A colleague's reply to a closed ticket: the new ticket has their contact, not the requester's.
		closed := ticketIn(t, d, ticket.StatusClosed)
		m, err := d.Tickets.AddMessage(ctx, d.Actors["cust2"], closed.Number, ticket.MessageInput{Body: "又坏了"})
		if err != nil {
			t.Fatal(err)
		}
		nt, _ := d.Tickets.Get(ctx, d.Actors["admin"], m.Number)
		if nt.ContactPhone == "13812341234" || nt.ContactEmail == "zhang.san@example.com" {
			t.Errorf("the colleague's new ticket carries the requester's contact: %q %q", nt.ContactPhone, nt.ContactEmail)
		}
		// A supervisor's follow-up note stays with staff.
		res := ticketIn(t, d, ticket.StatusResolved)
		if _, err := d.Tickets.Rate(ctx, d.Actors["cust1"], res.Number, ticket.Dissatisfied, ""); err != nil {
			t.Fatal(err)
		}
		fs, _ := d.Tickets.Followups(ctx, d.Actors["super1"], res.Number)
		if _, err := d.Tickets.CompleteFollowup(ctx, d.Actors["super1"], res.Number, fs[0].ID, "客户比较难沟通"); err != nil {
			t.Fatal(err)
		}
		hist, _ := d.Tickets.History(ctx, d.Actors["cust1"], res.Number)
		for _, e := range hist {
			if e.Comment == "客户比较难沟通" {
				t.Errorf("the customer reads the supervisor's follow-up note: %+v", e)
			}
		}
	})
}

// TestClocksAfterReview: an assignment while the customer is asked to
// confirm does not start a running clock; a reopened ticket gets a fresh
// resolution clock; an SLA tick with nothing due leaves the ticket alone.
func TestClocksAfterReview(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusAwaitingConfirmation)
		got, err := d.Tickets.Assign(ctx, d.Actors["super1"], tk.Number, 0, "agent2", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if st := got.SLA.Acknowledge.State(); st == sla.Running {
			t.Errorf("reassigned while awaiting confirmation: acknowledge clock running")
		}
		before := got.Version
		if err := d.Tickets.SLATick(ctx, tk.Number); err != nil {
			t.Fatal(err)
		}
		if after, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number); after.Version != before {
			t.Errorf("an SLA tick with nothing due changed the ticket (version %d → %d)", before, after.Version)
		}

		res := ticketIn(t, d, ticket.StatusResolved)
		clk.Advance(time.Hour)
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], res.Number, 0, ticket.StatusFollowUp, "又出现了"); err != nil {
			t.Fatal(err)
		}
		re, _ := d.Tickets.Get(ctx, d.Actors["admin"], res.Number)
		if re.SLA.Resolution.State() != sla.Running || !re.SLA.Resolution.Due.After(clk.Now()) {
			t.Errorf("reopened: resolution clock %v due %v, want running again", re.SLA.Resolution.State(), re.SLA.Resolution.Due)
		}
	})
}

// TestStaffReasonsStayWithStaff: a supervisor's transfer reason and a staff
// escalation reason are for colleagues; the customer sees the move without
// them, and keeps the reason they gave when they escalated themselves.
func TestStaffReasonsStayWithStaff(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusInProgress)
		const transfer, staffEsc, custEsc = "客户比较难沟通，转给硬件组", "内部：领导关注", "三天没人处理"
		if _, err := d.Tickets.Escalate(ctx, d.Actors["super1"], tk.Number, staffEsc); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, custEsc); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.Assign(ctx, d.Actors["super1"], tk.Number, 0, "", "hardware", transfer); err != nil {
			t.Fatal(err)
		}
		comments := func(who string) map[string]bool {
			hist, err := d.Tickets.History(ctx, d.Actors[who], tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, e := range hist {
				got[e.Comment] = true
			}
			return got
		}
		cust := comments("cust1")
		if cust[transfer] || cust[staffEsc] {
			t.Errorf("the customer reads staff reasons: %v", cust)
		}
		if !cust[custEsc] {
			t.Errorf("the customer lost their own escalation reason: %v", cust)
		}
		staff := comments("admin")
		if !staff[transfer] || !staff[staffEsc] || !staff[custEsc] {
			t.Errorf("staff miss reasons: %v", staff)
		}
	})
}

// TestColleagueReplyDoesNotReopen: an org colleague's message on a resolved
// ticket is kept and the assignee told, but only the requester reopens it
// (the status machine's rule, which a reply must not bypass).
func TestColleagueReplyDoesNotReopen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusResolved)
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["cust2"], tk.Number, ticket.MessageInput{Body: "我这边也好了"}); err != nil {
			t.Fatal(err)
		}
		got, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		if got.Status != ticket.StatusResolved {
			t.Errorf("after a colleague's reply: status %s, want %s", got.Status, ticket.StatusResolved)
		}
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["cust1"], tk.Number, ticket.MessageInput{Body: "又不行了"}); err != nil {
			t.Fatal(err)
		}
		got, _ = d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		if got.Status != ticket.StatusFollowUp {
			t.Errorf("after the requester's reply: status %s, want %s", got.Status, ticket.StatusFollowUp)
		}
	})
}

// TestAssignRevealsNoLogins: someone who may not see a ticket gets the same
// not-found answer whether the login they name exists, is staff or not.
func TestAssignRevealsNoLogins(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusInProgress) // cust1's, software group
		for _, login := range []string{"agent2", "cust1", "nobody-here"} {
			_, err := d.Tickets.Assign(ctx, d.Actors["cust3"], tk.Number, 0, login, "", "")
			if !apperr.Is(err, "ticket.not_found") {
				t.Errorf("assign to %s by a stranger: %v, want ticket.not_found", login, err)
			}
		}
		_, err := d.Tickets.Assign(ctx, d.Actors["cust1"], tk.Number, 0, "nobody-here", "", "")
		if !apperr.Is(err, "ticket.assign_forbidden") {
			t.Errorf("assign by the requester: %v, want ticket.assign_forbidden", err)
		}
	})
}
