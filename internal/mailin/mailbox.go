package mailin

import (
	"net/mail"
	"strings"
	"time"

	"helpdesk/internal/apperr"
)

// Mode is how a mailbox receives mail.
type Mode string

// The mailbox modes.
const (
	ModeIMAP Mode = "imap" // polled (or IDLEd) over IMAP
	ModeSMTP Mode = "smtp" // delivered to the built-in SMTP listener
	ModeHTTP Mode = "http" // posted to POST /api/v1/intake/email
)

// TLSMode is how the IMAP connection is secured.
type TLSMode string

// The TLS modes. Plain is for tests and trusted local servers only.
const (
	TLSImplicit TLSMode = "tls"
	TLSStart    TLSMode = "starttls"
	TLSNone     TLSMode = "plain"
)

// Action is what happens to a processed message on the IMAP server.
type Action string

// The processed-mail actions.
const (
	ActionFlag Action = "flag" // mark \Seen (and keep it in the folder)
	ActionMove Action = "move" // move it to MoveTo
)

// Mailbox is a configured address the desk receives mail at.
type Mailbox struct {
	ID   int64
	Name string
	// Address is the support address (support@desk.example): replies to it
	// thread by plus-addressing (support+TS20261122001@desk.example), and
	// mail from it is never ingested.
	Address string
	Mode    Mode
	IMAP    IMAPConfig
	// Processed and MoveTo say what is done with a processed message.
	Processed Action
	MoveTo    string
	// CreateUnknown creates a customer for an unknown sender; otherwise
	// such mail is ignored (and logged).
	CreateUnknown bool
	// Category is the key of the category new tickets get.
	Category string
	Enabled  bool
	// HasToken reports whether the mailbox has its own intake token.
	HasToken bool
	// UIDValidity and LastUID are the IMAP position: every message up to
	// LastUID of this UIDVALIDITY was processed.
	UIDValidity uint32
	LastUID     uint32
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// IMAPConfig is how to reach an IMAP mailbox.
type IMAPConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	// Password is write-only through the API: it is never listed.
	Password string
	Folder   string
}

// validate checks a mailbox and fills defaults.
func (m *Mailbox) validate() error {
	var errs apperr.Multi
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" || len(m.Name) > 100 {
		errs.Add(apperr.FieldError("mail.mailbox_name_invalid", "name", nil))
	}
	m.Address = strings.ToLower(strings.TrimSpace(m.Address))
	if m.Address != "" {
		if a, err := mail.ParseAddress(m.Address); err != nil || a.Address != m.Address {
			errs.Add(apperr.FieldError("mail.address_invalid", "address", nil))
		}
	}
	if m.Mode == "" {
		m.Mode = ModeIMAP
	}
	switch m.Mode {
	case ModeIMAP:
		if m.IMAP.Host == "" {
			errs.Add(apperr.FieldError("field.required", "imap_host", nil))
		}
		if m.IMAP.TLS == "" {
			m.IMAP.TLS = TLSImplicit
		}
		if m.IMAP.TLS != TLSImplicit && m.IMAP.TLS != TLSStart && m.IMAP.TLS != TLSNone {
			errs.Add(apperr.FieldError("mail.tls_mode_invalid", "tls_mode", nil))
		}
		if m.IMAP.Port == 0 {
			m.IMAP.Port = 993
			if m.IMAP.TLS != TLSImplicit {
				m.IMAP.Port = 143
			}
		}
		if m.IMAP.Port < 1 || m.IMAP.Port > 65535 {
			errs.Add(apperr.FieldError("mail.port_invalid", "imap_port", nil))
		}
		if m.IMAP.Username == "" {
			errs.Add(apperr.FieldError("field.required", "username", nil))
		}
	case ModeSMTP, ModeHTTP:
	default:
		errs.Add(apperr.FieldError("mail.mode_invalid", "mode", nil))
	}
	if m.IMAP.Folder == "" {
		m.IMAP.Folder = "INBOX"
	}
	if m.Processed == "" {
		m.Processed = ActionFlag
	}
	switch m.Processed {
	case ActionFlag:
	case ActionMove:
		if strings.TrimSpace(m.MoveTo) == "" {
			errs.Add(apperr.FieldError("field.required", "move_to", nil))
		}
	default:
		errs.Add(apperr.FieldError("mail.action_invalid", "processed_action", nil))
	}
	if m.Category == "" {
		m.Category = "software"
	}
	return errs.Err()
}

// Status is the outcome of one message.
type Status string

// The outcomes a log entry can have.
const (
	StatusProcessing Status = "processing" // being processed (or the node died: the retry job takes it)
	StatusCreated    Status = "created"    // became a new ticket
	StatusAppended   Status = "appended"   // became a reply on a ticket
	StatusIgnored    Status = "ignored"    // deliberately not processed; Reason says why
	StatusFailed     Status = "failed"     // failed; retried with backoff
	StatusDead       Status = "dead"       // out of retries or failed for good: in the dead letters
	StatusDiscarded  Status = "discarded"  // removed from the dead letters by an admin
)

// Reasons for an ignored or failed message (stable codes, translated at the edge).
const (
	ReasonDuplicate     = "duplicate"      // the Message-ID was seen before
	ReasonOwnMessage    = "own_message"    // mail the desk sent itself
	ReasonBounce        = "bounce"         // a delivery status notification
	ReasonAutoReply     = "auto_reply"     // an automatic answer
	ReasonBulk          = "bulk"           // list or bulk mail
	ReasonAutoSubmitted = "auto_submitted" // Auto-Submitted, no-reply senders
	ReasonNoSender      = "no_sender"      // no usable From address
	ReasonUnknownSender = "unknown_sender" // not a user and the mailbox creates none
	ReasonInactive      = "sender_inactive"
	ReasonRateLimited   = "rate_limited" // too many messages from the sender
	ReasonLoop          = "own_address"  // sent from one of the desk's own addresses
	ReasonRejected      = "rejected"     // the ticket service refused it (see Detail)
	ReasonError         = "error"        // an internal error (see Detail)
	ReasonMalformed     = "malformed"    // not a readable message
)

// LogEntry is one message in a mailbox's processing log.
type LogEntry struct {
	ID           int64
	MailboxID    int64
	MessageID    string
	Sender       string
	Subject      string
	Status       Status
	Reason       string
	Detail       string
	TicketNumber string
	Attempts     int
	ReceivedAt   time.Time
	UpdatedAt    time.Time
}

// Outcome is what became of a message, as answered to the HTTP intake.
type Outcome struct {
	LogID        int64
	Status       Status
	Reason       string
	Detail       string
	TicketNumber string
}
