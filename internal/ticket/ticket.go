// Package ticket owns the ticket lifecycle: numbering, the status machine,
// fields and custom fields, the conversation (public replies and internal
// notes), attachments and the history of every change.
//
// Every business action is one Service method, called alike by the JSON API,
// the web pages and mail intake. The package knows nothing of HTTP, SQL or
// translations: it returns apperr errors with stable codes.
package ticket

import (
	"slices"
	"time"

	"helpdesk/internal/sla"
)

// Status is a ticket's place in its lifecycle.
type Status string

// The statuses, with their Chinese names as the desk shows them.
const (
	StatusUnassigned           Status = "unassigned"            // 待分配
	StatusAssigned             Status = "assigned"              // 待处理
	StatusInProgress           Status = "in_progress"           // 处理中
	StatusAwaitingConfirmation Status = "awaiting_confirmation" // 待确认
	StatusResolved             Status = "resolved"              // 已解决
	StatusClosed               Status = "closed"                // 已关闭
	StatusFollowUp             Status = "follow_up"             // 待跟进
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusUnassigned, StatusAssigned, StatusInProgress, StatusAwaitingConfirmation,
	StatusResolved, StatusClosed, StatusFollowUp}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Open reports whether work on the ticket is still expected.
func (s Status) Open() bool { return s != StatusResolved && s != StatusClosed }

// Priority is P1 (most urgent) to P4.
type Priority string

// The priorities.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{P1, P2, P3, P4}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

// Channel is how a ticket reached the desk.
type Channel string

// The channels.
const (
	ChannelWeb   Channel = "web"
	ChannelEmail Channel = "email"
	ChannelPhone Channel = "phone"
	ChannelAPI   Channel = "api"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWeb, ChannelEmail, ChannelPhone, ChannelAPI}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Ticket is a request for help.
type Ticket struct {
	ID int64
	// Number is TS + date in the site time zone + daily serial (TS20261122001).
	Number       string
	Title        string
	Description  string
	CategoryID   int64
	CategoryKey  string
	Priority     Priority
	Status       Status
	Channel      Channel
	RequesterID  int64
	Requester    string // login
	OrgID        int64
	OrgName      string
	ContactPhone string
	ContactEmail string
	GroupID      int64
	GroupKey     string
	AssigneeID   int64
	Assignee     string // login, empty when unassigned
	CustomFields map[string]any
	// EscalationLevel rises with every escalation (SLA breach or request).
	EscalationLevel int
	// CustomerEscalationLevel is the level the customer last escalated to;
	// a customer may escalate once per level.
	CustomerEscalationLevel int
	// ParentID links a ticket opened by replying to a closed one.
	ParentID     int64
	ParentNumber string
	// Resolutions counts how often the ticket was resolved; each resolution
	// may be rated once.
	Resolutions int
	// SLA holds the ticket's deadline clocks; zero when no SLA applies.
	SLA sla.Clocks
	// SLAStatus is filled in for readers by the service (nil otherwise).
	SLAStatus *SLAStatus
	// Version grows by one with every change; it is the ETag for optimistic locking.
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time
}

// Message is one entry of a ticket's conversation.
type Message struct {
	ID         int64
	TicketID   int64
	AuthorID   int64
	Author     string // login
	AuthorName string
	AuthorRole string
	Body       string
	// Internal notes are for staff only and never reach the customer.
	Internal  bool
	CreatedAt time.Time
	// Number is the ticket the message landed on: a customer's reply to a
	// closed ticket opens a new, linked ticket.
	Number string
}

// Attachment is a file attached to a ticket; its content lives in blob storage
// under its SHA-256.
type Attachment struct {
	ID          int64
	TicketID    int64
	UploaderID  int64
	Uploader    string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	CreatedAt   time.Time
}

// EventKind says what a history event records.
type EventKind string

// The kinds of history event.
const (
	EventCreated    EventKind = "created"
	EventField      EventKind = "field"
	EventStatus     EventKind = "status"
	EventAssignee   EventKind = "assignee"
	EventGroup      EventKind = "group"
	EventMessage    EventKind = "message"
	EventNote       EventKind = "note"
	EventAttachment EventKind = "attachment"
	EventEscalation EventKind = "escalation"
	EventRating     EventKind = "rating"
	EventRemote     EventKind = "remote"
	EventLink       EventKind = "link"
	EventSLA        EventKind = "sla"
)

// Event is one change in a ticket's history: who changed what from what to what.
type Event struct {
	ID       int64
	TicketID int64
	ActorID  int64
	Actor    string // login, "system" for the desk itself
	Kind     EventKind
	Field    string
	From     string
	To       string
	Comment  string
	// Internal events (notes) are hidden from customers.
	Internal bool
	At       time.Time
}
