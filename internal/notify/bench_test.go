package notify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// BenchmarkFanout measures notification fan-out end to end: 500 ticket
// changes (a creation and an agent reply for 250 tickets) become event jobs
// in their transactions, the runner fans them out into email jobs, and
// each email is rendered and sent to a local SMTP sink.
func BenchmarkFanout(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", func(t testing.TB) *store.DB { return storetest.SQLite(t) }}, {"postgres", storetest.Postgres}} {
		b.Run(eng.name, func(b *testing.B) {
			const tickets = 250
			for b.Loop() {
				b.StopTimer()
				o := newOutDeskB(b, eng.open(b))
				ctx := context.Background()
				b.StartTimer()
				start := time.Now()
				for i := range tickets {
					tk, err := o.d.Tickets.Create(ctx, o.d.Actors["cust1"], ticket.CreateInput{Title: fmt.Sprintf("压测 %d", i),
						Description: "d", Category: "software"})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := o.d.Tickets.AddMessage(ctx, identity.System, tk.Number, ticket.MessageInput{Body: "已处理 done"}); err != nil {
						b.Fatal(err)
					}
				}
				queued := time.Since(start)
				deadline := time.Now().Add(5 * time.Minute)
				for o.smtp.count() < 2*tickets {
					if time.Now().After(deadline) {
						b.Fatalf("sent %d of %d", o.smtp.count(), 2*tickets)
					}
					time.Sleep(5 * time.Millisecond)
				}
				all := time.Since(start)
				b.ReportMetric(float64(2*tickets)/queued.Seconds(), "changes/s")
				b.ReportMetric(float64(2*tickets)/all.Seconds(), "mails/s")
			}
		})
	}
}
