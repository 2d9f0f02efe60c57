package app

import (
	"testing"

	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
)

// TestMailJobsHaveHandlers: every job kind of mail in and out is wired.
func TestMailJobsHaveHandlers(t *testing.T) {
	h := (&App{}).handlers()
	for _, kind := range []string{mailin.RetryKind, notify.KindEvent, notify.KindAlert, notify.KindEmail, notify.KindSMS, notify.KindIM, notify.KindWebhook} {
		if h[kind] == nil {
			t.Errorf("no job handler for %q", kind)
		}
	}
}
