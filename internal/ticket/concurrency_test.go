package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// race runs fn(i) for i in [0, n) on n goroutines released together and
// returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentUpdateSameVersion(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "并发编辑 concurrent edit")
		by := []identity.Actor{d.Actors["cust1"], d.Actors["super1"]}
		for round := range 10 {
			t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
				cur, err := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				titles := []string{fmt.Sprintf("A %d", round), fmt.Sprintf("B %d", round)}
				errs := race(2, func(i int) error {
					_, err := d.Tickets.Update(ctx, by[i], tk.Number, cur.Version, ticket.Patch{Title: &titles[i]})
					return err
				})
				winner, wins := -1, 0
				for i, err := range errs {
					if err == nil {
						winner, wins = i, wins+1
					} else if got := outcome(false, err); got != "precondition_failed:ticket.version_mismatch" {
						t.Errorf("loser %d: got %s, want precondition_failed:ticket.version_mismatch", i, got)
					}
				}
				if wins != 1 {
					t.Fatalf("got errors %v, want exactly one success", errs)
				}
				after, err := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if after.Title != titles[winner] || after.Version != cur.Version+1 {
					t.Errorf("got %q v%d, want %q v%d", after.Title, after.Version, titles[winner], cur.Version+1)
				}
			})
		}
	})
}

func TestConcurrentClaim(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		var agents []identity.Actor
		for i := range 8 {
			u, err := d.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: fmt.Sprintf("racer%d", i),
				Password: desktest.Password, Role: identity.RoleAgent, GroupKeys: []string{"software"}})
			if err != nil {
				t.Fatal(err)
			}
			agents = append(agents, identity.ActorOf(u))
		}
		for round := range 5 {
			t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
				tk := d.NewTicket(t, "cust1", "抢单 claim race")
				errs := race(len(agents), func(i int) error {
					_, err := d.Tickets.Claim(ctx, agents[i], tk.Number)
					return err
				})
				var winners []string
				for i, err := range errs {
					switch got := outcome(false, err); got {
					case "no":
						winners = append(winners, agents[i].Login)
					case "conflict:ticket.already_assigned":
					default:
						t.Errorf("%s: got %s, want success or conflict:ticket.already_assigned", agents[i].Login, got)
					}
				}
				if len(winners) != 1 {
					t.Fatalf("winners: got %v, want exactly one", winners)
				}
				after, err := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				if after.Assignee != winners[0] || after.Status != ticket.StatusAssigned {
					t.Errorf("got %s %s, want %s assigned", after.Assignee, after.Status, winners[0])
				}
				hist, err := d.Tickets.History(ctx, d.Actors["admin"], tk.Number)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, e := range hist {
					if e.Kind == ticket.EventAssignee {
						n++
					}
				}
				if n != 1 {
					t.Errorf("assignee events: got %d, want 1", n)
				}
			})
		}
	})
}

func TestConcurrentMessages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "并发回复 concurrent replies")
		tk, err := d.Tickets.Claim(ctx, d.Actors["agent1"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		writers := []string{"cust1", "cust2", "agent1", "agent2", "super1", "admin"}
		errs := race(n, func(i int) error {
			by := d.Actors[writers[i%len(writers)]]
			_, err := d.Tickets.AddMessage(ctx, by, tk.Number,
				ticket.MessageInput{Body: fmt.Sprintf("消息 %d", i), Internal: by.Role.Staff() && i%4 == 0})
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("message %d: %v", i, err)
			}
		}
		msgs, err := d.Tickets.Messages(ctx, d.Actors["admin"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range msgs {
			bodies = append(bodies, m.Body)
		}
		slices.Sort(bodies)
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("消息 %d", i))
		}
		slices.Sort(want)
		if !slices.Equal(bodies, want) {
			t.Errorf("messages: got %d %v, want %d", len(bodies), bodies, n)
		}
		after, err := d.Tickets.Get(ctx, d.Actors["admin"], tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != tk.Version+n {
			t.Errorf("version: got %d, want %d", after.Version, tk.Version+n)
		}
	})
}

func TestConcurrentIdempotentCreate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{Now: newClock(noonNov22).Now})
		if _, err := newTicket(ctx, d, "cust2", "之前 before"); err != nil {
			t.Fatal(err)
		}
		const n = 10
		numbers := make([]string, n)
		replays := make([]bool, n)
		errs := race(n, func(i int) error {
			tk, replayed, err := d.Tickets.CreateIdempotent(ctx, d.Actors["cust1"], ticket.CreateInput{
				Title: "重复提交 double submit", Description: "描述", Category: "software", IdempotencyKey: "form-42"})
			numbers[i], replays[i] = tk.Number, replayed
			return err
		})
		fresh := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if numbers[i] != "TS20261122002" {
				t.Errorf("request %d: got %s, want TS20261122002", i, numbers[i])
			}
			if !replays[i] {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("requests that created: got %d, want 1", fresh)
		}
		// The same key from another user is a different request.
		other, replayed, err := d.Tickets.CreateIdempotent(ctx, d.Actors["cust3"], ticket.CreateInput{
			Title: "别人 someone else", Description: "描述", Category: "software", IdempotencyKey: "form-42"})
		if err != nil || replayed || other.Number != "TS20261122003" {
			t.Errorf("other user, same key: got %s replayed=%v (%v), want TS20261122003 created", other.Number, replayed, err)
		}
		after, err := newTicket(ctx, d, "cust2", "之后 after")
		if err != nil {
			t.Fatal(err)
		}
		if after.Number != "TS20261122004" {
			t.Errorf("next number: got %s, want TS20261122004", after.Number)
		}
		if got, want := allNumbers(t, d), serials("20261122", 1, 4); !slices.Equal(got, want) {
			t.Errorf("stored numbers: got %v, want %v", got, want)
		}
	})
}
