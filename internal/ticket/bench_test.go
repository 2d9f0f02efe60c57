package ticket_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// benchEngines runs a benchmark on SQLite, and on PostgreSQL when configured.
func benchEngines(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.Postgres(b)) })
}

// BenchmarkCreate measures ticket creation through the service, from many
// goroutines as the HTTP server would call it.
func BenchmarkCreate(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		d := desktest.New(b, db, desktest.Options{})
		by := d.Actors["cust1"]
		ctx := context.Background()
		var n atomic.Int64
		b.SetParallelism(16) // 32 goroutines on 2 cores
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				_, err := d.Tickets.Create(ctx, by, ticket.CreateInput{Title: fmt.Sprintf("打印机无法打印 %d", i),
					Description: "客户反映打印机脱机 printer offline", Category: "software", Priority: ticket.P3,
					CustomFields: map[string]any{"os": "Windows"}})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// seedBulk loads n tickets spread over groups, statuses and times.
func seedBulk(b *testing.B, d *desktest.Desk, n int) []string {
	ctx := context.Background()
	cats := []struct {
		id  int64
		key string
		gid int64
		gk  string
	}{}
	cs, err := d.DB.Tickets().Categories(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cs {
		cats = append(cats, struct {
			id  int64
			key string
			gid int64
			gk  string
		}{c.ID, c.Key, c.GroupID, c.GroupKey})
	}
	customers := []identity.User{d.Users["cust1"], d.Users["cust2"], d.Users["cust3"]}
	agents := []identity.User{d.Users["agent1"], d.Users["agent2"], d.Users["agent3"]}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var numbers []string
	const batch = 2000
	for start := 0; start < n; start += batch {
		recs := make([]ticket.NewRecord, 0, batch)
		for i := start; i < min(n, start+batch); i++ {
			c := cats[i%len(cats)]
			cu := customers[i%len(customers)]
			at := base.Add(time.Duration(i) * time.Minute)
			st := ticket.Statuses[i%len(ticket.Statuses)]
			t := ticket.Ticket{Title: fmt.Sprintf("网络异常 ticket %d", i), Description: "bulk", CategoryID: c.id,
				Priority: ticket.Priorities[i%4], Status: st, Channel: ticket.ChannelWeb, RequesterID: cu.ID, OrgID: cu.OrgID,
				GroupID: c.gid, Version: 1, CreatedAt: at, UpdatedAt: at}
			if st != ticket.StatusUnassigned {
				t.AssigneeID = agents[i%len(agents)].ID
			}
			recs = append(recs, ticket.NewRecord{Ticket: t, Day: at.Format("20060102"),
				Events: []ticket.Event{{Actor: "bench", Kind: ticket.EventCreated, At: at}}})
		}
		got, err := d.DB.Tickets().ImportTickets(ctx, recs)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range got {
			numbers = append(numbers, t.Number)
		}
	}
	if err := d.DB.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return numbers
}

// BenchmarkGet measures fetching one ticket as its group's agent.
func BenchmarkGet(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		d := desktest.New(b, db, desktest.Options{})
		numbers := seedBulk(b, d, 10000)
		by := d.Actors["super1"]
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, err := d.Tickets.Get(ctx, by, numbers[(i*5)%len(numbers)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQueue measures an agent's queue pages (50 rows) with 100,000
// tickets in the desk: everything in my groups, my groups' unassigned
// tickets, and my own open tickets.
func BenchmarkQueue(b *testing.B) {
	benchEngines(b, func(b *testing.B, db *store.DB) {
		d := desktest.New(b, db, desktest.Options{})
		seedBulk(b, d, 100000)
		ctx := context.Background()
		by := d.Actors["agent1"]
		for _, q := range []struct {
			name string
			in   ticket.ListInput
		}{
			{"groups", ticket.ListInput{}},
			{"unassigned", ticket.ListInput{Statuses: []string{"unassigned"}}},
			{"mine-open", ticket.ListInput{Assignee: "me", Statuses: []string{"assigned", "in_progress", "follow_up"}}},
			{"by-priority", ticket.ListInput{Sort: "priority"}},
		} {
			b.Run(q.name, func(b *testing.B) {
				for b.Loop() {
					p, err := d.Tickets.List(ctx, by, q.in)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Tickets) != 50 {
						b.Fatalf("got %d rows, want 50", len(p.Tickets))
					}
				}
			})
		}
	})
}
