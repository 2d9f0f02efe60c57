package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/alert"
)

// AlertRuleJSON is an alert rule.
type AlertRuleJSON struct {
	ID         int64    `json:"id,omitempty"`
	Kind       string   `json:"kind" enum:"unassigned_backlog,first_response_overdue,p1_unacknowledged,mailbox_failing"`
	Threshold  int      `json:"threshold" minimum:"0" doc:"Fires when the count exceeds this (backlog: N unassigned tickets)."`
	ForMinutes int      `json:"for_minutes" minimum:"0" doc:"Backlog and mailbox: how long the condition must hold; P1: the tickets' age (default 15)."`
	Recipients []string `json:"recipients" doc:"Logins of the staff told when the alert opens and resolves."`
	Channels   []string `json:"channels,omitempty" doc:"How they are told: inbox (in-site message), email (in each recipient's language, unless they turned email off or their address bounced), im (the IM robots subscribed to alert.opened / alert.resolved). Absent or empty: all of them (a response always lists the channels in effect)."`
	Enabled    bool     `json:"enabled"`
}

// AlertJSON is an alert.
type AlertJSON struct {
	ID         int64      `json:"id"`
	RuleID     int64      `json:"rule_id"`
	Kind       string     `json:"kind"`
	Detail     string     `json:"detail"`
	OpenedAt   time.Time  `json:"opened_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

func alertRuleJSON(r alert.Rule) AlertRuleJSON {
	out := AlertRuleJSON{ID: r.ID, Kind: string(r.Kind), Threshold: r.Threshold, ForMinutes: r.ForMinutes,
		Recipients: append([]string{}, r.Logins...), Enabled: r.Enabled}
	chans := r.Channels
	if len(chans) == 0 {
		chans = alert.Channels
	}
	for _, c := range chans {
		out.Channels = append(out.Channels, string(c))
	}
	return out
}

func (a *API) registerAlerts() {
	if a.d.Alerts == nil {
		return
	}
	tags := []string{"Alerts"}
	huma.Register(a.h, huma.Operation{OperationID: "list-alert-rules", Method: http.MethodGet, Path: "/api/v1/alert-rules",
		Summary: "List alert rules (supervisors, admins)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[AlertRuleJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.Alerts.Rules(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(rs, alertRuleJSON), nil
		})
	save := func(ctx context.Context, id int64, b AlertRuleJSON) (*one[AlertRuleJSON], error) {
		by, err := a.caller(ctx)
		if err != nil {
			return nil, err
		}
		chans := make([]alert.Channel, len(b.Channels))
		for i, c := range b.Channels {
			chans[i] = alert.Channel(c)
		}
		r, err := a.d.Alerts.SaveRule(ctx, by, alert.Rule{ID: id, Kind: alert.Kind(b.Kind), Threshold: b.Threshold,
			ForMinutes: b.ForMinutes, Logins: b.Recipients, Channels: chans, Enabled: b.Enabled})
		if err != nil {
			return nil, a.fail(ctx, err)
		}
		r.Logins = b.Recipients
		return &one[AlertRuleJSON]{Status: http.StatusOK, Body: alertRuleJSON(r)}, nil
	}
	huma.Register(a.h, huma.Operation{OperationID: "save-alert-rule", Method: http.MethodPost, Path: "/api/v1/alert-rules",
		Summary: "Create an alert rule (admins)", Tags: tags, Errors: []int{401, 403, 409, 422}},
		func(ctx context.Context, in *struct{ Body AlertRuleJSON }) (*one[AlertRuleJSON], error) {
			return save(ctx, 0, in.Body)
		})
	huma.Register(a.h, huma.Operation{OperationID: "update-alert-rule", Method: http.MethodPut, Path: "/api/v1/alert-rules/{id}",
		Summary: "Change an alert rule (admins)", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id"`
			Body AlertRuleJSON
		}) (*one[AlertRuleJSON], error) {
			return save(ctx, in.ID, in.Body)
		})
	huma.Register(a.h, huma.Operation{OperationID: "delete-alert-rule", Method: http.MethodDelete, Path: "/api/v1/alert-rules/{id}",
		Summary: "Delete an alert rule (admins)", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id"`
		}) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.Alerts.DeleteRule(ctx, by, in.ID); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "list-alerts", Method: http.MethodGet, Path: "/api/v1/alerts",
		Summary: "Recent alerts, open and resolved (supervisors, admins)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[AlertJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			as, err := a.d.Alerts.Alerts(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(as, func(x alert.Alert) AlertJSON {
				out := AlertJSON{ID: x.ID, RuleID: x.RuleID, Kind: string(x.Kind), Detail: x.Detail, OpenedAt: x.OpenedAt}
				if !x.ResolvedAt.IsZero() {
					r := x.ResolvedAt
					out.ResolvedAt = &r
				}
				return out
			}), nil
		})
}
