// Package identity owns who is using the desk: users and their roles, support
// groups, customer organizations, sign-in sessions and API tokens.
//
// It authenticates requests and produces an Actor, the caller as every other
// domain service sees it. Other packages decide what an Actor may do with
// their own objects; identity only says who it is.
package identity

import (
	"slices"
	"time"
)

// Role is what a user is to the desk.
type Role string

// The four roles. Supervisors are agents who also manage their groups.
const (
	RoleCustomer   Role = "customer"
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists every role, in order of growing power.
var Roles = []Role{RoleCustomer, RoleAgent, RoleSupervisor, RoleAdmin}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Staff reports whether the role works tickets rather than files them.
func (r Role) Staff() bool { return r == RoleAgent || r == RoleSupervisor || r == RoleAdmin }

// User is a person who can sign in.
type User struct {
	ID    int64
	Login string
	Name  string
	Email string
	Phone string
	Role  Role
	// OrgID is the customer organization (客户单位); zero for none.
	OrgID   int64
	OrgName string
	// OrgVisible lets a customer see every ticket of their organization.
	OrgVisible bool
	// GroupIDs are the support groups an agent or supervisor belongs to.
	GroupIDs  []int64
	GroupKeys []string
	// Lang is the preferred language ("zh-CN" or "en"); empty follows the browser.
	Lang         string
	Active       bool
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Actor is the authenticated caller of a service method.
type Actor struct {
	UserID     int64
	Login      string
	Role       Role
	OrgID      int64
	OrgVisible bool
	GroupIDs   []int64
	Lang       string
	// System marks work done by the desk itself (jobs, CLI, demo seeding).
	System bool
}

// System is the actor for work the desk does on its own.
var System = Actor{Role: RoleAdmin, System: true, Login: "system"}

// ActorOf returns the actor for an authenticated user.
func ActorOf(u User) Actor {
	return Actor{UserID: u.ID, Login: u.Login, Role: u.Role, OrgID: u.OrgID, OrgVisible: u.OrgVisible,
		GroupIDs: u.GroupIDs, Lang: u.Lang}
}

// InGroup reports whether the actor belongs to the support group.
func (a Actor) InGroup(id int64) bool { return id != 0 && slices.Contains(a.GroupIDs, id) }

// IsAdmin reports whether the actor may do anything.
func (a Actor) IsAdmin() bool { return a.Role == RoleAdmin || a.System }

// Group is a support group (硬件组, 软件组 …) that agents belong to.
type Group struct {
	ID     int64
	Key    string
	NameZH string
	NameEN string
	// Email is where the group's notifications go, optional.
	Email     string
	CreatedAt time.Time
}

// Org is a customer organization (客户单位).
type Org struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Session is a signed-in browser.
type Session struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	SeenAt    time.Time
}

// Token is an API token. Only its SHA-256 digest is stored.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}
