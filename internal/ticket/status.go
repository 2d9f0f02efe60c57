package ticket

// Transition is one allowed status change and who may make it.
type Transition struct {
	From, To Status
	By       Relation
	// NeedsComment is set where the other side deserves a reason
	// (a customer rejecting a solution, staff closing an open ticket).
	NeedsComment Relation
}

// transitions is the whole status machine. Anything not listed is forbidden.
// Moves into and out of "assigned" happen through assignment, not here, so
// that status and assignee never disagree.
var transitions = []Transition{
	{From: StatusUnassigned, To: StatusClosed, By: Requester | Supervisor | Admin, NeedsComment: Supervisor | Admin},
	{From: StatusAssigned, To: StatusInProgress, By: Assignee | Supervisor | Admin},
	{From: StatusAssigned, To: StatusAwaitingConfirmation, By: Assignee | Supervisor | Admin},
	{From: StatusAssigned, To: StatusClosed, By: Requester | Supervisor | Admin, NeedsComment: Supervisor | Admin},
	{From: StatusInProgress, To: StatusAwaitingConfirmation, By: Assignee | Supervisor | Admin},
	{From: StatusInProgress, To: StatusClosed, By: Requester | Supervisor | Admin, NeedsComment: Supervisor | Admin},
	{From: StatusAwaitingConfirmation, To: StatusResolved, By: Requester | Supervisor | Admin | System},
	{From: StatusAwaitingConfirmation, To: StatusFollowUp, By: Requester | Supervisor | Admin, NeedsComment: Requester | Supervisor | Admin},
	{From: StatusAwaitingConfirmation, To: StatusInProgress, By: Assignee | Supervisor | Admin},
	{From: StatusFollowUp, To: StatusInProgress, By: Assignee | Supervisor | Admin},
	{From: StatusFollowUp, To: StatusAwaitingConfirmation, By: Assignee | Supervisor | Admin},
	{From: StatusFollowUp, To: StatusClosed, By: Supervisor | Admin, NeedsComment: Supervisor | Admin},
	{From: StatusResolved, To: StatusClosed, By: Requester | Assignee | Supervisor | Admin | System},
	{From: StatusResolved, To: StatusFollowUp, By: Requester | Supervisor | Admin, NeedsComment: Requester | Supervisor | Admin},
}

// Transitions returns a copy of the status machine, for documentation and tests.
func Transitions() []Transition { return append([]Transition(nil), transitions...) }

// findTransition returns the rule for from → to, if the machine has one.
func findTransition(from, to Status) (Transition, bool) {
	for _, t := range transitions {
		if t.From == from && t.To == to {
			return t, true
		}
	}
	return Transition{}, false
}
