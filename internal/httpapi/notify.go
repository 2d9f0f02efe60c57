package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/notify"
)

// TemplateJSON is a notification template in one language.
type TemplateJSON struct {
	Key       string    `json:"key" readOnly:"true" example:"ticket_received"`
	Lang      string    `json:"lang" readOnly:"true" example:"zh-CN"`
	Subject   string    `json:"subject" maxLength:"500" doc:"Go template over the event's variables: {{.number}}, {{.title}}, {{.status_label}} …"`
	Text      string    `json:"text" maxLength:"20000"`
	HTML      string    `json:"html" maxLength:"50000"`
	Custom    bool      `json:"custom" readOnly:"true" doc:"An admin's edit; false: the built-in default."`
	UpdatedAt time.Time `json:"updated_at,omitzero" readOnly:"true"`
}

func templateJSON(t notify.Template) TemplateJSON {
	return TemplateJSON{Key: t.Key, Lang: t.Lang, Subject: t.Subject, Text: t.Text, HTML: t.HTML, Custom: t.Custom, UpdatedAt: t.UpdatedAt}
}

// PrefsJSON are a user's notification channels.
type PrefsJSON struct {
	Email bool `json:"email" doc:"Email notifications (on by default)."`
	Inbox bool `json:"inbox" doc:"In-site messages (on by default)."`
	SMS   bool `json:"sms" doc:"Text messages (off by default; P1 tickets and phone-only customers get them anyway)."`
	IM    bool `json:"im"`
}

// SubscriptionJSON is a webhook subscription; the secret is write-only.
type SubscriptionJSON struct {
	ID        int64     `json:"id,omitempty" readOnly:"true"`
	Name      string    `json:"name" maxLength:"100"`
	URL       string    `json:"url" maxLength:"2000" format:"uri"`
	Secret    string    `json:"secret,omitempty" maxLength:"200" writeOnly:"true" doc:"HMAC-SHA256 key of X-Helpdesk-Signature (at least 16 characters)."`
	Events    []string  `json:"events" enum:"ticket.created,ticket.updated,ticket.status_changed,message.added,sla.breached,rating.received"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at,omitzero" readOnly:"true"`
}

// DeliveryJSON is one webhook delivery.
type DeliveryJSON struct {
	ID           int64     `json:"id"`
	EventID      string    `json:"event_id"`
	Event        string    `json:"event"`
	Status       string    `json:"status" enum:"pending,delivered,failed"`
	Attempts     int       `json:"attempts"`
	ResponseCode int       `json:"response_code"`
	Error        string    `json:"error,omitempty"`
	Payload      string    `json:"payload"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// RobotJSON is an IM group robot; the secret is write-only.
type RobotJSON struct {
	ID           int64    `json:"id,omitempty" readOnly:"true"`
	Name         string   `json:"name" maxLength:"100"`
	Kind         string   `json:"kind" enum:"webhook,wecom,dingtalk,feishu"`
	URL          string   `json:"url" maxLength:"2000"`
	Secret       string   `json:"secret,omitempty" maxLength:"200" writeOnly:"true" doc:"DingTalk / Feishu signing secret, or the HMAC key of a generic webhook."`
	Method       string   `json:"method,omitempty" enum:"POST,PUT,"`
	BodyTemplate string   `json:"body_template,omitempty" maxLength:"5000" doc:"Generic webhook: JSON body template over .Text, .Ticket (empty for alert events), .Event with a json function."`
	Events       []string `json:"events" enum:"ticket.created,ticket.updated,ticket.status_changed,message.added,sla.breached,rating.received,alert.opened,alert.resolved"`
	Active       bool     `json:"active"`
}

type templatePath struct {
	Key  string `path:"key"`
	Lang string `path:"lang" enum:"zh-CN,en"`
}

type templatePutIn struct {
	Key  string `path:"key"`
	Lang string `path:"lang" enum:"zh-CN,en"`
	Body TemplateJSON
}

type templateOut struct{ Body TemplateJSON }
type prefsOut struct{ Body PrefsJSON }
type prefsIn struct{ Body PrefsJSON }
type idPath struct {
	ID int64 `path:"id"`
}
type subIn struct{ Body SubscriptionJSON }
type subPutIn struct {
	ID   int64 `path:"id"`
	Body SubscriptionJSON
}
type subOut struct {
	Status int
	Body   SubscriptionJSON
}
type deliveriesIn struct {
	ID     int64 `path:"id"`
	Before int64 `query:"before"`
	Limit  int   `query:"limit" minimum:"0" maximum:"200"`
}
type replayIn struct {
	ID       int64 `path:"id"`
	Delivery int64 `path:"delivery"`
}
type robotIn struct{ Body RobotJSON }
type robotPutIn struct {
	ID   int64 `path:"id"`
	Body RobotJSON
}
type robotOut struct {
	Status int
	Body   RobotJSON
}

func subJSON(s notify.Subscription) SubscriptionJSON {
	return SubscriptionJSON{ID: s.ID, Name: s.Name, URL: s.URL, Events: s.Events, Active: s.Active, CreatedAt: s.CreatedAt}
}

func robotJSON(r notify.Robot) RobotJSON {
	return RobotJSON{ID: r.ID, Name: r.Name, Kind: string(r.Kind), URL: r.URL, Method: r.Method, BodyTemplate: r.BodyTemplate,
		Events: r.Events, Active: r.Active}
}

func (a *API) registerNotify() {
	tags := []string{"Notifications"}
	n, w := a.d.NotifySettings, a.d.Webhooks
	huma.Register(a.h, huma.Operation{OperationID: "list-templates", Method: http.MethodGet, Path: "/api/v1/notify/templates",
		Summary: "Notification templates", Description: "Every notification in zh-CN and en, as in force (an admin's edit or the default).",
		Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[TemplateJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ts, err := n.Templates(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(ts, templateJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "put-template", Method: http.MethodPut, Path: "/api/v1/notify/templates/{key}/{lang}",
		Summary: "Edit a notification template", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *templatePutIn) (*templateOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			t, err := n.SaveTemplate(ctx, by, notify.Template{Key: in.Key, Lang: in.Lang, Subject: in.Body.Subject, Text: in.Body.Text, HTML: in.Body.HTML})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &templateOut{Body: templateJSON(t)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "reset-template", Method: http.MethodDelete, Path: "/api/v1/notify/templates/{key}/{lang}",
		Summary: "Restore a template's default", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403}},
		func(ctx context.Context, in *templatePath) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, n.ResetTemplate(ctx, by, in.Key, in.Lang))
		})
	huma.Register(a.h, huma.Operation{OperationID: "get-notify-prefs", Method: http.MethodGet, Path: "/api/v1/me/notify-prefs",
		Summary: "My notification channels", Tags: tags, Errors: []int{401}},
		func(ctx context.Context, _ *struct{}) (*prefsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			p, err := n.Prefs(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &prefsOut{Body: prefsJSON(p)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "put-notify-prefs", Method: http.MethodPut, Path: "/api/v1/me/notify-prefs",
		Summary: "Choose my notification channels", Tags: tags, Errors: []int{401, 422}},
		func(ctx context.Context, in *prefsIn) (*prefsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			p, err := n.SetPrefs(ctx, by, notify.Prefs{notify.ChannelEmail: in.Body.Email, notify.ChannelInbox: in.Body.Inbox,
				notify.ChannelSMS: in.Body.SMS, notify.ChannelIM: in.Body.IM})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &prefsOut{Body: prefsJSON(p)}, nil
		})

	wtags := []string{"Webhooks"}
	huma.Register(a.h, huma.Operation{OperationID: "list-webhooks", Method: http.MethodGet, Path: "/api/v1/webhooks",
		Summary: "Webhook subscriptions", Tags: wtags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[SubscriptionJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			subs, err := w.Subscriptions(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(subs, subJSON), nil
		})
	saveSub := func(ctx context.Context, id int64, j SubscriptionJSON, status int) (*subOut, error) {
		by, err := a.caller(ctx)
		if err != nil {
			return nil, err
		}
		s, err := w.Save(ctx, by, notify.Subscription{ID: id, Name: j.Name, URL: j.URL, Secret: j.Secret, Events: j.Events, Active: j.Active})
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		return &subOut{Status: status, Body: subJSON(s)}, nil
	}
	huma.Register(a.h, huma.Operation{OperationID: "create-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks",
		Summary: "Subscribe to events", Description: "Each event is POSTed as JSON (schema 1) with `X-Helpdesk-Event`, " +
			"`X-Helpdesk-Delivery` and `X-Helpdesk-Signature: sha256=<hex HMAC-SHA256 of the body>`; failures are retried with backoff.",
		Tags: wtags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *subIn) (*subOut, error) {
			return saveSub(ctx, 0, in.Body, http.StatusCreated)
		})
	huma.Register(a.h, huma.Operation{OperationID: "update-webhook", Method: http.MethodPut, Path: "/api/v1/webhooks/{id}",
		Summary: "Change a subscription", Tags: wtags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *subPutIn) (*subOut, error) {
			return saveSub(ctx, in.ID, in.Body, http.StatusOK)
		})
	huma.Register(a.h, huma.Operation{OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/api/v1/webhooks/{id}",
		Summary: "Remove a subscription", Tags: wtags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *idPath) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, w.Delete(ctx, by, in.ID))
		})
	huma.Register(a.h, huma.Operation{OperationID: "webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}/deliveries",
		Summary: "Delivery log", Tags: wtags, Errors: []int{401, 403}},
		func(ctx context.Context, in *deliveriesIn) (*items[DeliveryJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ds, err := w.Log(ctx, by, in.ID, in.Before, in.Limit)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(ds, func(d notify.Delivery) DeliveryJSON {
				return DeliveryJSON{ID: d.ID, EventID: d.EventID, Event: d.Event, Status: d.Status, Attempts: d.Attempts,
					ResponseCode: d.ResponseCode, Error: d.Error, Payload: string(d.Payload), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
			}), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "webhook-replay", Method: http.MethodPost, Path: "/api/v1/webhooks/{id}/deliveries/{delivery}/replay",
		Summary: "Send a delivery again", Tags: wtags, DefaultStatus: http.StatusAccepted, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *replayIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, w.Replay(ctx, by, in.ID, in.Delivery))
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-robots", Method: http.MethodGet, Path: "/api/v1/notify/robots",
		Summary: "IM group robots", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[RobotJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := n.Robots(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(rs, robotJSON), nil
		})
	saveRobot := func(ctx context.Context, id int64, j RobotJSON, status int) (*robotOut, error) {
		by, err := a.caller(ctx)
		if err != nil {
			return nil, err
		}
		r, err := n.SaveRobot(ctx, by, notify.Robot{ID: id, Name: j.Name, Kind: notify.RobotKind(j.Kind), URL: j.URL, Secret: j.Secret,
			Method: j.Method, BodyTemplate: j.BodyTemplate, Events: j.Events, Active: j.Active})
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		return &robotOut{Status: status, Body: robotJSON(r)}, nil
	}
	huma.Register(a.h, huma.Operation{OperationID: "create-robot", Method: http.MethodPost, Path: "/api/v1/notify/robots",
		Summary: "Add an IM robot", Description: "WeCom (企业微信), DingTalk (钉钉, signed with its secret), Feishu (飞书) group robots, " +
			"or a generic HTTP webhook with a JSON body template and HMAC signature.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *robotIn) (*robotOut, error) {
			return saveRobot(ctx, 0, in.Body, http.StatusCreated)
		})
	huma.Register(a.h, huma.Operation{OperationID: "update-robot", Method: http.MethodPut, Path: "/api/v1/notify/robots/{id}",
		Summary: "Change an IM robot", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *robotPutIn) (*robotOut, error) {
			return saveRobot(ctx, in.ID, in.Body, http.StatusOK)
		})
	huma.Register(a.h, huma.Operation{OperationID: "delete-robot", Method: http.MethodDelete, Path: "/api/v1/notify/robots/{id}",
		Summary: "Remove an IM robot", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *idPath) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			return nil, a.failIf(ctx, n.DeleteRobot(ctx, by, in.ID))
		})
}

func prefsJSON(p notify.Prefs) PrefsJSON {
	return PrefsJSON{Email: p.On(notify.ChannelEmail), Inbox: p.On(notify.ChannelInbox), SMS: p.On(notify.ChannelSMS), IM: p.On(notify.ChannelIM)}
}
