package ticket

import "context"

// Router decides where a new ticket goes. The ticket service calls it for
// every new ticket before inserting it; internal/routing implements it.
//
// The ticket passed in carries the fields as submitted and validated, with
// its category (CategoryID, CategoryKey) and the category's default group
// (GroupID, GroupKey) filled in. On error the ticket should still be filed,
// in the category's default group and unassigned.
type Router interface {
	Route(ctx context.Context, t Ticket) (Assignment, error)
}

// Assignment is a routing decision.
type Assignment struct {
	// GroupID and GroupKey name the group whose queue the ticket joins.
	GroupID  int64
	GroupKey string
	// AssigneeID and Assignee (a login) name the agent picked; zero and
	// empty when nobody is available, so the ticket waits in the queue.
	AssigneeID int64
	Assignee   string
	// Priority is the priority a rule sets; empty leaves it unchanged.
	Priority Priority
	// Rule is the name of the matched rule; empty means the category's
	// default group.
	Rule string
}
