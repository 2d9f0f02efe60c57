package mailin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

func forbidden() error { return apperr.New(apperr.Forbidden, "auth.forbidden") }

// Mailboxes lists the configured mailboxes (admins only); passwords are
// left out.
func (s *Service) Mailboxes(ctx context.Context, by identity.Actor) ([]Mailbox, error) {
	if !by.IsAdmin() {
		return nil, forbidden()
	}
	all, err := s.d.Store.Mailboxes(ctx)
	for i := range all {
		all[i].IMAP.Password = ""
	}
	return all, err
}

// Mailbox returns one mailbox without its password (admins only).
func (s *Service) Mailbox(ctx context.Context, by identity.Actor, id int64) (Mailbox, error) {
	if !by.IsAdmin() {
		return Mailbox{}, forbidden()
	}
	m, err := s.d.Store.Mailbox(ctx, id)
	m.IMAP.Password = ""
	return m, err
}

// SaveMailbox creates (ID 0) or updates a mailbox. An empty password on
// update keeps the stored one.
func (s *Service) SaveMailbox(ctx context.Context, by identity.Actor, m Mailbox) (Mailbox, error) {
	if !by.IsAdmin() {
		return Mailbox{}, forbidden()
	}
	if err := m.validate(); err != nil {
		return Mailbox{}, err
	}
	got, err := s.d.Store.SaveMailbox(ctx, m)
	got.IMAP.Password = ""
	return got, err
}

// DeleteMailbox removes a mailbox; its log stays.
func (s *Service) DeleteMailbox(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return forbidden()
	}
	return s.d.Store.DeleteMailbox(ctx, id)
}

// RotateToken gives a mailbox a new intake token and returns it once;
// only its SHA-256 is stored. The old token stops working.
func (s *Service) RotateToken(ctx context.Context, by identity.Actor, id int64) (string, error) {
	if !by.IsAdmin() {
		return "", forbidden()
	}
	b := make([]byte, 32)
	rand.Read(b)
	secret := "hdmb_" + base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(secret))
	if err := s.d.Store.SetMailboxToken(ctx, id, sum[:]); err != nil {
		return "", err
	}
	return secret, nil
}

// MailboxForToken returns the enabled mailbox a token belongs to.
func (s *Service) MailboxForToken(ctx context.Context, secret string) (Mailbox, error) {
	sum := sha256.Sum256([]byte(secret))
	m, err := s.d.Store.MailboxByToken(ctx, sum[:])
	if err != nil || !m.Enabled {
		return Mailbox{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	return m, nil
}

// MaxLogPage bounds one page of the processing log.
const MaxLogPage = 200

// Log returns a mailbox's processing log (mailboxID 0: mail posted
// without a mailbox; -1: every mailbox), newest first (admins only).
func (s *Service) Log(ctx context.Context, by identity.Actor, mailboxID, beforeID int64, statuses []Status, limit int) ([]LogEntry, error) {
	if !by.IsAdmin() {
		return nil, forbidden()
	}
	if limit <= 0 || limit > MaxLogPage {
		limit = MaxLogPage
	}
	return s.d.Store.Log(ctx, mailboxID, beforeID, statuses, limit)
}

// DeadLetters lists the messages that failed for good, across mailboxes.
func (s *Service) DeadLetters(ctx context.Context, by identity.Actor, beforeID int64, limit int) ([]LogEntry, error) {
	return s.Log(ctx, by, -1, beforeID, []Status{StatusDead, StatusFailed}, limit)
}

// RetryEntry puts a failed or dead message back for processing now.
func (s *Service) RetryEntry(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return forbidden()
	}
	return s.d.Store.Requeue(ctx, id)
}

// DiscardEntry removes a failed or dead message from the dead letters.
func (s *Service) DiscardEntry(ctx context.Context, by identity.Actor, id int64) error {
	if !by.IsAdmin() {
		return forbidden()
	}
	return s.d.Store.Discard(ctx, id)
}
