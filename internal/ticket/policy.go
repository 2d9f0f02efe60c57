package ticket

import (
	"helpdesk/internal/identity"
)

// Relation is what an actor is to one ticket. An actor can hold several
// relations at once (a supervisor who is also the assignee).
type Relation uint8

// The relations an actor can have to a ticket.
const (
	// Requester is the customer who filed the ticket.
	Requester Relation = 1 << iota
	// OrgMember is a customer of the requester's organization allowed to see its tickets.
	OrgMember
	// Assignee is the agent the ticket is assigned to.
	Assignee
	// GroupAgent is an agent (or supervisor) of the ticket's group.
	GroupAgent
	// Supervisor is a supervisor of the ticket's group.
	Supervisor
	// Admin may do anything.
	Admin
	// System is the desk itself (timers, auto-confirmation).
	System
)

// Staff are the relations of people who work the ticket.
const Staff = Assignee | GroupAgent | Supervisor | Admin | System

// RelationOf computes what the actor is to the ticket; zero means a stranger.
func RelationOf(a identity.Actor, t Ticket) Relation {
	var r Relation
	if a.System {
		r |= System | Admin
	}
	switch a.Role {
	case identity.RoleAdmin:
		r |= Admin
	case identity.RoleCustomer:
		if t.RequesterID == a.UserID {
			r |= Requester
		} else if a.OrgVisible && a.OrgID != 0 && a.OrgID == t.OrgID {
			r |= OrgMember
		}
		return r
	}
	if a.UserID != 0 && t.AssigneeID == a.UserID {
		r |= Assignee
	}
	if a.InGroup(t.GroupID) {
		r |= GroupAgent
		if a.Role == identity.RoleSupervisor {
			r |= Supervisor
		}
	}
	return r
}

// Action is something an actor may want to do with a ticket.
type Action string

// The ticket actions checked by Can. Status changes are checked against the
// transition table instead.
const (
	ActView         Action = "view"
	ActEditContent  Action = "edit_content"  // title, description, contact, custom fields
	ActEditTriage   Action = "edit_triage"   // priority, category
	ActReply        Action = "reply"         // public message
	ActNote         Action = "note"          // internal note
	ActSeeInternal  Action = "see_internal"  // read internal notes and their history
	ActAttach       Action = "attach"        // upload an attachment
	ActClaim        Action = "claim"         // assign to oneself
	ActAssignOthers Action = "assign_others" // assign to someone else, transfer groups
	ActSeeContact   Action = "see_contact"   // unmasked phone and email
)

// permissions is the one table of who may do what, besides status changes.
var permissions = map[Action]Relation{
	ActView:         Requester | OrgMember | Staff,
	ActEditContent:  Requester | Staff,
	ActEditTriage:   Staff,
	ActReply:        Requester | OrgMember | Staff,
	ActNote:         Staff,
	ActSeeInternal:  Staff,
	ActAttach:       Requester | OrgMember | Staff,
	ActClaim:        GroupAgent | Supervisor | Admin,
	ActAssignOthers: Supervisor | Admin | System,
	// An agent of the group sees a masked contact until they take the ticket;
	// colleagues in the customer's organization see it masked too.
	ActSeeContact: Requester | Assignee | Supervisor | Admin | System,
}

// Can reports whether an actor with relation r may perform the action.
func Can(r Relation, act Action) bool { return r&permissions[act] != 0 }
