package routing_test

import (
	"testing"

	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func TestAgentSettings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)

		t.Run("away", func(t *testing.T) {
			for _, tc := range []struct {
				by, login string
				want      string // error code, empty for success
			}{
				{"agent1", "agent1", ""},
				{"agent1", "agent2", "auth.forbidden"},
				{"super1", "agent1", ""},
				{"super1", "super1", ""},
				{"super1", "agent3", "auth.forbidden"},
				{"admin", "agent3", ""},
				{"cust1", "cust1", "auth.forbidden"},
				{"admin", "cust1", "routing.not_staff"},
				{"admin", "nobody", "user.not_found"},
			} {
				t.Run(tc.by+" sets "+tc.login, func(t *testing.T) {
					a, err := e.svc.SetAway(ctx, e.Actors[tc.by], tc.login, true)
					if tc.want != "" {
						if !hasCode(err, tc.want) {
							t.Errorf("got %v, want %s", codes(err), tc.want)
						}
						return
					}
					if err != nil || !a.Away || a.Login != tc.login || a.Available {
						t.Fatalf("got %+v (%v), want %s away and unavailable", a, err, tc.login)
					}
					a, err = e.svc.SetAway(ctx, e.Actors[tc.by], tc.login, false)
					if err != nil || a.Away || !a.Available {
						t.Errorf("back: got %+v (%v), want available", a, err)
					}
				})
			}
		})

		t.Run("max open", func(t *testing.T) {
			for _, tc := range []struct {
				by, login string
				n         int
				want      string
			}{
				{"agent1", "agent1", 5, "auth.forbidden"},
				{"super1", "agent2", 5, ""},
				{"super1", "agent3", 5, "auth.forbidden"},
				{"admin", "agent3", 0, ""},
				{"admin", "agent3", routing.MaxMaxOpen, ""},
				{"admin", "agent3", -1, "field.out_of_range@max_open"},
				{"admin", "agent3", routing.MaxMaxOpen + 1, "field.out_of_range@max_open"},
			} {
				a, err := e.svc.SetMaxOpen(ctx, e.Actors[tc.by], tc.login, tc.n)
				switch {
				case tc.want != "" && !hasCode(err, tc.want):
					t.Errorf("%s sets %s to %d: got %v, want %s", tc.by, tc.login, tc.n, codes(err), tc.want)
				case tc.want == "" && (err != nil || a.MaxOpen != tc.n):
					t.Errorf("%s sets %s to %d: got %+v (%v)", tc.by, tc.login, tc.n, a, err)
				}
			}
			a, err := e.svc.Agent(ctx, e.Actors["agent2"], "agent2")
			if err != nil || a.MaxOpen != 5 || a.Cap != 5 {
				t.Errorf("agent2 reads own: got %+v (%v), want max open 5", a, err)
			}
			a, err = e.svc.Agent(ctx, e.Actors["agent1"], "agent1")
			if err != nil || a.MaxOpen != 0 || a.Cap != routing.DefaultMaxOpen {
				t.Errorf("agent1 reads own: got %+v (%v), want the default cap %d", a, err, routing.DefaultMaxOpen)
			}
			if _, err := e.svc.Agent(ctx, e.Actors["agent1"], "agent2"); !hasCode(err, "auth.forbidden") {
				t.Errorf("agent1 reads agent2: got %v, want auth.forbidden", codes(err))
			}
		})

		t.Run("group strategy", func(t *testing.T) {
			for _, tc := range []struct {
				by, group string
				st        routing.Strategy
				want      string
			}{
				{"super1", "software", routing.RoundRobin, ""},
				{"super1", "hardware", routing.RoundRobin, "auth.forbidden"},
				{"agent1", "software", routing.LeastOpen, "auth.forbidden"},
				{"admin", "hardware", routing.RoundRobin, ""},
				{"admin", "hardware", "random", "routing.strategy_invalid@strategy"},
				{"admin", "nope", routing.RoundRobin, "group.not_found"},
			} {
				g, err := e.svc.SetGroupStrategy(ctx, e.Actors[tc.by], tc.group, tc.st)
				switch {
				case tc.want != "" && !hasCode(err, tc.want):
					t.Errorf("%s sets %s: got %v, want %s", tc.by, tc.group, codes(err), tc.want)
				case tc.want == "" && (err != nil || g.Strategy != tc.st || g.GroupKey != tc.group):
					t.Errorf("%s sets %s: got %+v (%v)", tc.by, tc.group, g, err)
				}
			}
			for group, want := range map[string]routing.Strategy{"software": routing.RoundRobin, "hardware": routing.RoundRobin,
				"network": routing.Manual} {
				g, err := e.svc.GroupSetting(ctx, e.Actors["agent1"], group)
				if err != nil || g.Strategy != want {
					t.Errorf("%s: got %+v (%v), want %s", group, g, err, want)
				}
			}
			if _, err := e.svc.GroupSetting(ctx, e.Actors["cust1"], "software"); !hasCode(err, "auth.forbidden") {
				t.Errorf("customer reads a strategy: got %v, want auth.forbidden", codes(err))
			}
		})

		t.Run("group agents", func(t *testing.T) {
			e.load(t, "agent2", 2)
			agents, err := e.svc.GroupAgents(ctx, e.Actors["agent1"], "software")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, a := range agents {
				got[a.Login] = a.Open
			}
			if len(got) != 3 || got["agent2"] != 2 || got["agent1"] != 0 || got["super1"] != 0 {
				t.Errorf("got %v, want agent1 0, agent2 2, super1 0", got)
			}
			if _, err := e.svc.GroupAgents(ctx, e.Actors["agent3"], "software"); !hasCode(err, "auth.forbidden") {
				t.Errorf("agent of another group: got %v, want auth.forbidden", codes(err))
			}
		})
	})
}
