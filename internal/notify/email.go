package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"helpdesk/internal/job"
)

// SMTPConfig is the outbound mail server.
type SMTPConfig struct {
	Addr     string // host:port
	TLS      string // "tls", "starttls" or "none"
	Username string
	Password string
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
}

// ParseSMTPURL reads smtp://user:pass@host:587?tls=starttls.
func ParseSMTPURL(s string) (SMTPConfig, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return SMTPConfig{}, fmt.Errorf("notify: smtp url %q: want smtp://user:pass@host:port?tls=starttls", s)
	}
	c := SMTPConfig{Addr: u.Host, TLS: u.Query().Get("tls")}
	if c.TLS == "" {
		c.TLS = "starttls"
		if u.Scheme == "smtps" {
			c.TLS = "tls"
		}
	}
	if u.Port() == "" {
		port := "587"
		if c.TLS == "tls" {
			port = "465"
		}
		c.Addr = net.JoinHostPort(u.Hostname(), port)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	return c, nil
}

// SMTPError is a refusal by the mail server; 5xx codes are permanent.
type SMTPError struct {
	Code    int
	Message string
}

func (e *SMTPError) Error() string { return fmt.Sprintf("smtp %d: %s", e.Code, e.Message) }

// Send delivers one message through the SMTP server.
func (c SMTPConfig) Send(ctx context.Context, from string, to []string, msg []byte) error {
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("notify: smtp dial %s: %w", c.Addr, err)
	}
	host, _, _ := net.SplitHostPort(c.Addr)
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		tc = c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = host
		}
	}
	var cl *smtp.Client
	switch c.TLS {
	case "tls":
		cl = smtp.NewClient(tls.Client(conn, tc))
	case "none":
		cl = smtp.NewClient(conn)
	default:
		cl, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return fmt.Errorf("notify: smtp starttls: %w", err)
		}
	}
	defer cl.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(2 * time.Minute))
	}
	if c.Username != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			return smtpErr(err)
		}
	}
	if err := cl.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return smtpErr(err)
	}
	return cl.Quit()
}

func smtpErr(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return &SMTPError{Code: se.Code, Message: se.Message}
	}
	return err
}

// Sender sends a built message.
type Sender interface {
	Send(ctx context.Context, from string, to []string, msg []byte) error
}

// MailerDeps are the email channel's collaborators.
type MailerDeps struct {
	Store    OutStore
	Renderer *Renderer
	Sender   Sender
	// From is the sender address ("Helpdesk <support@desk.example>").
	From string
	// Origin marks the desk's own mail so intake never ingests it.
	Origin string
	Now    func() time.Time
}

// Mailer sends notification emails (the KindEmail job handler).
type Mailer struct{ d MailerDeps }

// NewMailer builds the email channel.
func NewMailer(d MailerDeps) *Mailer {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Mailer{d: d}
}

// Deliver renders and sends one email job. A permanent refusal (5xx) is
// recorded on the user, so no more mail goes to that address, and the job
// is not retried; anything else is retried with the runner's backoff.
func (m *Mailer) Deliver(ctx context.Context, j job.Job) error {
	var p EmailJob
	if err := j.Decode(&p); err != nil {
		return err
	}
	msg, err := m.Build(ctx, p)
	if err != nil {
		return job.Permanent(err)
	}
	from, _ := mail.ParseAddress(m.d.From)
	err = m.d.Sender.Send(ctx, from.Address, []string{p.To}, msg)
	var se *SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		if p.UserID != 0 {
			if rerr := m.d.Store.RecordEmailFailure(ctx, p.UserID, p.To, se.Code, se.Message, m.d.Now().UTC()); rerr != nil {
				return rerr
			}
		}
		return job.Permanent(err)
	}
	return err
}

// Build renders an email job into a MIME message (text and HTML
// alternatives) with the threading headers and the subject tag.
func (m *Mailer) Build(ctx context.Context, p EmailJob) ([]byte, error) {
	r, err := m.d.Renderer.Render(ctx, p.Template, p.Lang, p.Vars)
	if err != nil {
		return nil, err
	}
	tag := "[" + p.Ticket + "]"
	if p.Ticket != "" && !strings.Contains(r.Subject, tag) {
		r.Subject = tag + " " + r.Subject
	}
	from, err := mail.ParseAddress(m.d.From)
	if err != nil {
		return nil, fmt.Errorf("notify: from address %q: %w", m.d.From, err)
	}
	var h mail.Header
	h.SetAddressList("From", []*mail.Address{from})
	h.SetAddressList("To", []*mail.Address{{Name: p.Name, Address: p.To}})
	h.SetSubject(r.Subject)
	h.SetDate(m.d.Now())
	h.SetMessageID(p.MessageID)
	if p.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{p.InReplyTo})
	}
	if len(p.References) > 0 {
		h.SetMsgIDList("References", p.References)
	}
	h.Set("Auto-Submitted", "auto-generated")
	h.Set("X-Auto-Response-Suppress", "All")
	h.Set("X-Helpdesk-Origin", m.d.Origin)
	if p.Ticket != "" {
		h.Set("X-Helpdesk-Ticket", p.Ticket)
	}
	h.Set("Content-Language", p.Lang)
	var b bytes.Buffer
	w, err := mail.CreateWriter(&b, h)
	if err != nil {
		return nil, err
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, err
	}
	for _, part := range []struct{ ct, body string }{{"text/plain", r.Text}, {"text/html", r.HTML}} {
		var ph mail.InlineHeader
		ph.SetContentType(part.ct, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := iw.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(pw, part.body); err != nil {
			return nil, err
		}
		pw.Close()
	}
	iw.Close()
	w.Close()
	return b.Bytes(), nil
}
