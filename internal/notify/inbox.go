// Package notify owns how people are told about what happens on the desk.
// Today that is the in-site inbox (站内信): notices are written by the
// domain services in the same transaction as the change they announce, and
// read and acknowledged here.
package notify

import (
	"context"
	"time"

	"helpdesk/internal/identity"
)

// Notification is one entry of a user's inbox.
type Notification struct {
	ID           int64
	UserID       int64
	TicketNumber string
	Kind         string
	Params       map[string]any
	CreatedAt    time.Time
	ReadAt       time.Time
}

// Store reads and marks notifications.
type Store interface {
	Notifications(ctx context.Context, userID int64, unreadOnly bool, beforeID int64, limit int) ([]Notification, error)
	UnreadCount(ctx context.Context, userID int64) (int, error)
	MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) error
}

// Inbox serves a user's notifications.
type Inbox struct {
	store Store
	now   func() time.Time
}

// NewInbox builds the inbox service.
func NewInbox(s Store, now func() time.Time) *Inbox {
	if now == nil {
		now = time.Now
	}
	return &Inbox{store: s, now: now}
}

// MaxPage bounds one page of notifications.
const MaxPage = 100

// List returns the caller's notifications, newest first, older than beforeID
// when it is set.
func (in *Inbox) List(ctx context.Context, by identity.Actor, unreadOnly bool, beforeID int64, limit int) ([]Notification, error) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	return in.store.Notifications(ctx, by.UserID, unreadOnly, beforeID, limit)
}

// Unread counts the caller's unread notifications.
func (in *Inbox) Unread(ctx context.Context, by identity.Actor) (int, error) {
	return in.store.UnreadCount(ctx, by.UserID)
}

// MarkRead marks the caller's notifications read; no ids marks all.
func (in *Inbox) MarkRead(ctx context.Context, by identity.Actor, ids []int64) error {
	if len(ids) > MaxPage {
		ids = ids[:MaxPage]
	}
	return in.store.MarkRead(ctx, by.UserID, ids, in.now().UTC())
}
