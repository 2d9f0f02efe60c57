// Package desktest builds a working desk on a real database for tests and
// benchmarks: the identity and ticket services wired as the app wires
// them, and a small cast of users in every role.
package desktest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"helpdesk/internal/blob"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/ticket"
)

// Desk is a desk under test.
type Desk struct {
	DB       *store.DB
	Identity *identity.Service
	Tickets  *ticket.Service
	SLA      *sla.Service
	Routing  *routing.Service
	// Actors by login: cust1, cust2 (same org, cust2 sees org tickets),
	// cust3 (other org), agent1 (software), agent2 (software), agent3
	// (hardware), super1 (software supervisor), admin.
	Actors map[string]identity.Actor
	Users  map[string]identity.User
}

// Password is the password of every user New creates.
const Password = "secret-pass-1"

// Options tune New.
type Options struct {
	Now    func() time.Time
	Limits ticket.Limits
	// NoUsers skips creating the cast.
	NoUsers bool
	// Router replaces the desk's routing service.
	Router ticket.Router
	// UnassignOnAckBreach: see ticket.Deps.
	UnassignOnAckBreach bool
	// Announcer: see ticket.Deps (outbound notifications).
	Announcer ticket.Announcer
}

// New builds a desk on db with the standard cast.
func New(t testing.TB, db *store.DB, opt Options) *Desk {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	idStore := db.Identity()
	d := &Desk{
		DB:       db,
		Identity: identity.NewService(identity.Deps{Store: idStore, Now: opt.Now}),
		Actors:   map[string]identity.Actor{},
		Users:    map[string]identity.User{},
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d.SLA = sla.NewService(sla.Deps{Store: db.SLA(), Now: opt.Now})
	d.Routing = routing.NewService(routing.Deps{Store: db.Routing(), Directory: idStore, Categories: db.Tickets(), Now: opt.Now})
	var router ticket.Router = d.Routing
	if opt.Router != nil {
		router = opt.Router
	}
	d.Tickets = ticket.NewService(ticket.Deps{Store: db.Tickets(), Directory: idStore, Blobs: blobs, Now: opt.Now,
		Location: loc, Limits: opt.Limits, SLA: d.SLA, Router: router, UnassignOnAckBreach: opt.UnassignOnAckBreach,
		LimitStore: db.Web(), Announcer: opt.Announcer})
	if opt.NoUsers {
		return d
	}
	for _, o := range []string{"Acme 公司", "Globex"} {
		if _, err := d.Identity.CreateOrg(ctx, identity.System, o); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []identity.NewUser{
		{Login: "cust1", Name: "张三", Role: identity.RoleCustomer, OrgName: "Acme 公司", Phone: "13812341234", Email: "zhang.san@example.com"},
		{Login: "cust2", Name: "李四", Role: identity.RoleCustomer, OrgName: "Acme 公司", OrgVisible: true},
		{Login: "cust3", Name: "Bob", Role: identity.RoleCustomer, OrgName: "Globex", Lang: "en"},
		{Login: "agent1", Name: "王工", Role: identity.RoleAgent, GroupKeys: []string{"software"}},
		{Login: "agent2", Name: "赵工", Role: identity.RoleAgent, GroupKeys: []string{"software"}},
		{Login: "agent3", Name: "钱工", Role: identity.RoleAgent, GroupKeys: []string{"hardware"}},
		{Login: "super1", Name: "孙主管", Role: identity.RoleSupervisor, GroupKeys: []string{"software"}},
		{Login: "admin", Name: "管理员", Role: identity.RoleAdmin},
	} {
		u.Password = Password
		got, err := d.Identity.CreateUser(ctx, identity.System, u)
		if err != nil {
			t.Fatalf("create %s: %v", u.Login, err)
		}
		d.Users[u.Login] = got
		d.Actors[u.Login] = identity.ActorOf(got)
	}
	return d
}

// NewTicket files a software ticket as the given customer.
func (d *Desk) NewTicket(t testing.TB, login, title string) ticket.Ticket {
	t.Helper()
	tk, err := d.Tickets.Create(context.Background(), d.Actors[login], ticket.CreateInput{
		Title: title, Description: "描述 description", Category: "software", Priority: ticket.P3,
		ContactPhone: "13812341234", ContactEmail: "zhang.san@example.com"})
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk
}
