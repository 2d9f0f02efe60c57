package mailin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// Store is what intake needs from persistence.
type Store interface {
	// Claim records a message as being processed, in one transaction: its
	// log entry (status processing, raw kept), its Message-ID (unique) and
	// a retry job due at retryAt, which reprocesses it should this node die
	// before settling it. When the Message-ID is known already it writes
	// only a log entry ignored as a duplicate and returns dup with the
	// ticket the first delivery reached (if any) and whether that id is one
	// the desk sent itself.
	Claim(ctx context.Context, e LogEntry, raw []byte, retryAt time.Time) (id int64, dup Duplicate, err error)
	// Settle records the final outcome of a message: the log entry's
	// status, the ticket its Message-ID belongs to (0: none); the raw
	// message is dropped and the retry job cancelled.
	Settle(ctx context.Context, id int64, out Outcome, ticketNumber string) error
	// Failed records a failed attempt; dead also drops the retry job.
	Failed(ctx context.Context, id int64, reason, detail string, dead bool) error
	// Requeue puts a failed or dead entry back for processing now.
	Requeue(ctx context.Context, id int64) error
	// Discard removes a failed or dead entry from the dead letters.
	Discard(ctx context.Context, id int64) error
	// Entry returns a log entry with its raw message (nil once settled).
	Entry(ctx context.Context, id int64) (LogEntry, []byte, error)
	// Log lists a mailbox's entries (0: entries without a mailbox, -1:
	// all), newest first, older than beforeID when set; statuses filters.
	Log(ctx context.Context, mailboxID, beforeID int64, statuses []Status, limit int) ([]LogEntry, error)
	// SenderCount counts the messages from sender since then that became
	// tickets or replies.
	SenderCount(ctx context.Context, sender string, since time.Time) (int, error)
	// ThreadTicket returns the number of the ticket one of ids belongs to
	// (inbound or outbound), the most recent first; "" when none.
	ThreadTicket(ctx context.Context, ids []string) (string, error)
	// UserIDByEmail finds the user with an email address (case-insensitive).
	UserIDByEmail(ctx context.Context, email string) (int64, error)
	AddFollowers(ctx context.Context, ticketNumber string, f []Follower) error

	Mailboxes(ctx context.Context) ([]Mailbox, error)
	Mailbox(ctx context.Context, id int64) (Mailbox, error)
	MailboxByToken(ctx context.Context, hash []byte) (Mailbox, error)
	SaveMailbox(ctx context.Context, m Mailbox) (Mailbox, error)
	DeleteMailbox(ctx context.Context, id int64) error
	SetMailboxToken(ctx context.Context, id int64, hash []byte) error
	// SetPosition records the IMAP position reached.
	SetPosition(ctx context.Context, id int64, uidValidity, lastUID uint32) error
}

// Duplicate describes an already known Message-ID.
type Duplicate struct {
	Known        bool
	Outbound     bool
	TicketNumber string
}

// Follower is a person copied on a ticket's mail.
type Follower struct {
	Email  string
	UserID int64
}

// Tickets is what intake needs from the ticket service.
type Tickets interface {
	CreateIdempotent(ctx context.Context, by identity.Actor, in ticket.CreateInput) (ticket.Ticket, bool, error)
	AddMessage(ctx context.Context, by identity.Actor, number string, in ticket.MessageInput) (ticket.Message, error)
	AddAttachment(ctx context.Context, by identity.Actor, number, filename string, content io.Reader) (ticket.Attachment, error)
	CheckAttachment(ctx context.Context, filename string, size int64, head []byte) error
}

// Users is what intake needs from the identity service.
type Users interface {
	CreateUser(ctx context.Context, by identity.Actor, in identity.NewUser) (identity.User, error)
	UserByID(ctx context.Context, id int64) (identity.User, error)
}

// Refused is an attachment the ticket service did not accept.
type Refused struct {
	Filename string
	Size     int64
	// Code and Params are the ticket service's error (attachment.too_large …).
	Code   string
	Params map[string]any
}

// RateLimit bounds how many messages one sender may turn into tickets or
// replies within Window; more are ignored (and logged) as rate_limited.
type RateLimit struct {
	Count  int
	Window time.Duration
}

// DefaultRateLimit is 30 messages per sender per hour.
var DefaultRateLimit = RateLimit{Count: 30, Window: time.Hour}

// RetryKind is the job kind that reprocesses a message.
const RetryKind = "mail.retry"

// RetryKey is the unique job key of a log entry's retry.
func RetryKey(logID int64) string { return fmt.Sprintf("mail:retry:%d", logID) }

// Deps are the intake service's collaborators.
type Deps struct {
	Store   Store
	Tickets Tickets
	Users   Users
	Now     func() time.Time
	Limits  Limits
	Rate    RateLimit
	// RefusedNote renders the list of refused attachments appended to the
	// ticket message (the app renders it in the site language).
	RefusedNote func(r []Refused) string
	// Origin is the value of X-Helpdesk-Origin in this desk's own mail.
	Origin string
	// RetryDelay is how long after a claim the safety retry is due.
	RetryDelay time.Duration
	// Outcomes, when set, counts every message by its outcome (created,
	// appended, ignored, dead …, "error" when it could not be recorded),
	// for the desk's metrics.
	Outcomes Counter
}

// Counter counts events by label.
type Counter interface{ Inc(label string) }

// Service turns incoming mail into tickets and replies.
type Service struct {
	d Deps
}

// NewService builds the intake service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.Limits = d.Limits.withDefaults()
	if d.Rate.Count <= 0 || d.Rate.Window <= 0 {
		d.Rate = DefaultRateLimit
	}
	if d.RefusedNote == nil {
		d.RefusedNote = func(r []Refused) string {
			var b strings.Builder
			for _, x := range r {
				fmt.Fprintf(&b, "[%s] %s (%d bytes)\n", x.Code, x.Filename, x.Size)
			}
			return b.String()
		}
	}
	if d.RetryDelay <= 0 {
		d.RetryDelay = 2 * time.Minute
	}
	return &Service{d: d}
}

// Ingest processes one raw message received by mailbox mb (ID 0: posted
// by an admin without a mailbox). It never fails because of the message
// itself: a malformed message is logged as failed and its outcome
// returned. An error means the desk could not record the message at all
// (the database is down); the caller keeps the message and tries later.
func (s *Service) Ingest(ctx context.Context, mb Mailbox, raw []byte) (Outcome, error) {
	out, err := s.ingest(ctx, mb, raw)
	if s.d.Outcomes != nil {
		if err != nil {
			s.d.Outcomes.Inc("error")
		} else {
			s.d.Outcomes.Inc(string(out.Status))
		}
	}
	return out, err
}

func (s *Service) ingest(ctx context.Context, mb Mailbox, raw []byte) (Outcome, error) {
	now := s.d.Now().UTC()
	m, perr := Parse(raw, s.d.Limits)
	e := LogEntry{MailboxID: mb.ID, ReceivedAt: now, UpdatedAt: now, Status: StatusProcessing}
	if perr != nil {
		sum := sha256.Sum256(raw)
		e.MessageID = "sha256-" + hex.EncodeToString(sum[:16]) + "@unparsed"
	} else {
		e.MessageID, e.Sender, e.Subject = m.MessageID, m.From.Email, truncate(m.Subject, 300)
	}
	keep := raw
	if perr != nil && apperr.KindOf(perr) == apperr.TooLarge {
		keep = nil // never store what we refuse for its size
	}
	id, dup, err := s.d.Store.Claim(ctx, e, keep, now.Add(s.d.RetryDelay))
	if err != nil {
		return Outcome{}, err
	}
	if dup.Known {
		reason := ReasonDuplicate
		if dup.Outbound {
			reason = ReasonOwnMessage
		}
		return Outcome{LogID: id, Status: StatusIgnored, Reason: reason, TicketNumber: dup.TicketNumber}, nil
	}
	if perr != nil {
		out := Outcome{LogID: id, Status: StatusDead, Reason: ReasonMalformed, Detail: codeOf(perr)}
		return out, s.d.Store.Failed(ctx, id, out.Reason, out.Detail, true)
	}
	return s.run(ctx, id, mb, m)
}

// run processes a claimed message and records its outcome.
func (s *Service) run(ctx context.Context, id int64, mb Mailbox, m Message) (Outcome, error) {
	out, err := s.process(ctx, mb, m)
	out.LogID = id
	if err != nil {
		out.Status, out.Detail = StatusFailed, truncate(err.Error(), 1000)
		if out.Reason == "" {
			out.Reason = ReasonError
		}
		permanent := apperr.KindOf(err) != apperr.Internal
		if permanent {
			out.Status, out.Detail = StatusDead, codeOf(err)
		}
		if ferr := s.d.Store.Failed(ctx, id, out.Reason, out.Detail, permanent); ferr != nil {
			return out, ferr
		}
		return out, nil
	}
	return out, s.d.Store.Settle(ctx, id, out, out.TicketNumber)
}

// Retry reprocesses a logged message (the retry job's handler). It does
// nothing when the entry is settled already. last says this is the final
// attempt: a failure then puts the entry in the dead letters.
func (s *Service) Retry(ctx context.Context, logID int64, last bool) error {
	e, raw, err := s.d.Store.Entry(ctx, logID)
	if err != nil {
		return err
	}
	if e.Status != StatusProcessing && e.Status != StatusFailed {
		return nil
	}
	if raw == nil {
		return s.d.Store.Failed(ctx, logID, ReasonMalformed, "raw message missing", true)
	}
	m, perr := Parse(raw, s.d.Limits)
	if perr != nil {
		return s.d.Store.Failed(ctx, logID, ReasonMalformed, codeOf(perr), true)
	}
	var mb Mailbox
	if e.MailboxID != 0 {
		if mb, err = s.d.Store.Mailbox(ctx, e.MailboxID); err != nil {
			return err
		}
	} else {
		mb = defaultMailbox()
	}
	out, err := s.process(ctx, mb, m)
	if err != nil {
		permanent := apperr.KindOf(err) != apperr.Internal
		reason := out.Reason
		if reason == "" {
			reason = ReasonError
		}
		if ferr := s.d.Store.Failed(ctx, logID, reason, truncate(err.Error(), 1000), permanent || last); ferr != nil {
			return ferr
		}
		if permanent {
			return nil
		}
		return err // the runner retries with backoff
	}
	out.LogID = logID
	return s.d.Store.Settle(ctx, logID, out, out.TicketNumber)
}

// defaultMailbox is the setting of mail posted by an admin without naming
// a mailbox.
func defaultMailbox() Mailbox {
	return Mailbox{Mode: ModeHTTP, CreateUnknown: true, Category: "software", Enabled: true}
}

// DefaultMailbox is the setting used for mail posted without a mailbox.
func DefaultMailbox() Mailbox { return defaultMailbox() }

func codeOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return truncate(err.Error(), 1000)
}

// process decides what a parsed message becomes and does it.
func (s *Service) process(ctx context.Context, mb Mailbox, m Message) (Outcome, error) {
	ign := func(reason string) (Outcome, error) { return Outcome{Status: StatusIgnored, Reason: reason}, nil }
	switch m.Noise {
	case NoiseNone:
	case NoiseOwnMessage:
		return ign(ReasonOwnMessage)
	case NoiseBounce:
		return ign(ReasonBounce)
	case NoiseAutoReply:
		return ign(ReasonAutoReply)
	case NoiseBulk:
		return ign(ReasonBulk)
	default:
		return ign(ReasonAutoSubmitted)
	}
	sender := m.From.Email
	if sender == "" || !strings.Contains(sender, "@") {
		return ign(ReasonNoSender)
	}
	ours, err := s.ownAddresses(ctx, mb)
	if err != nil {
		return Outcome{}, err
	}
	if ours[sender] || ours[baseAddress(sender)] {
		return ign(ReasonLoop)
	}
	n, err := s.d.Store.SenderCount(ctx, sender, s.d.Now().UTC().Add(-s.d.Rate.Window))
	if err != nil {
		return Outcome{}, err
	}
	if n >= s.d.Rate.Count {
		return ign(ReasonRateLimited)
	}
	user, err := s.sender(ctx, mb, m.From)
	if err != nil {
		var ig ignoreError
		if errors.As(err, &ig) {
			return ign(string(ig))
		}
		return Outcome{}, err
	}
	by := identity.ActorOf(user)
	number, err := s.thread(ctx, mb, m, ours)
	if err != nil {
		return Outcome{}, err
	}
	body, accepted := s.body(ctx, m)
	var out Outcome
	if number != "" {
		msg, err := s.d.Tickets.AddMessage(ctx, by, number, ticket.MessageInput{Body: body})
		switch {
		case err == nil:
			out = Outcome{Status: StatusAppended, TicketNumber: msg.Number}
			if msg.Number != number {
				out.Status, out.Detail = StatusCreated, "follow_on:"+number // a reply to a closed ticket
			}
		case apperr.KindOf(err) == apperr.NotFound || apperr.KindOf(err) == apperr.Forbidden:
			// The sender may not write on that ticket: their message is a
			// new one, and nothing of the other ticket leaks to them.
			number = ""
		default:
			return Outcome{Reason: ReasonRejected}, err
		}
	}
	if number == "" {
		t, _, err := s.d.Tickets.CreateIdempotent(ctx, by, ticket.CreateInput{
			Title: title(m), Description: body, Category: mb.Category, Priority: ticket.P3, Channel: ticket.ChannelEmail,
			ContactEmail: sender, IdempotencyKey: idemKey(m.MessageID)})
		if err != nil {
			return Outcome{Reason: ReasonRejected}, err
		}
		out = Outcome{Status: StatusCreated, TicketNumber: t.Number}
	}
	var failed []string
	for _, p := range accepted {
		if _, err := s.d.Tickets.AddAttachment(ctx, by, out.TicketNumber, p.Filename, bytes.NewReader(p.Data)); err != nil {
			failed = append(failed, p.Filename+": "+codeOf(err))
		}
	}
	if len(failed) > 0 {
		out.Detail = strings.TrimPrefix(out.Detail+"; attachments failed: "+strings.Join(failed, ", "), "; ")
	}
	if f := followers(m, sender, ours); len(f) > 0 {
		for i := range f {
			if id, err := s.d.Store.UserIDByEmail(ctx, f[i].Email); err == nil {
				f[i].UserID = id
			}
		}
		if err := s.d.Store.AddFollowers(ctx, out.TicketNumber, f); err != nil {
			return out, err
		}
	}
	return out, nil
}

// body is the ticket message: the new text, the list of refused files,
// within the ticket's length limit; it also returns the parts to store.
func (s *Service) body(ctx context.Context, m Message) (string, []Part) {
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = m.Subject
	}
	if strings.TrimSpace(text) == "" {
		text = "(" + m.MessageID + ")"
	}
	var refused []Refused
	var accepted []Part
	for _, p := range m.Parts {
		head := p.Data
		if p.Truncated {
			head = nil
		}
		err := s.d.Tickets.CheckAttachment(ctx, p.Filename, p.Size, head)
		if err == nil && !p.Truncated {
			accepted = append(accepted, p)
			continue
		}
		r := Refused{Filename: p.Filename, Size: p.Size, Code: "attachment.too_large"}
		if e, ok := apperr.As(err); ok {
			r.Code, r.Params = e.Code, e.Params
		}
		refused = append(refused, r)
	}
	note := ""
	if len(refused) > 0 {
		note = "\n\n" + strings.TrimSpace(s.d.RefusedNote(refused))
	}
	max := ticket.MaxBodyLen - utf8.RuneCountInString(note) - 1
	if r := []rune(text); len(r) > max {
		text = string(r[:max-1]) + "…"
	}
	return text + note, accepted
}

// title is the new ticket's title: the subject, else the first line.
func title(m Message) string {
	t := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, m.Subject))
	if t == "" {
		t, _, _ = strings.Cut(strings.TrimSpace(m.Text), "\n")
	}
	if t == "" {
		t = m.From.Email
	}
	return truncate(strings.TrimSpace(t), ticket.MaxTitleLen)
}

// IdemPrefix starts the idempotency key of a ticket created from mail when
// the key is the Message-ID itself. The key is written in the ticket's own
// transaction, so the outbound "ticket received" mail can thread onto the
// customer's message before intake links the Message-ID to the ticket.
const IdemPrefix = "mail-id:"

// idemKey keys a ticket's creation by the Message-ID of its mail: the ID
// itself when it fits, else its hash (such a ticket's first mail then
// threads once intake has linked the ID).
func idemKey(messageID string) string {
	if len(IdemPrefix)+len(messageID) <= ticket.MaxIdempotencyKey {
		return IdemPrefix + messageID
	}
	sum := sha256.Sum256([]byte(messageID))
	return "mail:" + hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ignoreError stops processing a message that is to be ignored for the reason.
type ignoreError string

func (e ignoreError) Error() string { return "mailin: ignored: " + string(e) }
