package ticket_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/routing"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestCreationIsRouted: a new ticket goes where the first matching rule
// says, with the rule's priority, and to an available agent when its group
// assigns automatically; the history records why.
func TestCreationIsRouted(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		admin := d.Actors["admin"]
		if _, err := d.Routing.SaveRule(ctx, admin, routing.Rule{Name: "打印机归硬件组", Enabled: true,
			Conditions: routing.Conditions{Keywords: []string{"打印机"}}, GroupKey: "hardware", SetPriority: ticket.P2}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Routing.SetGroupStrategy(ctx, admin, "hardware", routing.LeastOpen); err != nil {
			t.Fatal(err)
		}
		tk, err := d.Tickets.Create(ctx, d.Actors["cust1"], ticket.CreateInput{Title: "打印机卡纸", Description: "三楼打印机",
			Category: "software", Priority: ticket.P4})
		if err != nil {
			t.Fatal(err)
		}
		if tk.GroupKey != "hardware" || tk.Priority != ticket.P2 || tk.Assignee != "agent3" || tk.Status != ticket.StatusAssigned {
			t.Errorf("routed ticket: group %s, priority %s, assignee %q, status %s; want hardware, P2, agent3, assigned",
				tk.GroupKey, tk.Priority, tk.Assignee, tk.Status)
		}
		if tk.SLA.Acknowledge.State() != sla.Running {
			t.Errorf("auto-assigned ticket: acknowledge clock %v, want running", tk.SLA.Acknowledge.State())
		}
		hist, _ := d.Tickets.History(ctx, d.Actors["admin"], tk.Number)
		kinds := map[ticket.EventKind]string{}
		for _, e := range hist {
			kinds[e.Kind] = e.Comment
		}
		if kinds[ticket.EventGroup] != "打印机归硬件组" {
			t.Errorf("history %+v: want the group change explained by the rule", hist)
		}
		// No rule matches, software stays manual: the ticket waits in the queue.
		other := create(t, d, ticket.P3)
		if other.GroupKey != "software" || other.Assignee != "" || other.Status != ticket.StatusUnassigned {
			t.Errorf("unrouted ticket: group %s, assignee %q, status %s; want software queue", other.GroupKey, other.Assignee, other.Status)
		}
	})
}
