package config

import (
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
)

// Mail is the configuration of mail in and out.
type Mail struct {
	// SMTPAddr, when set, starts the built-in SMTP listener there (off by
	// default), accepting mail for SMTPDomain.
	SMTPAddr   string
	SMTPDomain string
	// Outbound is the SMTP server notifications go through, as a URL:
	// smtp://user:pass@host:587?tls=starttls (tls=tls|starttls|none). Empty:
	// no email is sent.
	Outbound string
	// From is the sender of notifications ("Helpdesk <support@desk.example>").
	From string
	// Origin marks the desk's own mail (X-Helpdesk-Origin), so it is never ingested.
	Origin string
	// IMAPPoll is how often mailboxes without IDLE are polled.
	IMAPPoll time.Duration
	// SMSGateway, when set, is the URL text messages are POSTed to as
	// {"phone": …, "text": …}, signed with SMSSecret (X-Helpdesk-Signature).
	SMSGateway string
	SMSSecret  string
}

// mailEnv documents the mail settings.
var mailEnv = []struct{ Flag, Var, Doc string }{
	{"smtp-addr", "HELPDESK_SMTP_ADDR", "start the built-in SMTP listener on this address (off when empty)"},
	{"smtp-domain", "HELPDESK_SMTP_DOMAIN", "domain the built-in SMTP listener accepts mail for"},
	{"mail-smtp", "HELPDESK_MAIL_SMTP", "outbound SMTP server URL, smtp://user:pass@host:587?tls=starttls"},
	{"mail-from", "HELPDESK_MAIL_FROM", "sender of notifications, e.g. Helpdesk <support@desk.example>"},
	{"mail-origin", "HELPDESK_MAIL_ORIGIN", "value of X-Helpdesk-Origin in the desk's own mail"},
	{"imap-poll", "HELPDESK_IMAP_POLL", "how often IMAP mailboxes without IDLE are polled"},
	{"sms-gateway", "HELPDESK_SMS_GATEWAY", "URL of an HTTP SMS gateway (JSON {phone, text}); empty: no SMS"},
	{"sms-secret", "HELPDESK_SMS_SECRET", "HMAC key signing the SMS gateway requests"},
}

// bindMail registers the mail flags.
func (c *Config) bindMail(fs *flag.FlagSet) {
	m := &c.Mail
	fs.StringVar(&m.SMTPAddr, "smtp-addr", env("HELPDESK_SMTP_ADDR", m.SMTPAddr), mailEnv[0].Doc)
	fs.StringVar(&m.SMTPDomain, "smtp-domain", env("HELPDESK_SMTP_DOMAIN", m.SMTPDomain), mailEnv[1].Doc)
	fs.StringVar(&m.Outbound, "mail-smtp", env("HELPDESK_MAIL_SMTP", m.Outbound), mailEnv[2].Doc)
	fs.StringVar(&m.From, "mail-from", env("HELPDESK_MAIL_FROM", m.From), mailEnv[3].Doc)
	fs.StringVar(&m.Origin, "mail-origin", env("HELPDESK_MAIL_ORIGIN", m.Origin), mailEnv[4].Doc)
	fs.DurationVar(&m.IMAPPoll, "imap-poll", envDuration("HELPDESK_IMAP_POLL", m.IMAPPoll), mailEnv[5].Doc)
	fs.StringVar(&m.SMSGateway, "sms-gateway", env("HELPDESK_SMS_GATEWAY", m.SMSGateway), mailEnv[6].Doc)
	fs.StringVar(&m.SMSSecret, "sms-secret", env("HELPDESK_SMS_SECRET", m.SMSSecret), mailEnv[7].Doc)
}

// MailOrigin is the X-Helpdesk-Origin value of this desk's mail.
func (c Config) MailOrigin() string {
	if c.Mail.Origin != "" {
		return c.Mail.Origin
	}
	return "helpdesk"
}

// validateMail checks the mail settings.
func (c Config) validateMail() error {
	m := c.Mail
	if m.SMTPAddr != "" && m.SMTPDomain == "" {
		return fmt.Errorf("config: --smtp-addr needs --smtp-domain (the domain to accept mail for)")
	}
	if m.Outbound != "" {
		u, err := url.Parse(m.Outbound)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return fmt.Errorf("config: mail SMTP URL %q: want smtp://user:pass@host:port?tls=starttls", m.Outbound)
		}
		if t := u.Query().Get("tls"); t != "" && t != "tls" && t != "starttls" && t != "none" {
			return fmt.Errorf("config: mail SMTP tls=%q: use tls, starttls or none", t)
		}
		if _, err := mail.ParseAddress(m.From); err != nil {
			return fmt.Errorf("config: --mail-from %q: %v", m.From, err)
		}
	}
	if g := m.SMSGateway; g != "" {
		if u, err := url.Parse(g); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("config: --sms-gateway %q: want an http(s) URL", g)
		}
	}
	if m.IMAPPoll != 0 && m.IMAPPoll < time.Second {
		return fmt.Errorf("config: --imap-poll must be at least 1s")
	}
	if strings.ContainsAny(m.Origin, "\r\n") {
		return fmt.Errorf("config: --mail-origin must be one line")
	}
	return nil
}
