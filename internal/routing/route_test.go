package routing_test

import (
	"slices"
	"sync"
	"testing"

	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// The software group's pool: agent1, agent2 (desktest) and agent4, agent5
// added here, in id order; super1 is a member but not in the pool.
func softwarePool(t testing.TB, e *env) {
	e.addAgent(t, "agent4", "software")
	e.addAgent(t, "agent5", "software", "hardware")
}

func TestRoundRobin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		softwarePool(t, e)
		e.strategy(t, "software", routing.RoundRobin)

		t.Run("cycles in id order", func(t *testing.T) {
			got := e.route(t, 9)
			want := []string{"agent1", "agent2", "agent4", "agent5", "agent1", "agent2", "agent4", "agent5", "agent1"}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
		t.Run("skips away agents", func(t *testing.T) {
			e.away(t, "agent2", true)
			defer e.away(t, "agent2", false)
			got := e.route(t, 6) // the cursor is at agent1
			want := []string{"agent4", "agent5", "agent1", "agent4", "agent5", "agent1"}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
		t.Run("skips agents at their cap", func(t *testing.T) {
			if _, err := e.svc.SetMaxOpen(ctx, e.admin(), "agent4", 1); err != nil {
				t.Fatal(err)
			}
			e.load(t, "agent4", 1)
			got := e.route(t, 6) // the cursor is at agent1
			want := []string{"agent2", "agent5", "agent1", "agent2", "agent5", "agent1"}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
		t.Run("the desk default cap", func(t *testing.T) {
			small := routing.NewService(routing.Deps{Store: db.Routing(), Directory: db.Identity(), Categories: db.Tickets(),
				DefaultMaxOpen: 1})
			e.load(t, "agent1", 1)
			a, err := small.Route(ctx, e.newTicket(t, "software", "默认上限"))
			if err != nil {
				t.Fatal(err)
			}
			// agent1 and agent4 have one open ticket each, the cap of both.
			if a.Assignee != "agent2" {
				t.Errorf("got %q, want agent2", a.Assignee)
			}
		})
	})
}

// TestManualByDefault: a group nobody configured keeps its tickets in the
// queue to be claimed; a rule naming an available agent still assigns.
func TestManualByDefault(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		softwarePool(t, e)
		d, err := e.svc.DryRun(ctx, e.admin(), ticket.Ticket{CategoryKey: "software"})
		if err != nil {
			t.Fatal(err)
		}
		if d.Strategy != routing.Manual || d.Assignment.AssigneeID != 0 || d.PickedBy != "" {
			t.Errorf("got strategy %s, assignee %q by %q; want manual, nobody", d.Strategy, d.Assignment.Assignee, d.PickedBy)
		}
	})
}

func TestLeastOpen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		softwarePool(t, e)
		if _, err := e.svc.SetGroupStrategy(ctx, e.admin(), "software", routing.LeastOpen); err != nil {
			t.Fatal(err)
		}
		e.load(t, "agent1", 3)
		e.load(t, "agent2", 2)
		e.load(t, "agent4", 1)
		e.load(t, "agent5", 2)

		t.Run("picks the least loaded", func(t *testing.T) {
			if got := e.route(t, 3); !slices.Equal(got, []string{"agent4", "agent4", "agent4"}) {
				t.Errorf("got %v, want agent4 every time (routing alone does not add load)", got)
			}
		})
		t.Run("supervisors are not in the pool", func(t *testing.T) {
			d, err := e.svc.DryRun(ctx, e.admin(), ticket.Ticket{CategoryKey: "software"})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(d.Agents, func(a routing.Agent) bool { return a.Login == "super1" })
			if i < 0 || d.Agents[i].Open != 0 || !d.Agents[i].Available {
				t.Fatalf("got agents %+v, want super1 listed, available, without tickets", d.Agents)
			}
			if d.Assignment.Assignee != "agent4" || d.PickedBy != "least_open" {
				t.Errorf("got %q by %q, want agent4 by least_open", d.Assignment.Assignee, d.PickedBy)
			}
		})
		t.Run("awaiting confirmation is not load", func(t *testing.T) {
			e.seed(t, "agent5", ticket.StatusAwaitingConfirmation, 2)
			e.seed(t, "agent5", ticket.StatusResolved, 1)
			e.away(t, "agent4", true)
			defer e.away(t, "agent4", false)
			// agent2 and agent5 both have two open tickets: either may get it.
			got := e.route(t, 20)
			for _, g := range got {
				if g != "agent2" && g != "agent5" {
					t.Fatalf("got %v, want only agent2 and agent5", got)
				}
			}
			if !slices.Contains(got, "agent2") || !slices.Contains(got, "agent5") {
				t.Errorf("got %v, want ties broken both ways", got)
			}
		})
	})
}

func TestNobodyAvailable(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, st := range routing.Strategies {
			t.Run(string(st), func(t *testing.T) {
				e.strategy(t, "software", st)
				e.away(t, "agent1", true)
				defer e.away(t, "agent1", false)
				if _, err := e.svc.SetMaxOpen(ctx, e.admin(), "agent2", 1); err != nil {
					t.Fatal(err)
				}
				defer e.svc.SetMaxOpen(ctx, e.admin(), "agent2", 0)
				if st == routing.Strategies[0] {
					e.load(t, "agent2", 1)
				}
				a, err := e.svc.Route(ctx, e.newTicket(t, "software", "没人有空"))
				if err != nil {
					t.Fatal(err)
				}
				if a.AssigneeID != 0 || a.Assignee != "" || a.GroupKey != "software" {
					t.Errorf("got %+v, want the software queue, unassigned", a)
				}
			})
		}
		t.Run("group without agents", func(t *testing.T) {
			a, err := e.svc.Route(ctx, e.newTicket(t, "complaint", "投诉"))
			if err != nil {
				t.Fatal(err)
			}
			if a.AssigneeID != 0 || a.GroupKey != "complaint" {
				t.Errorf("got %+v, want the complaint queue, unassigned", a)
			}
		})
	})
}

func TestRuleAgent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.strategy(t, "software", routing.RoundRobin)
		e.setRules(t, routing.Rule{Name: "VIP", Enabled: true, GroupKey: "software", Agent: "agent2",
			Conditions: routing.Conditions{Keywords: []string{"VIP"}}},
			routing.Rule{Name: "主管", Enabled: true, GroupKey: "software", Agent: "super1",
				Conditions: routing.Conditions{Keywords: []string{"投诉升级"}}})
		vip := func() ticket.Assignment {
			a, err := e.svc.Route(ctx, e.newTicket(t, "software", "VIP 客户"))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		for range 3 {
			if a := vip(); a.Assignee != "agent2" || a.Rule != "VIP" {
				t.Fatalf("got %+v, want agent2 by rule VIP", a)
			}
		}
		if got := e.route(t, 2); !slices.Equal(got, []string{"agent1", "agent2"}) {
			t.Errorf("after rule picks: got %v, want the round robin untouched (agent1, agent2)", got)
		}
		e.away(t, "agent2", true)
		if a := vip(); a.Assignee != "agent1" {
			t.Errorf("named agent away: got %q, want agent1 from the round robin", a.Assignee)
		}
		e.away(t, "agent2", false)
		if _, err := e.svc.SetMaxOpen(ctx, e.admin(), "agent2", 1); err != nil {
			t.Fatal(err)
		}
		e.load(t, "agent2", 1)
		if a := vip(); a.Assignee != "agent1" {
			t.Errorf("named agent at cap: got %q, want agent1 (the only one left)", a.Assignee)
		}
		a, err := e.svc.Route(ctx, e.newTicket(t, "software", "投诉升级"))
		if err != nil {
			t.Fatal(err)
		}
		if a.Assignee != "super1" {
			t.Errorf("rule naming a supervisor: got %q, want super1", a.Assignee)
		}
	})
}

// TestConcurrentRoundRobin routes from 16 goroutines at once: every turn
// is taken exactly once, so the agents' counts differ by at most one.
func TestConcurrentRoundRobin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		softwarePool(t, e)
		e.strategy(t, "software", routing.RoundRobin)
		// Two services on one database behave like two nodes.
		nodes := []*routing.Service{e.svc, newService(db)}
		const workers, each = 16, 10
		var mu sync.Mutex
		counts := map[string]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		tk := e.newTicket(t, "software", "并发 concurrent")
		for w := range workers {
			wg.Go(func() {
				<-start
				for range each {
					a, err := nodes[w%2].Route(ctx, tk)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					counts[a.Assignee]++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		lo, hi, total := workers*each, 0, 0
		for _, login := range []string{"agent1", "agent2", "agent4", "agent5"} {
			lo, hi, total = min(lo, counts[login]), max(hi, counts[login]), total+counts[login]
		}
		if total != workers*each || hi-lo > 1 {
			t.Errorf("got %v, want %d routes spread evenly over agent1, agent2, agent4, agent5", counts, workers*each)
		}
	})
}

func TestDryRunKeepsCursor(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.strategy(t, "software", routing.RoundRobin)
		dry := func() string {
			d, err := e.svc.DryRun(ctx, e.Actors["super1"], ticket.Ticket{Title: "试一试", CategoryKey: "software"})
			if err != nil {
				t.Fatal(err)
			}
			if d.Strategy != routing.RoundRobin || d.PickedBy != "round_robin" {
				t.Errorf("got strategy %q picked by %q, want round_robin", d.Strategy, d.PickedBy)
			}
			return d.Assignment.Assignee
		}
		for range 3 {
			if got := dry(); got != "agent1" {
				t.Fatalf("dry run: got %q, want agent1 every time", got)
			}
		}
		cur, err := db.Routing().Cursor(ctx, e.Users["agent1"].GroupIDs[0])
		if err != nil || cur != 0 {
			t.Fatalf("cursor after dry runs: got %d (%v), want 0", cur, err)
		}
		if got := e.route(t, 1); got[0] != "agent1" {
			t.Errorf("route: got %q, want agent1", got[0])
		}
		if got := dry(); got != "agent2" {
			t.Errorf("dry run after a route: got %q, want agent2", got)
		}
	})
}

// TestRulesRevalidated checks that a rule saved through one node is used
// by another node that had the old rules cached.
func TestRulesRevalidated(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		other := newService(db)
		route := func(s *routing.Service) string {
			a, err := s.Route(ctx, e.newTicket(t, "software", "打印机"))
			if err != nil {
				t.Fatal(err)
			}
			return a.GroupKey
		}
		if got := route(other); got != "software" {
			t.Fatalf("before: got %s, want software", got)
		}
		rs := e.setRules(t, routing.Rule{Name: "打印机", Enabled: true, GroupKey: "hardware",
			Conditions: routing.Conditions{Keywords: []string{"打印机"}}})
		if got := route(other); got != "hardware" {
			t.Errorf("after save: got %s, want hardware", got)
		}
		r := rs[0]
		r.Enabled = false
		if _, err := e.svc.SaveRule(ctx, e.admin(), r); err != nil {
			t.Fatal(err)
		}
		if got := route(other); got != "software" {
			t.Errorf("after disabling: got %s, want software", got)
		}
		e.strategy(t, "software", routing.RoundRobin)
		if got, err := other.GroupSetting(ctx, e.Actors["agent1"], "software"); err != nil || got.Strategy != routing.RoundRobin {
			t.Errorf("strategy seen by the other node: got %+v (%v), want round_robin", got, err)
		}
	})
}
