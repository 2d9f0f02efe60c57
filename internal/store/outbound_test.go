package store_test

import (
	"context"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/mailin"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestFirstInboundIDBeforeIntakeLinks: the "ticket received" mail threads
// onto the customer's message even when its fan-out runs between the
// ticket's creation and mail intake linking the Message-ID (a race seen in
// TestOutboundMail on PostgreSQL), because the creation's idempotency key
// carries the ID.
func TestFirstInboundIDBeforeIntakeLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		mk := func(key string) int64 {
			tk, _, err := d.Tickets.CreateIdempotent(ctx, d.Actors["cust1"], ticket.CreateInput{Title: "打印机 mail", Description: "body",
				Category: "software", Priority: ticket.P3, Channel: ticket.ChannelEmail, IdempotencyKey: key})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		for _, c := range []struct{ key, want string }{
			{mailin.IdemPrefix + "<abc.123@mail.example.com>", "<abc.123@mail.example.com>"},
			{"mail:0f0e", ""},     // a hashed key names no ID: nothing until intake links it
			{"portal-form-7", ""}, // not from mail
		} {
			got, err := db.Outbound().FirstInboundID(ctx, mk(c.key))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("key %q: got %q, want %q", c.key, got, c.want)
			}
		}
	})
}
