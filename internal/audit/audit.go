// Package audit owns the audit log admins read: sign-ins (successful and
// failed), changes of permissions and settings, exports and deletions —
// who did what to what, when, from where, and whether it worked.
package audit

import (
	"context"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Entry is one audited action.
type Entry struct {
	ID      int64
	At      time.Time
	ActorID int64
	// Actor is the login (for a failed sign-in, the login tried).
	Actor string
	// Action is a stable name: auth.login, auth.login_failed, user.update,
	// sla.policy.save, export.tickets, … (the API operation for settings).
	Action string
	// Target names what was acted on (a login, a key, a path).
	Target string
	// Status is the HTTP status of the request that did it.
	Status    int
	IP        string
	RequestID string
	Detail    map[string]string
}

// Query searches the log: newest first, before BeforeID when set.
type Query struct {
	Actor, Action, Text string
	From, To            time.Time
	BeforeID            int64
	Limit               int
}

// MaxPage bounds one page of entries.
const MaxPage = 500

// Store keeps the log.
type Store interface {
	Record(ctx context.Context, e Entry) error
	Search(ctx context.Context, q Query) ([]Entry, error)
}

// Service writes and searches the log.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService builds the service.
func NewService(s Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: s, now: now}
}

// Record writes an entry, stamping its time.
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	e.Actor = clip(e.Actor, 100)
	e.Target = clip(e.Target, 300)
	return s.store.Record(ctx, e)
}

// Search lists entries for admins.
func (s *Service) Search(ctx context.Context, by identity.Actor, q Query) ([]Entry, error) {
	if !by.IsAdmin() {
		return nil, apperr.New(apperr.Forbidden, "auth.forbidden")
	}
	if q.Limit <= 0 || q.Limit > MaxPage {
		q.Limit = MaxPage
	}
	// Bounded as stored: Record clips actors to 100 and targets to 300
	// characters; actions are short codes.
	q.Text = clip(strings.TrimSpace(q.Text), 300)
	q.Actor, q.Action = clip(q.Actor, 100), clip(q.Action, 100)
	return s.store.Search(ctx, q)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
