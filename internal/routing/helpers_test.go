package routing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
)

var ctx = context.Background()

// env is a desk with the routing service wired as the app wires it.
type env struct {
	*desktest.Desk
	svc *routing.Service
}

func newEnv(t testing.TB, db *store.DB) *env {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{})
	return &env{Desk: d, svc: newService(db)}
}

// newService builds a routing service on db, as another node would.
func newService(db *store.DB) *routing.Service {
	return routing.NewService(routing.Deps{Store: db.Routing(), Directory: db.Identity(), Categories: db.Tickets()})
}

func (e *env) admin() identity.Actor { return e.Actors["admin"] }

// addAgent creates an agent in the groups.
func (e *env) addAgent(t testing.TB, login string, groups ...string) identity.User {
	t.Helper()
	u, err := e.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: login, Password: desktest.Password,
		Role: identity.RoleAgent, GroupKeys: groups})
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	e.Users[login], e.Actors[login] = u, identity.ActorOf(u)
	return u
}

// setRules replaces every rule with rules, in order.
func (e *env) setRules(t testing.TB, rules ...routing.Rule) []routing.Rule {
	t.Helper()
	old, err := e.svc.Rules(ctx, e.admin())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range old {
		if err := e.svc.DeleteRule(ctx, e.admin(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
	var out []routing.Rule
	for _, r := range rules {
		got, err := e.svc.SaveRule(ctx, e.admin(), r)
		if err != nil {
			t.Fatalf("save rule %q: %v", r.Name, err)
		}
		out = append(out, got)
	}
	return out
}

func (e *env) strategy(t testing.TB, group string, st routing.Strategy) {
	t.Helper()
	if _, err := e.svc.SetGroupStrategy(ctx, e.admin(), group, st); err != nil {
		t.Fatal(err)
	}
}

func (e *env) away(t testing.TB, login string, away bool) {
	t.Helper()
	if _, err := e.svc.SetAway(ctx, e.admin(), login, away); err != nil {
		t.Fatal(err)
	}
}

// load gives the agent n more open (assigned) software tickets.
func (e *env) load(t testing.TB, login string, n int) {
	t.Helper()
	e.seed(t, login, ticket.StatusAssigned, n)
}

// seed inserts n software tickets in the status, assigned to the agent,
// straight into the store (the status machine is not under test here).
func (e *env) seed(t testing.TB, login string, st ticket.Status, n int) {
	t.Helper()
	base := e.newTicket(t, "software", "")
	cust, agent := e.Users["cust1"], e.Users[login]
	for i := range n {
		tk := base
		tk.Title = fmt.Sprintf("%s %s %d", st, login, i)
		tk.Status, tk.AssigneeID, tk.RequesterID, tk.Version = st, agent.ID, cust.ID, 1
		tk.CreatedAt, tk.UpdatedAt = time.Now().UTC(), time.Now().UTC()
		if _, _, err := e.DB.Tickets().CreateTicket(ctx, ticket.NewRecord{Ticket: tk, Day: "20260101"}); err != nil {
			t.Fatal(err)
		}
	}
}

// newTicket is a new ticket as the ticket service hands it to Route: its
// category and the category's group filled in.
func (e *env) newTicket(t testing.TB, category, title string) ticket.Ticket {
	t.Helper()
	c, err := e.DB.Tickets().CategoryByKey(ctx, category)
	if err != nil {
		t.Fatal(err)
	}
	return ticket.Ticket{Title: title, Description: "描述 description", CategoryID: c.ID, CategoryKey: c.Key,
		Priority: ticket.P3, Channel: ticket.ChannelWeb, GroupID: c.GroupID, GroupKey: c.GroupKey}
}

// route routes n software tickets and returns the assignees in order.
func (e *env) route(t testing.TB, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		a, err := e.svc.Route(ctx, e.newTicket(t, "software", fmt.Sprintf("路由 %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a.Assignee)
	}
	return out
}

// codes lists an error's codes as code@field, one per field error.
func codes(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		if err == nil {
			return nil
		}
		return []string{"not apperr: " + err.Error()}
	}
	if m, ok := e.Err.(*apperr.Multi); ok {
		var out []string
		for _, x := range m.Errors {
			out = append(out, x.Code+"@"+x.Field)
		}
		return out
	}
	if e.Field == "" {
		return []string{e.Code}
	}
	return []string{e.Code + "@" + e.Field}
}

// hasCode reports whether err carries the code (with @field, if given).
func hasCode(err error, want string) bool {
	return slices.ContainsFunc(codes(err), func(c string) bool {
		return c == want || !strings.Contains(want, "@") && strings.HasPrefix(c, want+"@")
	})
}
