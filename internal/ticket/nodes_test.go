package ticket_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestNumbersAcrossNodes: three nodes (each its own connection pool and
// services) share one PostgreSQL database and file tickets at once; the
// day's numbers are unique and gapless across all of them.
func TestNumbersAcrossNodes(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	clk := newClock(time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC))
	var nodes []*desktest.Desk
	for i := range 3 {
		db, err := store.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// A fixed clock keeps every ticket on one day, whenever the test runs.
		nodes = append(nodes, desktest.New(t, db, desktest.Options{NoUsers: i > 0, Now: clk.Now}))
	}
	cust := nodes[0].Actors["cust1"]
	const perNode = 100
	var mu sync.Mutex
	var numbers []string
	var wg sync.WaitGroup
	for _, n := range nodes {
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perNode / 8 {
					tk, err := n.Tickets.Create(ctx, cust, ticket.CreateInput{Title: fmt.Sprintf("node ticket %d-%d", w, i),
						Description: "d", Category: "network"})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					numbers = append(numbers, tk.Number)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	sort.Strings(numbers)
	day := numbers[0][:10]
	for i, num := range numbers {
		if want := fmt.Sprintf("%s%03d", day, i+1); num != want {
			t.Fatalf("number %d = %s, want %s (numbers must be unique and gapless across nodes)", i, num, want)
		}
	}
	if len(numbers) != 3*(perNode/8)*8 {
		t.Errorf("%d tickets, want %d", len(numbers), 3*(perNode/8)*8)
	}
}
