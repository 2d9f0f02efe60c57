package alert_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// mailboxes stands in for the mail intake, which is not built yet: the
// rule kind evaluates through this interface.
type mailboxes struct{ failing []string }

func (m *mailboxes) Failing(context.Context) ([]string, error) { return m.failing, nil }

func TestRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		d := desktest.New(t, db, desktest.Options{Now: clock})
		boxes := &mailboxes{}
		svc := alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(), Directory: db.Identity(), Mailboxes: boxes,
			Announcer: notify.AlertAnnouncer{}, Now: clock})
		// deliveries counts the alert events written to the outbox (the
		// jobs that email and IM robots are fanned out from).
		deliveries := func() int {
			n, err := db.Outbound().CountJobs(ctx, notify.KindAlert)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		admin, super := d.Actors["admin"], d.Actors["super1"]
		inbox := notify.NewInbox(db.Notify(), clock)
		unread := func() int {
			n, err := inbox.Unread(ctx, super)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := svc.SaveRule(ctx, super, alert.Rule{Kind: alert.UnassignedBacklog, Logins: []string{"super1"}}); err == nil {
			t.Error("a supervisor saved an alert rule")
		}
		if _, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: "bogus", Logins: []string{"cust1"}}); err == nil {
			t.Error("bad kind and customer recipient accepted")
		}
		_, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.UnassignedBacklog, Logins: []string{"super1"}, Channels: []alert.Channel{"sms"}})
		if !apperr.Is(err, "alert.channel_invalid") {
			t.Errorf("channel sms: got %v, want alert.channel_invalid", err)
		}
		backlog, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.UnassignedBacklog, Threshold: 1, ForMinutes: 10, Logins: []string{"super1"}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		mail, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.MailboxFailing, Logins: []string{"super1"}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		open := func() map[int64]bool {
			as, err := db.Alerts().OpenAlerts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			m := map[int64]bool{}
			for _, a := range as {
				m[a.RuleID] = true
			}
			return m
		}
		eval := func(at time.Time) {
			t.Helper()
			now = at
			if err := svc.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		t1 := d.NewTicket(t, "cust1", "无法登录")
		d.NewTicket(t, "cust1", "打印机")
		eval(now) // two unassigned: the condition starts holding
		if len(open()) != 0 || unread() != 0 {
			t.Fatal("alert opened before the condition held for 10 minutes")
		}
		eval(now.Add(5 * time.Minute))
		if len(open()) != 0 {
			t.Fatal("alert opened after 5 minutes")
		}
		eval(now.Add(6 * time.Minute))
		if !open()[backlog.ID] || unread() != 1 {
			t.Fatalf("after 11 minutes: open %v, unread %d; want the backlog alert and one notice", open(), unread())
		}
		eval(now.Add(time.Minute)) // still holding: deduplicated
		if unread() != 1 || deliveries() != 1 {
			t.Errorf("repeated evaluation: unread %d, deliveries %d; want 1 and 1", unread(), deliveries())
		}
		if _, err := d.Tickets.ChangeStatus(ctx, d.Actors["cust1"], t1.Number, 0, ticket.StatusClosed, ""); err != nil {
			t.Fatal(err)
		}
		eval(now.Add(time.Minute)) // one unassigned left: cleared
		if open()[backlog.ID] || unread() != 2 || deliveries() != 2 {
			t.Errorf("after clearing: open %v, unread %d, deliveries %d; want none open, 2, 2", open(), unread(), deliveries())
		}

		boxes.failing = []string{"support@example.com"}
		eval(now.Add(time.Minute))
		if !open()[mail.ID] {
			t.Error("failing mailbox did not open an alert")
		}
		boxes.failing = nil
		eval(now.Add(time.Minute))
		if open()[mail.ID] {
			t.Error("mailbox alert not resolved")
		}

		p1, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.P1Unacknowledged, Logins: []string{"super1"}, Enabled: true})
		if err != nil || p1.ForMinutes != 15 {
			t.Fatalf("P1 rule = %+v, %v (want 15 minutes by default)", p1, err)
		}
		if _, err := d.Tickets.Create(ctx, d.Actors["cust1"], ticket.CreateInput{Title: "服务器宕机", Description: "全部无法访问",
			Category: "software", Priority: ticket.P1}); err != nil {
			t.Fatal(err)
		}
		eval(now.Add(14 * time.Minute))
		if open()[p1.ID] {
			t.Error("P1 alert before 15 minutes")
		}
		eval(now.Add(2 * time.Minute))
		if !open()[p1.ID] {
			t.Error("P1 unacknowledged for 16 minutes did not alert")
		}
		if err := svc.DeleteRule(ctx, admin, p1.ID); err != nil || open()[p1.ID] {
			t.Errorf("deleting the rule: %v, open %v", err, open())
		}
	})
}
