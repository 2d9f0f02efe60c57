package app

import (
	"context"
	"fmt"
	"strings"

	"helpdesk/internal/i18n"
	"helpdesk/internal/job"
	"helpdesk/internal/mailin"
)

// openMail builds mail intake on the app's services.
func (a *App) openMail() {
	lang := i18n.Lang(a.Config.Language)
	a.Mail = mailin.NewService(mailin.Deps{Store: a.DB.Mail(), Tickets: a.Tickets, Users: mailin.NewUsers(a.Identity, a.DB.Identity()),
		Origin: a.Config.MailOrigin(), RefusedNote: func(r []mailin.Refused) string { return refusedNote(lang, r) }})
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
}
