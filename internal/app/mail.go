package app

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"helpdesk/internal/i18n"
	"helpdesk/internal/job"
	"helpdesk/internal/mailin"
)

// openMail builds mail intake on the app's services.
func (a *App) openMail() {
	lang := i18n.Lang(a.Config.Language)
	a.Mail = mailin.NewService(mailin.Deps{Store: a.DB.Mail(), Tickets: a.Tickets, Users: mailin.NewUsers(a.Identity, a.DB.Identity()),
		Outcomes: a.Metrics.MailCounter(), Origin: a.Config.MailOrigin(), RefusedNote: func(r []mailin.Refused) string { return refusedNote(lang, r) }})
}

// refusedNote lists the attachments the desk refused, in the site
// language, for the ticket message.
func refusedNote(lang i18n.Lang, r []mailin.Refused) string {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "mail.refused_attachments", nil))
	for _, x := range r {
		b.WriteString("\n- ")
		b.WriteString(i18n.T(lang, "mail.refused_item", map[string]any{"name": x.Filename, "size": humanSize(x.Size),
			"reason": i18n.T(lang, x.Code, x.Params)}))
	}
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// mailHandlers are the durable job kinds of mail.
func (a *App) mailHandlers(h map[string]job.Handler) {
	h[mailin.RetryKind] = func(ctx context.Context, j job.Job) error {
		var p struct {
			Log int64 `json:"log"`
		}
		if err := j.Decode(&p); err != nil {
			return err
		}
		max := j.MaxAttempts
		if max == 0 {
			max = job.DefaultMaxAttempts
		}
		return a.Mail.Retry(ctx, p.Log, j.Attempts >= max)
	}
	a.notifyHandlers(h)
}

// startMail starts the mail entry points that run beside the HTTP server:
// the built-in SMTP listener (when configured) and one IMAP poller per
// enabled IMAP mailbox, kept in step with the mailbox list. The returned
// function stops them and waits.
func (a *App) startMail(ctx context.Context) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if addr := a.Config.Mail.SMTPAddr; addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("smtp listen %s: %w", addr, err)
		}
		srv := mailin.NewSMTPServer(mailin.SMTPDeps{Intake: a.Mail, Mailboxes: a.DB.Mail().Mailboxes, Domain: a.Config.Mail.SMTPDomain, Log: a.Log})
		a.Log.Info("smtp intake listening", "addr", ln.Addr().String(), "domain", a.Config.Mail.SMTPDomain)
		wg.Go(func() {
			if err := srv.Serve(ctx, ln); err != nil {
				a.Log.Error("smtp intake", "err", err)
			}
		})
	}
	poller := mailin.NewPoller(mailin.PollerDeps{Intake: a.Mail, Store: a.DB.Mail(), Log: a.Log, Poll: a.Config.Mail.IMAPPoll})
	wg.Go(func() { a.superviseIMAP(ctx, poller) })
	return func() { cancel(); wg.Wait() }, nil
}

// superviseIMAP keeps one poller running per enabled IMAP mailbox,
// restarting a poller whose mailbox changed.
func (a *App) superviseIMAP(ctx context.Context, p *mailin.Poller) {
	type running struct {
		cancel  context.CancelFunc
		done    chan struct{}
		version time.Time
	}
	live := map[int64]*running{}
	defer func() {
		for _, r := range live {
			r.cancel()
			<-r.done
		}
	}()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		all, err := a.DB.Mail().Mailboxes(ctx)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("imap mailboxes", "err", err)
		}
		want := map[int64]mailin.Mailbox{}
		for _, m := range all {
			if m.Enabled && m.Mode == mailin.ModeIMAP {
				want[m.ID] = m
			}
		}
		for id, r := range live {
			if m, ok := want[id]; !ok || !m.UpdatedAt.Equal(r.version) {
				r.cancel()
				<-r.done
				delete(live, id)
			}
		}
		for id, m := range want {
			if live[id] != nil {
				continue
			}
			pctx, pcancel := context.WithCancel(ctx)
			r := &running{cancel: pcancel, done: make(chan struct{}), version: m.UpdatedAt}
			live[id] = r
			go func() { defer close(r.done); p.Run(pctx, id) }()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
