package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestAutomaticSteps: a proposed solution nobody answers is confirmed after
// 72 h (the customer is told), a resolved ticket closes after 7 days, and
// each timer goes away when the ticket moves on by hand.
func TestAutomaticSteps(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		inbox := notify.NewInbox(db.Notify(), clk.Now)

		tk := ticketIn(t, d, ticket.StatusAwaitingConfirmation)
		confirmKey := fmt.Sprintf("autoconfirm:%d", tk.ID)
		if got, want := jobAt(t, db, confirmKey), clk.Now().Add(72*time.Hour); !got.Equal(want) {
			t.Fatalf("auto-confirm timer at %v, want %v", got, want)
		}
		clk.Advance(72 * time.Hour)
		for range 2 { // a repeated run changes nothing more
			if err := d.Tickets.AutoConfirm(ctx, tk.Number); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		if got.Status != ticket.StatusResolved || got.Resolutions != 1 {
			t.Fatalf("after auto-confirm: %s, %d resolutions; want resolved once", got.Status, got.Resolutions)
		}
		ns, _ := inbox.List(ctx, d.Actors["cust1"], true, 0, 10)
		if len(ns) != 1 || ns[0].Kind != "ticket.auto_confirmed" {
			t.Errorf("customer inbox = %+v, want one ticket.auto_confirmed", ns)
		}
		closeKey := fmt.Sprintf("autoclose:%d", tk.ID)
		if got, want := jobAt(t, db, closeKey), clk.Now().Add(7*24*time.Hour); !got.Equal(want) {
			t.Fatalf("auto-close timer at %v, want %v", got, want)
		}
		clk.Advance(7 * 24 * time.Hour)
		if err := d.Tickets.AutoClose(ctx, tk.Number); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number); got.Status != ticket.StatusClosed {
			t.Errorf("after auto-close: %s, want closed", got.Status)
		}

		// Answered by hand: the timer is cancelled, and a late run is a no-op.
		tk2 := ticketIn(t, d, ticket.StatusAwaitingConfirmation)
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], tk2.Number, 0, ticket.StatusFollowUp, "没解决"); err != nil {
			t.Fatal(err)
		}
		if at := jobAt(t, db, fmt.Sprintf("autoconfirm:%d", tk2.ID)); !at.IsZero() {
			t.Errorf("rejected solution still has an auto-confirm timer at %v", at)
		}
		if err := d.Tickets.AutoConfirm(ctx, tk2.Number); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.Tickets.Get(ctx, d.Actors["admin"], tk2.Number); got.Status != ticket.StatusFollowUp {
			t.Errorf("late auto-confirm moved a follow-up ticket to %s", got.Status)
		}
		// The assignee was told of the rejection.
		if ns, _ := inbox.List(ctx, d.Actors["agent1"], true, 0, 10); len(ns) == 0 || ns[0].Kind != "ticket.rejected" {
			t.Errorf("assignee inbox = %+v, want ticket.rejected", ns)
		}
	})
}

// TestFollowupDeadline: a poor rating opens a follow-up task with a 24 h
// timer; overdue, the supervisors are told again; done, the timer goes.
func TestFollowupDeadline(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		inbox := notify.NewInbox(db.Notify(), clk.Now)
		tk := ticketIn(t, d, ticket.StatusResolved)
		if _, err := d.Tickets.Rate(ctx, d.Actors["cust1"], tk.Number, ticket.Neutral, "一般般"); err != nil {
			t.Fatal(err)
		}
		fs, err := d.Tickets.Followups(ctx, d.Actors["super1"], tk.Number)
		if err != nil || len(fs) != 1 {
			t.Fatalf("follow-ups = %+v, %v", fs, err)
		}
		f := fs[0]
		key := fmt.Sprintf("followup:%d:%d", tk.ID, f.ID)
		if got, want := jobAt(t, db, key), clk.Now().Add(24*time.Hour); !got.Equal(want) {
			t.Fatalf("follow-up timer at %v, want %v", got, want)
		}
		if _, err := d.Tickets.Followups(ctx, d.Actors["cust1"], tk.Number); err == nil {
			t.Errorf("a customer listed follow-up tasks")
		}
		clk.Advance(25 * time.Hour)
		if err := d.Tickets.FollowupOverdue(ctx, tk.Number, f.ID); err != nil {
			t.Fatal(err)
		}
		ns, _ := inbox.List(ctx, d.Actors["super1"], true, 0, 10)
		if len(ns) != 2 || ns[0].Kind != "followup.overdue" {
			t.Errorf("supervisor inbox = %+v, want rating.poor then followup.overdue", ns)
		}
		if _, err := d.Tickets.CompleteFollowup(ctx, d.Actors["agent1"], tk.Number, f.ID, "打过电话"); err == nil {
			t.Errorf("an agent completed a supervisor's follow-up")
		}
		done, err := d.Tickets.CompleteFollowup(ctx, d.Actors["super1"], tk.Number, f.ID, "已电话回访，客户认可")
		if err != nil || done.DoneAt.IsZero() {
			t.Fatalf("complete: %+v %v", done, err)
		}
		if at := jobAt(t, db, key); !at.IsZero() {
			t.Errorf("done follow-up still has a timer at %v", at)
		}
		if err := d.Tickets.FollowupOverdue(ctx, tk.Number, f.ID); err != nil {
			t.Fatal(err)
		}
		if ns, _ := inbox.List(ctx, d.Actors["super1"], true, 0, 10); len(ns) != 2 {
			t.Errorf("a done follow-up notified again: %+v", ns)
		}
	})
}

// TestReplyPostponesAutoConfirm: a customer's question about a proposed
// solution restarts the wait before the automatic confirmation.
func TestReplyPostponesAutoConfirm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		tk := ticketIn(t, d, ticket.StatusAwaitingConfirmation)
		clk.Advance(48 * time.Hour)
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["cust1"], tk.Number, ticket.MessageInput{Body: "要重启电脑吗？"}); err != nil {
			t.Fatal(err)
		}
		if got, want := jobAt(t, db, fmt.Sprintf("autoconfirm:%d", tk.ID)), clk.Now().Add(72*time.Hour); !got.Equal(want) {
			t.Errorf("auto-confirm after the reply at %v, want %v", got, want)
		}
	})
}
