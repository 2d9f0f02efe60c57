package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/notify"
	"helpdesk/internal/ticket"
)

type rateIn struct {
	Number string `path:"number" maxLength:"32"`
	Body   struct {
		Rating  string `json:"rating" enum:"very_satisfied,satisfied,neutral,dissatisfied" doc:"非常满意 / 满意 / 一般 / 不满意"`
		Comment string `json:"comment,omitempty" maxLength:"2000"`
	}
}

// RatingJSON is a satisfaction rating.
type RatingJSON struct {
	Resolution int       `json:"resolution" doc:"Which resolution of the ticket was rated (1 for the first)."`
	Rating     string    `json:"rating"`
	Comment    string    `json:"comment,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

type escalateIn struct {
	Number string `path:"number" maxLength:"32"`
	Body   struct {
		Reason string `json:"reason" maxLength:"2000"`
	}
}

// RemoteJSON is a remote-assistance session.
type RemoteJSON struct {
	ID          int64      `json:"id"`
	State       string     `json:"state" enum:"requested,active,ended"`
	Tool        string     `json:"tool"`
	Scope       string     `json:"scope"`
	SessionCode string     `json:"session_code,omitempty"`
	RequestedAt time.Time  `json:"requested_at"`
	GrantedAt   *time.Time `json:"granted_at"`
	EndedAt     *time.Time `json:"ended_at"`
}

func remoteJSON(r ticket.RemoteSession) RemoteJSON {
	return RemoteJSON{ID: r.ID, State: string(r.State), Tool: r.Tool, Scope: r.Scope, SessionCode: r.SessionCode,
		RequestedAt: r.RequestedAt, GrantedAt: optTime(r.GrantedAt), EndedAt: optTime(r.EndedAt)}
}

type remotePath struct {
	Number string `path:"number" maxLength:"32"`
	ID     int64  `path:"id"`
}

// NotificationJSON is an in-site notification.
type NotificationJSON struct {
	ID        int64          `json:"id"`
	Ticket    string         `json:"ticket,omitempty"`
	Kind      string         `json:"kind" example:"ticket.escalated"`
	Params    map[string]any `json:"params"`
	CreatedAt time.Time      `json:"created_at"`
	Read      bool           `json:"read"`
}

func notificationJSON(n notify.Notification) NotificationJSON {
	p := n.Params
	if p == nil {
		p = map[string]any{}
	}
	return NotificationJSON{ID: n.ID, Ticket: n.TicketNumber, Kind: n.Kind, Params: p, CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()}
}

func (a *API) registerLifecycle() {
	tags := []string{"Tickets"}
	huma.Register(a.h, huma.Operation{OperationID: "rate-ticket", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/rating",
		Summary: "Rate the resolution", Description: "One rating per resolution. 一般 (neutral) or 不满意 (dissatisfied) opens a follow-up task for the group's supervisors, due in 24 h.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *rateIn) (*one[RatingJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.Tickets.Rate(ctx, by, in.Number, ticket.Score(in.Body.Rating), in.Body.Comment)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[RatingJSON]{Status: http.StatusCreated, Body: RatingJSON{Resolution: r.Resolution, Rating: string(r.Score),
				Comment: r.Comment, CreatedAt: r.CreatedAt}}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "escalate-ticket", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/escalate",
		Summary: "Escalate a ticket", Description: "Raises the escalation level and tells the group's supervisors. Customers may escalate once per level.",
		Tags: tags, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *escalateIn) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			t, err := a.d.Tickets.Escalate(ctx, by, in.Number, in.Body.Reason)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(t), nil
		})

	rtags := []string{"Remote assistance"}
	huma.Register(a.h, huma.Operation{OperationID: "list-remote", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/remote",
		Summary: "List remote-assistance sessions", Tags: rtags, Errors: []int{401, 404}},
		func(ctx context.Context, in *ticketPath) (*items[RemoteJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.Tickets.RemoteSessions(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(rs, remoteJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "request-remote", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/remote",
		Summary: "Ask the customer for remote access", Tags: rtags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *struct {
			Number string `path:"number" maxLength:"32"`
			Body   struct {
				Tool  string `json:"tool" maxLength:"100" example:"ToDesk" doc:"The remote tool, e.g. 向日葵, ToDesk, TeamViewer."`
				Scope string `json:"scope" maxLength:"2000" doc:"What the agent will do, shown to the customer before consent."`
			}
		}) (*one[RemoteJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.Tickets.RequestRemote(ctx, by, in.Number, in.Body.Tool, in.Body.Scope)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[RemoteJSON]{Status: http.StatusCreated, Body: remoteJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "grant-remote", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/remote/{id}/consent",
		Summary: "Consent to remote assistance (the customer)", Tags: rtags, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *struct {
			Number string `path:"number" maxLength:"32"`
			ID     int64  `path:"id"`
			Body   struct {
				SessionCode string `json:"session_code" maxLength:"100" doc:"The code the remote tool shows the customer."`
			}
		}) (*one[RemoteJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.Tickets.GrantRemote(ctx, by, in.Number, in.ID, in.Body.SessionCode)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[RemoteJSON]{Status: http.StatusOK, Body: remoteJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "end-remote", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/remote/{id}/end",
		Summary: "End (or decline) remote assistance", Tags: rtags, Errors: []int{401, 403, 404, 409}},
		func(ctx context.Context, in *remotePath) (*one[RemoteJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.Tickets.EndRemote(ctx, by, in.Number, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[RemoteJSON]{Status: http.StatusOK, Body: remoteJSON(r)}, nil
		})

	ntags := []string{"Notifications"}
	huma.Register(a.h, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications",
		Summary: "My in-site notifications (站内信)", Tags: ntags, Errors: []int{401}},
		func(ctx context.Context, in *struct {
			Unread bool  `query:"unread" doc:"Only unread ones."`
			Before int64 `query:"before" doc:"Only older than this id (paging)."`
			Limit  int   `query:"limit" minimum:"1" maximum:"100" default:"50"`
		}) (*struct {
			Body struct {
				Items  []NotificationJSON `json:"items"`
				Unread int                `json:"unread"`
			}
		}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ns, err := a.d.Inbox.List(ctx, by, in.Unread, in.Before, in.Limit)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			n, err := a.d.Inbox.Unread(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Items  []NotificationJSON `json:"items"`
					Unread int                `json:"unread"`
				}
			}{}
			out.Body.Items = list(ns, notificationJSON).Body.Items
			out.Body.Unread = n
			return out, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "read-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read",
		Summary: "Mark notifications read", Description: "With no ids, marks all read.", Tags: ntags, DefaultStatus: http.StatusNoContent, Errors: []int{401}},
		func(ctx context.Context, in *struct {
			Body struct {
				IDs []int64 `json:"ids,omitempty" maxItems:"100"`
			}
		}) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.Inbox.MarkRead(ctx, by, in.Body.IDs); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
}

// FollowupJSON is a follow-up task for supervisors.
type FollowupJSON struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind" example:"poor_rating"`
	Reason    string     `json:"reason,omitempty"`
	DueAt     time.Time  `json:"due_at"`
	DoneAt    *time.Time `json:"done_at"`
	CreatedAt time.Time  `json:"created_at"`
}

func followupJSON(f ticket.Followup) FollowupJSON {
	return FollowupJSON{ID: f.ID, Kind: f.Kind, Reason: f.Reason, DueAt: f.DueAt, DoneAt: optTime(f.DoneAt), CreatedAt: f.CreatedAt}
}

func (a *API) registerFollowups() {
	tags := []string{"Tickets"}
	huma.Register(a.h, huma.Operation{OperationID: "list-followups", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/followups",
		Summary: "List follow-up tasks (staff)", Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *ticketPath) (*items[FollowupJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			fs, err := a.d.Tickets.Followups(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(fs, followupJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "complete-followup", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/followups/{id}/done",
		Summary: "Complete a follow-up task (supervisors)", Tags: tags, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *struct {
			Number string `path:"number" maxLength:"32"`
			ID     int64  `path:"id"`
			Body   struct {
				Note string `json:"note" maxLength:"2000" doc:"What was done (e.g. called the customer)."`
			}
		}) (*one[FollowupJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			f, err := a.d.Tickets.CompleteFollowup(ctx, by, in.Number, in.ID, in.Body.Note)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[FollowupJSON]{Status: http.StatusOK, Body: followupJSON(f)}, nil
		})
}
