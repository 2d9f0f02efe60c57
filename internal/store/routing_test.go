package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestRoutingRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		rs := db.Routing()
		soft, err := db.Identity().GroupByKey(ctx, "software")
		if err != nil {
			t.Fatal(err)
		}
		hard, err := db.Identity().GroupByKey(ctx, "hardware")
		if err != nil {
			t.Fatal(err)
		}
		acme := d.Users["cust1"].OrgID
		version := func() int64 {
			v, err := rs.RoutingVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := version(); v != 0 {
			t.Errorf("fresh version: got %d, want 0", v)
		}
		at := time.Date(2026, 11, 22, 9, 30, 0, 123456000, time.UTC)
		in := routing.Rule{Name: "打印机 → 硬件组", Enabled: true, GroupID: hard.ID, AgentID: d.Users["agent3"].ID,
			SetPriority: ticket.P2, CreatedAt: at, UpdatedAt: at,
			Conditions: routing.Conditions{
				Categories: []string{"software", "hardware"},
				Priorities: []ticket.Priority{ticket.P1, ticket.P2},
				Channels:   []ticket.Channel{ticket.ChannelPhone},
				Orgs:       []routing.OrgRef{{ID: acme}},
				Fields:     []routing.FieldMatch{{Key: "os", Values: []string{"Windows", "其他 Other"}}},
				Keywords:   []string{"打印机", "Printer"},
			}}
		r1, err := rs.CreateRule(ctx, in, 3)
		if err != nil {
			t.Fatal(err)
		}
		want := in
		want.ID, want.Position, want.GroupKey, want.Agent = r1.ID, 1, "hardware", "agent3"
		if !reflect.DeepEqual(r1, want) {
			t.Errorf("create:\n got %+v\nwant %+v", r1, want)
		}
		got, err := rs.RuleByID(ctx, r1.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("read back:\n got %+v (%v)\nwant %+v", got, err, want)
		}
		if v := version(); v != 1 {
			t.Errorf("version after create: got %d, want 1", v)
		}

		r2, err := rs.CreateRule(ctx, routing.Rule{Name: "空条件", GroupID: soft.ID, CreatedAt: at, UpdatedAt: at}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Position != 2 || r2.AgentID != 0 || r2.Agent != "" || r2.Enabled || !reflect.DeepEqual(r2.Conditions, routing.Conditions{}) {
			t.Errorf("second rule: got %+v, want position 2, no agent, disabled, no conditions", r2)
		}
		r3, err := rs.CreateRule(ctx, routing.Rule{Name: "三", GroupID: soft.ID, CreatedAt: at, UpdatedAt: at}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rs.CreateRule(ctx, routing.Rule{Name: "四", GroupID: soft.ID, CreatedAt: at, UpdatedAt: at}, 3); !apperr.Is(err, "routing.too_many_rules") {
			t.Errorf("fourth rule with a cap of 3: got %v, want routing.too_many_rules", err)
		}

		t.Run("update", func(t *testing.T) {
			u := r1
			u.Name, u.Enabled, u.GroupID, u.AgentID, u.SetPriority = "改名", false, soft.ID, d.Users["agent1"].ID, ""
			u.Conditions = routing.Conditions{Keywords: []string{"VPN"}}
			u.UpdatedAt = at.Add(time.Hour)
			u.CreatedAt = time.Time{} // not written
			got, err := rs.UpdateRule(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			want := u
			want.GroupKey, want.Agent, want.CreatedAt = "software", "agent1", at
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			u.ID = 999999
			if _, err := rs.UpdateRule(ctx, u); apperr.KindOf(err) != apperr.NotFound || !apperr.Is(err, "routing.rule_not_found") {
				t.Errorf("missing rule: got %v, want routing.rule_not_found", err)
			}
		})

		order := func() []int64 {
			all, err := rs.Rules(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, r := range all {
				ids = append(ids, r.ID)
			}
			return ids
		}
		t.Run("reorder", func(t *testing.T) {
			before := version()
			want := []int64{r3.ID, r1.ID, r2.ID}
			if err := rs.ReorderRules(ctx, want); err != nil {
				t.Fatal(err)
			}
			if got := order(); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if v := version(); v != before+1 {
				t.Errorf("version: got %d, want %d", v, before+1)
			}
			for _, ids := range [][]int64{{r1.ID, r2.ID}, {r1.ID, r2.ID, r3.ID, 999999}, {r1.ID, r1.ID, r2.ID}} {
				if err := rs.ReorderRules(ctx, ids); !apperr.Is(err, "routing.reorder_invalid") {
					t.Errorf("%v: got %v, want routing.reorder_invalid", ids, err)
				}
			}
			if got := order(); !slices.Equal(got, want) {
				t.Errorf("after refused reorders: got %v, want %v", got, want)
			}
		})

		t.Run("delete", func(t *testing.T) {
			if err := rs.DeleteRule(ctx, r3.ID); err != nil {
				t.Fatal(err)
			}
			if err := rs.DeleteRule(ctx, r3.ID); !apperr.Is(err, "routing.rule_not_found") {
				t.Errorf("second delete: got %v, want routing.rule_not_found", err)
			}
			if _, err := rs.RuleByID(ctx, r3.ID); !apperr.Is(err, "routing.rule_not_found") {
				t.Errorf("read deleted: got %v, want routing.rule_not_found", err)
			}
			if got := order(); !slices.Equal(got, []int64{r1.ID, r2.ID}) {
				t.Errorf("got %v, want %v", got, []int64{r1.ID, r2.ID})
			}
		})
	})
}

func TestRoutingGroupsAndAgents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		rs := db.Routing()
		soft, err := db.Identity().GroupByKey(ctx, "software")
		if err != nil {
			t.Fatal(err)
		}
		a1, a2, s1 := d.Users["agent1"].ID, d.Users["agent2"].ID, d.Users["super1"].ID

		t.Run("strategy and cursor", func(t *testing.T) {
			if got, err := rs.GroupStrategies(ctx); err != nil || len(got) != 0 {
				t.Errorf("fresh: got %v (%v), want none", got, err)
			}
			if c, err := rs.Cursor(ctx, soft.ID); err != nil || c != 0 {
				t.Errorf("fresh cursor: got %d (%v), want 0", c, err)
			}
			if err := rs.SetGroupStrategy(ctx, soft.ID, routing.RoundRobin); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				from, to int64
				want     bool
			}{{0, a1, true}, {0, a2, false}, {a1, a2, true}, {a1, a2, false}, {a2, a1, true}} {
				ok, err := rs.AdvanceCursor(ctx, soft.ID, tc.from, tc.to)
				if err != nil || ok != tc.want {
					t.Errorf("advance %d → %d: got %v (%v), want %v", tc.from, tc.to, ok, err, tc.want)
				}
			}
			v := func() int64 { v, _ := rs.RoutingVersion(ctx); return v }
			before := v()
			if err := rs.SetGroupStrategy(ctx, soft.ID, routing.LeastOpen); err != nil {
				t.Fatal(err)
			}
			if got := v(); got != before+1 {
				t.Errorf("version: got %d, want %d", got, before+1)
			}
			got, err := rs.GroupStrategies(ctx)
			if err != nil || !reflect.DeepEqual(got, map[int64]routing.Strategy{soft.ID: routing.LeastOpen}) {
				t.Errorf("got %v (%v), want software least_open", got, err)
			}
			if c, err := rs.Cursor(ctx, soft.ID); err != nil || c != a1 {
				t.Errorf("cursor kept by a strategy change: got %d (%v), want %d", c, err, a1)
			}
		})

		t.Run("pool", func(t *testing.T) {
			cust := d.Users["cust1"]
			cat, err := db.Tickets().CategoryByKey(ctx, "software")
			if err != nil {
				t.Fatal(err)
			}
			seed := func(assignee int64, st ticket.Status, n int) {
				for i := range n {
					now := time.Now().UTC()
					_, _, err := db.Tickets().CreateTicket(ctx, ticket.NewRecord{Day: "20260101", Ticket: ticket.Ticket{
						Title: fmt.Sprintf("%s %d", st, i), Description: "d", CategoryID: cat.ID, Priority: ticket.P3, Status: st,
						Channel: ticket.ChannelWeb, RequesterID: cust.ID, GroupID: soft.ID, AssigneeID: assignee, Version: 1,
						CreatedAt: now, UpdatedAt: now}})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			seed(a1, ticket.StatusAssigned, 2)
			seed(a1, ticket.StatusInProgress, 1)
			seed(a1, ticket.StatusAwaitingConfirmation, 4)
			seed(a1, ticket.StatusClosed, 3)
			seed(a2, ticket.StatusFollowUp, 1)
			seed(0, ticket.StatusUnassigned, 2)
			if err := rs.SetAway(ctx, a2, true); err != nil {
				t.Fatal(err)
			}
			if err := rs.SetMaxOpen(ctx, s1, 7); err != nil {
				t.Fatal(err)
			}
			// An inactive member is left out.
			gone, err := d.Identity.CreateUser(ctx, d.Actors["admin"], identity.NewUser{Login: "gone",
				Password: desktest.Password, Role: identity.RoleAgent, GroupKeys: []string{"software"}})
			if err != nil {
				t.Fatal(err)
			}
			gone.Active = false
			if _, err := db.Identity().UpdateUser(ctx, gone); err != nil {
				t.Fatal(err)
			}
			p, err := rs.Pool(ctx, soft.ID, routing.OpenStatuses)
			if err != nil {
				t.Fatal(err)
			}
			v, err := rs.RoutingVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := routing.Pool{Version: v, Cursor: a1, Agents: []routing.Agent{
				{ID: a1, Login: "agent1", Role: "agent", Open: 3},
				{ID: a2, Login: "agent2", Role: "agent", Away: true, Open: 1},
				{ID: s1, Login: "super1", Role: "supervisor", MaxOpen: 7},
			}}
			if !reflect.DeepEqual(p, want) {
				t.Errorf("got %+v, want %+v", p, want)
			}
			a, err := rs.AgentByID(ctx, a1, routing.OpenStatuses)
			if err != nil || !reflect.DeepEqual(a, want.Agents[0]) {
				t.Errorf("agent: got %+v (%v), want %+v", a, err, want.Agents[0])
			}
			if _, err := rs.AgentByID(ctx, 999999, routing.OpenStatuses); !apperr.Is(err, "user.not_found") {
				t.Errorf("missing agent: got %v, want user.not_found", err)
			}
			if err := rs.SetAway(ctx, 999999, true); !apperr.Is(err, "user.not_found") {
				t.Errorf("set away of a missing user: got %v, want user.not_found", err)
			}
			if p, err := rs.Pool(ctx, 999999, routing.OpenStatuses); err != nil || len(p.Agents) != 0 || p.Version != v || p.Cursor != 0 {
				t.Errorf("missing group: got %+v (%v), want an empty pool at version %d", p, err, v)
			}
		})
	})
}
