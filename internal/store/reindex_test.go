package store_test

import (
	"context"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
)

// TestRebuildResumesAfterInterruption: a PostgreSQL rebuild drops the GIN
// indexes and empties the documents before it refills them. One stopped
// half-way (flag still set, an index gone, documents missing) is finished
// by the next start, which two nodes may make at once: every document is
// back, the indexes exist, the flag is cleared.
func TestRebuildResumesAfterInterruption(t *testing.T) {
	ctx := context.Background()
	db, raw, dsn := postgresDesk(t)
	d := desktest.New(t, db, desktest.Options{})
	for _, title := range []string{"打印机卡纸", "VPN 连不上", "密码忘了"} {
		tk := d.NewTicket(t, "cust1", title)
		if _, err := d.Tickets.AddMessage(ctx, d.Actors["admin"], tk.Number, ticket.MessageInput{Body: "您好，请重启后再试 please retry"}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, q := range []string{`UPDATE search_state SET reindex = TRUE WHERE id = 1`, `DROP INDEX ticket_search_doc`,
		`DELETE FROM ticket_search WHERE ticket_id = (SELECT MAX(ticket_id) FROM ticket_search)`, `DELETE FROM message_search`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Two nodes start at once: one rebuilds, the other waits and finds it done.
	other, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	errs := make(chan error, 2)
	for _, n := range []*store.DB{db, other} {
		go func() { errs <- n.Migrate(ctx) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got, want := count(`SELECT count(*) FROM ticket_search`), count(`SELECT count(*) FROM tickets`); got != want {
		t.Errorf("%d ticket documents for %d tickets", got, want)
	}
	if got, want := count(`SELECT count(*) FROM message_search`), count(`SELECT count(*) FROM ticket_messages`); got != want || got == 0 {
		t.Errorf("%d message documents for %d messages", got, want)
	}
	if n := count(`SELECT count(*) FROM pg_indexes WHERE indexname IN ('ticket_search_doc', 'message_search_doc', 'article_search_doc')`); n != 3 {
		t.Errorf("%d of the 3 GIN indexes exist after the rebuild", n)
	}
	if n := count(`SELECT count(*) FROM search_state WHERE reindex`); n != 0 {
		t.Error("the rebuild flag is still set")
	}
}
