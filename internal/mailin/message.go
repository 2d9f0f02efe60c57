// Package mailin owns email intake: it parses raw RFC 5322 messages into a
// normalized form (text first, sanitized HTML kept, quoted history folded,
// attachments and inline images, every charset decoded to UTF-8), recognises
// noise (bounces, auto-replies, bulk mail, our own outbound mail), threads a
// message onto its ticket and turns it into a new ticket or a reply through
// the ticket service. Mailboxes (IMAP polling, a built-in SMTP listener and
// the HTTP intake endpoint) all call the same Service.Ingest.
//
// The package knows no HTTP, SQL or translations: it returns apperr errors
// and outcomes with stable reason codes.
package mailin

import "time"

// Address is a mailbox address with its display name.
type Address struct {
	Name  string
	Email string // lower-cased
}

// Part is an attachment or inline image of a message.
type Part struct {
	Filename    string
	ContentType string
	// ContentID is set for inline parts referenced from the HTML (cid:).
	ContentID string
	Inline    bool
	Data      []byte
	// Truncated reports that the part was larger than Limits.MaxPartBytes
	// and only its head was kept: it can never be accepted.
	Truncated bool
	Size      int64
}

// Noise says why a message must never be answered automatically.
type Noise string

// The kinds of noise; empty means a message a person wrote.
const (
	NoiseNone       Noise = ""
	NoiseBounce     Noise = "bounce"         // a delivery status notification (DSN)
	NoiseAutoReply  Noise = "auto_reply"     // out-of-office and other automatic answers
	NoiseBulk       Noise = "bulk"           // Precedence: bulk / list, mailing lists
	NoiseOwnMessage Noise = "own_message"    // mail the desk sent itself
	NoiseAutoSubmit Noise = "auto_submitted" // Auto-Submitted other than "no"
)

// Message is a parsed, normalized email.
type Message struct {
	// MessageID is the Message-ID without angle brackets; when the message
	// has none, one is derived from the content (SHA-256), so duplicates
	// still match.
	MessageID  string
	InReplyTo  []string
	References []string
	From       Address
	ReplyTo    []Address
	To         []Address
	Cc         []Address
	// DeliveredTo are the envelope recipients the transport recorded
	// (Delivered-To, X-Original-To), used for plus-addressing.
	DeliveredTo []string
	Subject     string
	Date        time.Time
	// Text is the new part of the message (the reply without the quoted history).
	Text string
	// Quoted is the folded quoted history, kept for reference.
	Quoted string
	// HTML is the sanitized HTML body, when the message had one.
	HTML  string
	Parts []Part
	Noise Noise
	// Origin is the X-Helpdesk-Origin header our own outbound mail carries.
	Origin string
	// Warnings records what the parser had to repair (a broken boundary, an
	// unknown charset); the message is still usable.
	Warnings []string
	// Size is the raw message's size in bytes.
	Size int
}

// Limits bound what the parser keeps from one message.
type Limits struct {
	// MaxMessageBytes is the largest raw message accepted at all.
	MaxMessageBytes int
	// MaxPartBytes is the most kept of one attachment; a larger one is
	// recorded (name and size) but its content dropped.
	MaxPartBytes int64
	// MaxParts bounds the MIME parts walked; MaxDepth their nesting.
	MaxParts int
	MaxDepth int
	// MaxTextRunes bounds the text kept (the ticket body has its own limit).
	MaxTextRunes int
}

// DefaultLimits are the limits unless configured otherwise: a 40 MB message
// (a 25 MB attachment grows by a third in base64), attachments kept up to
// 32 MB (the ticket service applies its own, smaller limit and the refusal
// is listed), 200 parts, 16 levels.
var DefaultLimits = Limits{MaxMessageBytes: 40 << 20, MaxPartBytes: 32 << 20, MaxParts: 200, MaxDepth: 16, MaxTextRunes: 100000}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxMessageBytes > 0 {
		d.MaxMessageBytes = l.MaxMessageBytes
	}
	if l.MaxPartBytes > 0 {
		d.MaxPartBytes = l.MaxPartBytes
	}
	if l.MaxParts > 0 {
		d.MaxParts = l.MaxParts
	}
	if l.MaxDepth > 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxTextRunes > 0 {
		d.MaxTextRunes = l.MaxTextRunes
	}
	return d
}
