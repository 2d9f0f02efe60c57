package ticket_test

import (
	"context"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "打印机无法连接 <script>alert(1)</script>")
		if tk.Status != ticket.StatusUnassigned || tk.GroupKey != "software" || len(tk.Number) != len("TS20261122001") {
			t.Fatalf("new ticket = %+v", tk)
		}
		got, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ticket.StatusAssigned || got.Assignee != "agent1" {
			t.Fatalf("after claim: %s %s", got.Status, got.Assignee)
		}
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "请重启试试"}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "内部备注", Internal: true}); err != nil {
			t.Fatal(err)
		}
		got, _ = d.Tickets.Get(ctx, d.Actors["agent1"], tk.Number)
		if got.Status != ticket.StatusInProgress || got.FirstResponseAt.IsZero() {
			t.Fatalf("after reply: %s first=%v", got.Status, got.FirstResponseAt)
		}
		msgs, err := d.Tickets.Messages(ctx, d.Actors["cust1"], tk.Number)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("customer sees %d messages (%v), want 1", len(msgs), err)
		}
		for _, to := range []ticket.Status{ticket.StatusAwaitingConfirmation} {
			if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], tk.Number, 0, to, "已修复"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], tk.Number, 0, ticket.StatusResolved, ""); err != nil {
			t.Fatal(err)
		}
		_, err = d.Tickets.ChangeStatus(ctx, d.Actors["agent1"], tk.Number, 0, ticket.StatusUnassigned, "")
		if !apperr.Is(err, "ticket.transition_invalid") {
			t.Fatalf("resolved→unassigned: got %v, want ticket.transition_invalid", err)
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], tk.Number, 0, ticket.StatusClosed, ""); err != nil {
			t.Fatal(err)
		}
		hist, err := d.Tickets.History(ctx, d.Actors["agent1"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		custHist, _ := d.Tickets.History(ctx, d.Actors["cust1"], tk.Number)
		if len(custHist) != len(hist)-1 {
			t.Errorf("customer history has %d events, staff %d: want exactly the note hidden", len(custHist), len(hist))
		}
		if _, err := d.Tickets.Get(ctx, d.Actors["cust3"], tk.Number); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("other customer: got %v, want not found", err)
		}
		page, err := d.Tickets.List(ctx, d.Actors["agent1"], ticket.ListInput{})
		if err != nil || len(page.Tickets) != 1 {
			t.Fatalf("agent list: %d %v", len(page.Tickets), err)
		}
	})
}
