package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/mailin"
)

// MaxIntakeBytes bounds a message posted to the intake endpoint.
const MaxIntakeBytes = 40 << 20

// MailboxJSON is a configured mailbox. The password is write-only.
type MailboxJSON struct {
	ID              int64     `json:"id,omitempty" readOnly:"true"`
	Name            string    `json:"name" maxLength:"100" example:"support"`
	Address         string    `json:"address,omitempty" maxLength:"254" example:"support@desk.example" doc:"Support address; replies to support+TS…@ thread by it."`
	Mode            string    `json:"mode" enum:"imap,smtp,http" example:"imap"`
	IMAPHost        string    `json:"imap_host,omitempty" maxLength:"253"`
	IMAPPort        int       `json:"imap_port,omitempty" minimum:"0" maximum:"65535"`
	TLSMode         string    `json:"tls_mode,omitempty" enum:"tls,starttls,plain,"`
	Username        string    `json:"username,omitempty" maxLength:"254"`
	Password        string    `json:"password,omitempty" maxLength:"500" writeOnly:"true" doc:"Write-only; empty on update keeps the stored password."`
	Folder          string    `json:"folder,omitempty" maxLength:"200" example:"INBOX"`
	ProcessedAction string    `json:"processed_action,omitempty" enum:"flag,move," doc:"flag: mark \\Seen; move: move to move_to."`
	MoveTo          string    `json:"move_to,omitempty" maxLength:"200"`
	CreateUnknown   bool      `json:"create_unknown_senders" doc:"Create a customer for an unknown sender; otherwise such mail is ignored."`
	Category        string    `json:"category,omitempty" maxLength:"64" doc:"Category key of new tickets."`
	Enabled         bool      `json:"enabled"`
	HasToken        bool      `json:"has_token" readOnly:"true"`
	UIDValidity     uint32    `json:"uid_validity" readOnly:"true"`
	LastUID         uint32    `json:"last_uid" readOnly:"true"`
	CreatedAt       time.Time `json:"created_at,omitzero" readOnly:"true"`
	UpdatedAt       time.Time `json:"updated_at,omitzero" readOnly:"true"`
}

func mailboxJSON(m mailin.Mailbox) MailboxJSON {
	return MailboxJSON{ID: m.ID, Name: m.Name, Address: m.Address, Mode: string(m.Mode), IMAPHost: m.IMAP.Host, IMAPPort: m.IMAP.Port,
		TLSMode: string(m.IMAP.TLS), Username: m.IMAP.Username, Folder: m.IMAP.Folder, ProcessedAction: string(m.Processed),
		MoveTo: m.MoveTo, CreateUnknown: m.CreateUnknown, Category: m.Category, Enabled: m.Enabled, HasToken: m.HasToken,
		UIDValidity: m.UIDValidity, LastUID: m.LastUID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func mailboxFrom(j MailboxJSON) mailin.Mailbox {
	return mailin.Mailbox{ID: j.ID, Name: j.Name, Address: j.Address, Mode: mailin.Mode(j.Mode), IMAP: mailin.IMAPConfig{
		Host: j.IMAPHost, Port: j.IMAPPort, TLS: mailin.TLSMode(j.TLSMode), Username: j.Username, Password: j.Password, Folder: j.Folder},
		Processed: mailin.Action(j.ProcessedAction), MoveTo: j.MoveTo, CreateUnknown: j.CreateUnknown, Category: j.Category, Enabled: j.Enabled}
}

// MailLogJSON is one message of a mailbox's processing log.
type MailLogJSON struct {
	ID           int64     `json:"id"`
	MailboxID    int64     `json:"mailbox_id,omitempty"`
	MessageID    string    `json:"message_id"`
	Sender       string    `json:"sender"`
	Subject      string    `json:"subject"`
	Status       string    `json:"status" enum:"processing,created,appended,ignored,failed,dead,discarded"`
	Reason       string    `json:"reason,omitempty" doc:"Stable code of why a message was ignored or failed."`
	ReasonText   string    `json:"reason_text,omitempty" doc:"The reason in the caller's language."`
	Detail       string    `json:"detail,omitempty"`
	TicketNumber string    `json:"ticket_number,omitempty"`
	Attempts     int       `json:"attempts"`
	ReceivedAt   time.Time `json:"received_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func mailLogJSON(lang i18n.Lang, e mailin.LogEntry) MailLogJSON {
	j := MailLogJSON{ID: e.ID, MailboxID: e.MailboxID, MessageID: e.MessageID, Sender: e.Sender, Subject: e.Subject,
		Status: string(e.Status), Reason: e.Reason, Detail: e.Detail, TicketNumber: e.TicketNumber, Attempts: e.Attempts,
		ReceivedAt: e.ReceivedAt, UpdatedAt: e.UpdatedAt}
	if e.Reason != "" {
		j.ReasonText = i18n.T(lang, "mail.reason."+e.Reason, nil)
	}
	return j
}

// IntakeJSON is the outcome of a posted message.
type IntakeJSON struct {
	LogID        int64  `json:"log_id"`
	Status       string `json:"status" enum:"created,appended,ignored,failed,dead"`
	Reason       string `json:"reason,omitempty"`
	ReasonText   string `json:"reason_text,omitempty"`
	Detail       string `json:"detail,omitempty"`
	TicketNumber string `json:"ticket_number,omitempty" example:"TS20261122001"`
}

type intakeIn struct {
	Authorization string `header:"Authorization" doc:"An admin's API token or the mailbox's own intake token."`
	ContentType   string `header:"Content-Type"`
	Mailbox       int64  `query:"mailbox" doc:"Mailbox whose settings apply (admins); a mailbox token names its own."`
	RawBody       []byte `contentType:"message/rfc822"`
}

type intakeOut struct {
	Body IntakeJSON
}

type mailboxIn struct {
	Body MailboxJSON
}

type mailboxIDIn struct {
	ID int64 `path:"id"`
}

type mailboxPutIn struct {
	ID   int64 `path:"id"`
	Body MailboxJSON
}

type mailboxOut struct {
	Status int
	Body   MailboxJSON
}

type mailboxTokenOut struct {
	Body struct {
		Token string `json:"token" doc:"Shown once; only its digest is stored."`
	}
}

type mailLogIn struct {
	ID     int64    `path:"id"`
	Before int64    `query:"before" doc:"Only entries older than this id (the next page)."`
	Status []string `query:"status" doc:"Only these outcomes."`
	Limit  int      `query:"limit" minimum:"0" maximum:"200"`
}

type deadIn struct {
	Before int64 `query:"before"`
	Limit  int   `query:"limit" minimum:"0" maximum:"200"`
}

type logEntryIn struct {
	ID int64 `path:"id"`
}

func (a *API) registerMail() {
	tags := []string{"Mail"}
	huma.Register(a.h, huma.Operation{OperationID: "intake-email", Method: http.MethodPost, Path: "/api/v1/intake/email",
		Summary: "Ingest a raw email", Description: "Posts one RFC 5322 message (`Content-Type: message/rfc822`), as mail services' " +
			"inbound webhooks do. It becomes a new ticket or a reply, or is ignored (bounces, auto-replies, duplicates …); the answer " +
			"says which, with the ticket number. Authenticate with an admin's token or the mailbox's own token.",
		Tags: tags, MaxBodyBytes: MaxIntakeBytes, Errors: []int{401, 403, 413, 415}},
		func(ctx context.Context, in *intakeIn) (*intakeOut, error) {
			mb, err := a.intakeMailbox(ctx, in)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			if ct := strings.ToLower(strings.TrimSpace(strings.Split(in.ContentType, ";")[0])); ct != "message/rfc822" {
				return nil, a.fail(ctx, apperr.New(apperr.Unsupported, "mail.content_type"))
			}
			out, err := a.d.Mail.Ingest(ctx, mb, in.RawBody)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			j := IntakeJSON{LogID: out.LogID, Status: string(out.Status), Reason: out.Reason, Detail: out.Detail, TicketNumber: out.TicketNumber}
			if out.Reason != "" {
				j.ReasonText = i18n.T(langFrom(ctx), "mail.reason."+out.Reason, nil)
			}
			return &intakeOut{Body: j}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-mailboxes", Method: http.MethodGet, Path: "/api/v1/mail/mailboxes",
		Summary: "List mailboxes", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[MailboxJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			all, err := a.d.Mail.Mailboxes(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(all, mailboxJSON), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "create-mailbox", Method: http.MethodPost, Path: "/api/v1/mail/mailboxes",
		Summary: "Add a mailbox", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *mailboxIn) (*mailboxOut, error) {
			return a.saveMailbox(ctx, 0, in.Body, http.StatusCreated)
		})

	huma.Register(a.h, huma.Operation{OperationID: "get-mailbox", Method: http.MethodGet, Path: "/api/v1/mail/mailboxes/{id}",
		Summary: "Read a mailbox", Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *mailboxIDIn) (*mailboxOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			m, err := a.d.Mail.Mailbox(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &mailboxOut{Status: http.StatusOK, Body: mailboxJSON(m)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "update-mailbox", Method: http.MethodPut, Path: "/api/v1/mail/mailboxes/{id}",
		Summary: "Change a mailbox", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *mailboxPutIn) (*mailboxOut, error) {
			return a.saveMailbox(ctx, in.ID, in.Body, http.StatusOK)
		})

	huma.Register(a.h, huma.Operation{OperationID: "delete-mailbox", Method: http.MethodDelete, Path: "/api/v1/mail/mailboxes/{id}",
		Summary: "Remove a mailbox", Description: "Its processing log stays.", Tags: tags, DefaultStatus: http.StatusNoContent,
		Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *mailboxIDIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, a.d.Mail.DeleteMailbox(ctx, by, in.ID))
		})

	huma.Register(a.h, huma.Operation{OperationID: "rotate-mailbox-token", Method: http.MethodPost, Path: "/api/v1/mail/mailboxes/{id}/token",
		Summary: "Issue the mailbox's intake token", Description: "Replaces any earlier token; the new one is shown once.",
		Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *mailboxIDIn) (*mailboxTokenOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			tok, err := a.d.Mail.RotateToken(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &mailboxTokenOut{}
			out.Body.Token = tok
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "mailbox-log", Method: http.MethodGet, Path: "/api/v1/mail/mailboxes/{id}/log",
		Summary: "A mailbox's processing log", Description: "Every message with its outcome, newest first. Mailbox 0 is mail posted " +
			"without a mailbox.", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *mailLogIn) (*items[MailLogJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			var st []mailin.Status
			for _, s := range in.Status {
				st = append(st, mailin.Status(s))
			}
			log, err := a.d.Mail.Log(ctx, by, in.ID, in.Before, st, in.Limit)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			lang := langFrom(ctx)
			return list(log, func(e mailin.LogEntry) MailLogJSON { return mailLogJSON(lang, e) }), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "mail-dead-letters", Method: http.MethodGet, Path: "/api/v1/mail/dead-letters",
		Summary: "Messages that failed", Description: "Failed (being retried with backoff) and dead messages of every mailbox.",
		Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *deadIn) (*items[MailLogJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			log, err := a.d.Mail.DeadLetters(ctx, by, in.Before, in.Limit)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			lang := langFrom(ctx)
			return list(log, func(e mailin.LogEntry) MailLogJSON { return mailLogJSON(lang, e) }), nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "mail-retry", Method: http.MethodPost, Path: "/api/v1/mail/log/{id}/retry",
		Summary: "Process a failed message again now", Tags: tags, DefaultStatus: http.StatusAccepted, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *logEntryIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, a.d.Mail.RetryEntry(ctx, by, in.ID))
		})

	huma.Register(a.h, huma.Operation{OperationID: "mail-discard", Method: http.MethodPost, Path: "/api/v1/mail/log/{id}/discard",
		Summary: "Drop a failed message from the dead letters", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *logEntryIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, a.d.Mail.DiscardEntry(ctx, by, in.ID))
		})
}

func (a *API) failIf(ctx context.Context, err error) error {
	if err != nil {
		return a.fail(ctx, err)
	}
	return nil
}

func (a *API) saveMailbox(ctx context.Context, id int64, j MailboxJSON, status int) (*mailboxOut, error) {
	by, err := a.caller(ctx)
	if err != nil {
		return nil, err
	}
	m := mailboxFrom(j)
	m.ID = id
	got, err := a.d.Mail.SaveMailbox(ctx, by, m)
	if err != nil {
		return nil, a.fail(ctx, err)
	}
	return &mailboxOut{Status: status, Body: mailboxJSON(got)}, nil
}

// intakeMailbox decides whose settings apply to a posted message: an
// admin's (the named mailbox, or the defaults) or the mailbox the token
// belongs to.
func (a *API) intakeMailbox(ctx context.Context, in *intakeIn) (mailin.Mailbox, error) {
	by, authErr := actorFrom(ctx)
	if authErr == nil {
		if !by.IsAdmin() {
			return mailin.Mailbox{}, apperr.New(apperr.Forbidden, "auth.forbidden")
		}
		if in.Mailbox != 0 {
			return a.d.Mail.Mailbox(ctx, by, in.Mailbox)
		}
		return mailin.DefaultMailbox(), nil
	}
	if tok, ok := strings.CutPrefix(in.Authorization, "Bearer "); ok {
		if mb, err := a.d.Mail.MailboxForToken(ctx, strings.TrimSpace(tok)); err == nil {
			return mb, nil
		}
	}
	return mailin.Mailbox{}, authErr
}
