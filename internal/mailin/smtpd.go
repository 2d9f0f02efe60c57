package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTPDeps configure the built-in SMTP listener.
type SMTPDeps struct {
	Intake Ingester
	// Mailboxes lists the configured mailboxes; a recipient whose address
	// is an smtp mailbox's gets that mailbox's settings.
	Mailboxes func(ctx context.Context) ([]Mailbox, error)
	// Domain is the domain mail is accepted for (recipients elsewhere are
	// refused: the listener is no relay).
	Domain string
	// MaxBytes bounds one message (default DefaultLimits.MaxMessageBytes).
	MaxBytes int64
	Log      *slog.Logger
}

// SMTPServer receives mail for the desk's domain over SMTP (for sites
// that point MX or a forward at the desk) and hands each message to the
// same intake as IMAP and HTTP. It is off unless configured.
type SMTPServer struct {
	d   SMTPDeps
	srv *smtp.Server
}

// NewSMTPServer builds the listener.
func NewSMTPServer(d SMTPDeps) *SMTPServer {
	if d.MaxBytes <= 0 {
		d.MaxBytes = int64(DefaultLimits.MaxMessageBytes)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	d.Domain = strings.ToLower(strings.TrimSpace(d.Domain))
	s := &SMTPServer{d: d}
	srv := smtp.NewServer(backend{s})
	srv.Domain = d.Domain
	srv.MaxMessageBytes = d.MaxBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = 2 * time.Minute
	srv.ErrorLog = slogLogger{d.Log}
	s.srv = srv
	return s
}

// Serve accepts connections on ln until ctx ends.
func (s *SMTPServer) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { s.srv.Close() })
	defer stop()
	err := s.srv.Serve(ln)
	if ctx.Err() != nil || errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

type backend struct{ s *SMTPServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

// session is one SMTP transaction at a time.
type session struct {
	s     *SMTPServer
	from  string
	rcpts []string
	mb    *Mailbox
}

func (x *session) Reset()        { x.from, x.rcpts, x.mb = "", nil, nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

var errRelay = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied: not a mailbox of this desk"}

// Rcpt accepts recipients of the desk's domain and of smtp mailboxes.
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	to = strings.ToLower(strings.TrimSpace(to))
	_, domain, ok := strings.Cut(to, "@")
	if !ok {
		return errRelay
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := x.s.d.Mailboxes(ctx)
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	for _, m := range all {
		if m.Mode == ModeSMTP && m.Enabled && m.Address != "" && m.Address == baseAddress(to) {
			if x.mb == nil {
				mb := m
				x.mb = &mb
			}
			x.rcpts = append(x.rcpts, to)
			return nil
		}
	}
	if domain != x.s.d.Domain {
		return errRelay
	}
	x.rcpts = append(x.rcpts, to)
	return nil
}

// Data ingests the message. Only a failure to record it is a temporary
// error (the sender retries); whatever intake decides (a ticket, ignored,
// dead) is accepted, so the desk never sends a bounce.
func (x *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	for _, rc := range x.rcpts {
		fmt.Fprintf(&buf, "Delivered-To: %s\r\n", rc)
	}
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	mb := DefaultMailbox()
	mb.Mode = ModeSMTP
	if x.mb != nil {
		mb = *x.mb
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := x.s.d.Intake.Ingest(ctx, mb, buf.Bytes())
	if err != nil {
		x.s.d.Log.Error("smtp intake", "from", x.from, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Could not store the message, try again later"}
	}
	x.s.d.Log.Debug("smtp intake", "from", x.from, "status", out.Status, "reason", out.Reason, "ticket", out.TicketNumber)
	return nil
}

// slogLogger adapts slog to the library's logger.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Printf(format string, v ...any) {
	s.l.Warn("smtp", "msg", fmt.Sprintf(format, v...))
}
func (s slogLogger) Println(v ...any) { s.l.Warn("smtp", "msg", fmt.Sprint(v...)) }
