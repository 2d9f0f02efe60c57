package notify

import (
	"context"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/ticket"
)

// Channel is a way to reach a person.
type Channel string

// The channels a user can choose.
const (
	ChannelEmail Channel = "email"
	ChannelInbox Channel = "inbox" // in-site messages (站内信)
	ChannelSMS   Channel = "sms"
	ChannelIM    Channel = "im"
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelInbox, ChannelSMS, ChannelIM}

// Prefs are a user's channel choices. Email and in-site are on unless
// turned off; SMS and IM are off unless turned on.
type Prefs map[Channel]bool

// On reports whether the channel is chosen.
func (p Prefs) On(c Channel) bool {
	if v, ok := p[c]; ok {
		return v
	}
	return c == ChannelEmail || c == ChannelInbox
}

// OutboundID is the Message-ID of a mail about a ticket.
type OutboundID struct {
	MessageID string
	TicketID  int64
}

// Outbox is what one event fans out to, written in one transaction: jobs
// that already exist (by key) are left alone, so a repeated fan-out sends
// nothing twice.
type Outbox struct {
	Jobs       []job.Job
	MessageIDs []OutboundID
	Deliveries []Delivery
}

// Follower is someone copied on a ticket's mail.
type Follower struct {
	Email  string
	UserID int64
}

// Store is what outbound notifications need from persistence.
type OutStore interface {
	Enqueue(ctx context.Context, o Outbox) error
	Prefs(ctx context.Context, userID int64) (Prefs, error)
	SetPrefs(ctx context.Context, userID int64, p Prefs) error
	// EmailFailure returns the address of a user that failed permanently.
	EmailFailure(ctx context.Context, userID int64) (email string, failed bool, err error)
	RecordEmailFailure(ctx context.Context, userID int64, email string, code int, reason string, at time.Time) error
	Followers(ctx context.Context, ticketID int64) ([]Follower, error)
	// FirstInboundID is the Message-ID of the mail that opened the ticket ("" if none).
	FirstInboundID(ctx context.Context, ticketID int64) (string, error)
	Template(ctx context.Context, key, lang string) (Template, bool, error)
	SaveTemplate(ctx context.Context, t Template) error
	DeleteTemplate(ctx context.Context, key, lang string) error
	Subscriptions(ctx context.Context) ([]Subscription, error)
	Robots(ctx context.Context) ([]Robot, error)
}

// Tickets reads tickets for the fan-out (no permission checks: the desk
// itself decides who is told).
type Tickets interface {
	TicketByNumber(ctx context.Context, number string) (ticket.Ticket, error)
}

// Directory reads people.
type Directory interface {
	UserByID(ctx context.Context, id int64) (identity.User, error)
	UserByLogin(ctx context.Context, login string) (identity.User, error)
	GroupSupervisors(ctx context.Context, groupID int64) ([]int64, error)
}
