package app

import (
	"testing"

	"helpdesk/internal/ticket"
)

// TestEveryTimerHasAHandler: a timer kind the ticket service schedules but
// the runner cannot handle would go dead silently; each must be wired.
func TestEveryTimerHasAHandler(t *testing.T) {
	h := (&App{}).handlers()
	for _, kind := range []string{ticket.TimerSLA, ticket.TimerAutoConfirm, ticket.TimerAutoClose, ticket.TimerFollowupDue} {
		if h[kind] == nil {
			t.Errorf("no job handler for %q", kind)
		}
	}
}
