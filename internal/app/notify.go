package app

import (
	"context"
	"errors"
	"net/mail"
	"strings"

	"helpdesk/internal/i18n"
	"helpdesk/internal/job"
	"helpdesk/internal/notify"
)

// texts serves notification templates and labels from the catalog.
type texts struct{}

func (texts) Default(key, lang string) (notify.Template, bool) {
	l := i18n.Lang(lang)
	base := "notify.tpl." + key + "."
	if !i18n.Has(l, base+"subject") {
		return notify.Template{}, false
	}
	return notify.Template{Key: key, Lang: lang, Subject: i18n.T(l, base+"subject", nil), Text: i18n.T(l, base+"text", nil),
		HTML: i18n.T(l, base+"html", nil)}, true
}

func (texts) Label(lang, key string) string {
	if i18n.Has(i18n.Lang(lang), key) {
		return i18n.T(i18n.Lang(lang), key, nil)
	}
	_, v, _ := strings.Cut(key, ".")
	return v
}

// Notify is the outbound side: fan-out, email, SMS, IM robots, webhooks.
type Notify struct {
	Dispatcher *notify.Dispatcher
	Renderer   *notify.Renderer
	Mailer     *notify.Mailer
	Webhooks   *notify.Webhooks
	IM         *notify.IM
	// SMS is nil unless a gateway is configured.
	SMS      *notify.SMS
	Settings *notify.Settings
}

// mailDomain names the desk's Message-IDs.
func (a *App) mailDomain() string {
	if addr, err := mail.ParseAddress(a.Config.Mail.From); err == nil {
		if _, d, ok := strings.Cut(addr.Address, "@"); ok {
			return d
		}
	}
	if a.Config.Mail.SMTPDomain != "" {
		return a.Config.Mail.SMTPDomain
	}
	return "helpdesk.invalid"
}

// openNotify builds outbound notifications.
func (a *App) openNotify() error {
	out := a.DB.Outbound()
	n := &Notify{Renderer: notify.NewRenderer(out, texts{})}
	email := a.Config.Mail.Outbound != ""
	if g := a.Config.Mail.SMSGateway; g != "" {
		n.SMS = &notify.SMS{Renderer: n.Renderer, Provider: notify.HTTPSMS{Robot: notify.Robot{Kind: notify.RobotWebhook, URL: g,
			Secret: a.Config.Mail.SMSSecret, BodyTemplate: `{"phone": {{json .Ticket}}, "text": {{json .Text}}}`}}}
	}
	n.Dispatcher = notify.NewDispatcher(notify.DispatchDeps{Store: out, Tickets: a.DB.Tickets(), Directory: a.DB.Identity(),
		Domain: a.mailDomain(), Email: email, SMS: n.SMS != nil, Lang: a.Config.Language, Renderer: n.Renderer})
	if email {
		cfg, err := notify.ParseSMTPURL(a.Config.Mail.Outbound)
		if err != nil {
			return err
		}
		n.Mailer = notify.NewMailer(notify.MailerDeps{Store: out, Renderer: n.Renderer, Sender: cfg, From: a.Config.Mail.From,
			Origin: a.Config.MailOrigin()})
	}
	n.Webhooks = notify.NewWebhooks(out, nil)
	n.IM = notify.NewIM(out, nil, nil)
	n.Settings = notify.NewSettings(out, n.Renderer)
	a.Notify = n
	return nil
}

// notifyHandlers are the durable job kinds of outbound notifications.
// They look the services up when they run, so the map can be built first.
func (a *App) notifyHandlers(h map[string]job.Handler) {
	h[notify.KindEvent] = func(ctx context.Context, j job.Job) error { return a.Notify.Dispatcher.Fanout(ctx, j) }
	h[notify.KindAlert] = func(ctx context.Context, j job.Job) error { return a.Notify.Dispatcher.AlertFanout(ctx, j) }
	h[notify.KindWebhook] = func(ctx context.Context, j job.Job) error { return a.Notify.Webhooks.Deliver(ctx, j) }
	h[notify.KindIM] = func(ctx context.Context, j job.Job) error { return a.Notify.IM.Deliver(ctx, j) }
	h[notify.KindEmail] = func(ctx context.Context, j job.Job) error {
		if a.Notify.Mailer == nil {
			return job.Permanent(errors.New("email is not configured (--mail-smtp)"))
		}
		return a.Notify.Mailer.Deliver(ctx, j)
	}
	h[notify.KindSMS] = func(ctx context.Context, j job.Job) error {
		if a.Notify.SMS == nil {
			return job.Permanent(errors.New("no SMS gateway is configured"))
		}
		return a.Notify.SMS.Deliver(ctx, j)
	}
}
