package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/routing"
	"helpdesk/internal/ticket"
)

// ConditionsJSON are a rule's conditions; every non-empty one must hold.
type ConditionsJSON struct {
	Categories    []string            `json:"categories,omitempty" doc:"Category keys."`
	Priorities    []string            `json:"priorities,omitempty"`
	Channels      []string            `json:"channels,omitempty"`
	Organizations []string            `json:"organizations,omitempty" doc:"Organization names."`
	CustomFields  map[string][]string `json:"custom_fields,omitempty" doc:"Field key → accepted values."`
	Keywords      []string            `json:"keywords,omitempty" doc:"Any of them in the title or description (case-insensitive; Chinese substrings work)."`
}

// RuleJSON is an assignment rule.
type RuleJSON struct {
	ID          int64          `json:"id,omitempty"`
	Position    int            `json:"position,omitempty"`
	Name        string         `json:"name" maxLength:"100"`
	Enabled     bool           `json:"enabled"`
	Conditions  ConditionsJSON `json:"conditions"`
	Group       string         `json:"group" doc:"Group key the ticket goes to."`
	Agent       string         `json:"agent,omitempty" doc:"Optional agent login, used when available."`
	SetPriority string         `json:"set_priority,omitempty" enum:"P1,P2,P3,P4,"`
}

func ruleJSON(r routing.Rule) RuleJSON {
	c := ConditionsJSON{Categories: r.Conditions.Categories, Keywords: r.Conditions.Keywords}
	for _, p := range r.Conditions.Priorities {
		c.Priorities = append(c.Priorities, string(p))
	}
	for _, ch := range r.Conditions.Channels {
		c.Channels = append(c.Channels, string(ch))
	}
	for _, o := range r.Conditions.Orgs {
		c.Organizations = append(c.Organizations, o.Name)
	}
	if len(r.Conditions.Fields) > 0 {
		c.CustomFields = map[string][]string{}
		for _, f := range r.Conditions.Fields {
			c.CustomFields[f.Key] = f.Values
		}
	}
	return RuleJSON{ID: r.ID, Position: r.Position, Name: r.Name, Enabled: r.Enabled, Conditions: c, Group: r.GroupKey,
		Agent: r.Agent, SetPriority: string(r.SetPriority)}
}

func ruleFrom(j RuleJSON) routing.Rule {
	r := routing.Rule{ID: j.ID, Name: j.Name, Enabled: j.Enabled, GroupKey: j.Group, Agent: j.Agent,
		SetPriority: ticket.Priority(j.SetPriority)}
	c := j.Conditions
	r.Conditions.Categories, r.Conditions.Keywords = c.Categories, c.Keywords
	for _, p := range c.Priorities {
		r.Conditions.Priorities = append(r.Conditions.Priorities, ticket.Priority(p))
	}
	for _, ch := range c.Channels {
		r.Conditions.Channels = append(r.Conditions.Channels, ticket.Channel(ch))
	}
	for _, o := range c.Organizations {
		r.Conditions.Orgs = append(r.Conditions.Orgs, routing.OrgRef{Name: o})
	}
	for k, v := range c.CustomFields {
		r.Conditions.Fields = append(r.Conditions.Fields, routing.FieldMatch{Key: k, Values: v})
	}
	return r
}

// AgentJSON is an agent's routing state.
type AgentJSON struct {
	Login     string `json:"login"`
	Role      string `json:"role"`
	Away      bool   `json:"away"`
	MaxOpen   int    `json:"max_open" doc:"Own cap on open tickets; 0 follows the desk default."`
	Open      int    `json:"open" doc:"Open tickets now."`
	Cap       int    `json:"cap" doc:"Effective cap."`
	Available bool   `json:"available"`
}

func agentJSON(a routing.Agent) AgentJSON {
	return AgentJSON{Login: a.Login, Role: string(a.Role), Away: a.Away, MaxOpen: a.MaxOpen, Open: a.Open, Cap: a.Cap, Available: a.Available}
}

type ruleOut struct{ Body RuleJSON }

func (a *API) registerRouting() {
	tags := []string{"Routing"}
	huma.Register(a.h, huma.Operation{OperationID: "list-rules", Method: http.MethodGet, Path: "/api/v1/routing/rules",
		Summary: "List assignment rules in order (supervisors, admins)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[RuleJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.Routing.Rules(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(rs, ruleJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "create-rule", Method: http.MethodPost, Path: "/api/v1/routing/rules",
		Summary: "Add an assignment rule at the end (admin)", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct{ Body RuleJSON }) (*one[RuleJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			in.Body.ID = 0
			r, err := a.d.Routing.SaveRule(ctx, by, ruleFrom(in.Body))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[RuleJSON]{Status: http.StatusCreated, Body: ruleJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "update-rule", Method: http.MethodPut, Path: "/api/v1/routing/rules/{id}",
		Summary: "Change an assignment rule (admin)", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id"`
			Body RuleJSON
		}) (*ruleOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			in.Body.ID = in.ID
			r, err := a.d.Routing.SaveRule(ctx, by, ruleFrom(in.Body))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &ruleOut{Body: ruleJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "delete-rule", Method: http.MethodDelete, Path: "/api/v1/routing/rules/{id}",
		Summary: "Delete an assignment rule (admin)", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id"`
		}) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.Routing.DeleteRule(ctx, by, in.ID); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "reorder-rules", Method: http.MethodPost, Path: "/api/v1/routing/rules/order",
		Summary: "Set the order of the rules (admin)", Description: "Send every rule id once, first rule first.", Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Body struct {
				IDs []int64 `json:"ids" maxItems:"500"`
			}
		}) (*items[RuleJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.Routing.Reorder(ctx, by, in.Body.IDs)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(rs, ruleJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "routing-dry-run", Method: http.MethodPost, Path: "/api/v1/routing/dry-run",
		Summary: "Which rule would match a sample ticket", Description: "Nothing is assigned and no round-robin turn is used.",
		Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Body struct {
				Title        string         `json:"title,omitempty" maxLength:"200"`
				Description  string         `json:"description,omitempty" maxLength:"20000"`
				Category     string         `json:"category"`
				Priority     string         `json:"priority,omitempty" enum:"P1,P2,P3,P4,"`
				Channel      string         `json:"channel,omitempty" enum:"web,email,phone,api,"`
				Organization string         `json:"organization,omitempty"`
				CustomFields map[string]any `json:"custom_fields,omitempty"`
			}
		}) (*struct {
			Body struct {
				Rule     *RuleJSON   `json:"rule" doc:"The matched rule; null means the category's default group."`
				Group    string      `json:"group"`
				Assignee *string     `json:"assignee"`
				Priority string      `json:"priority"`
				PickedBy string      `json:"picked_by" doc:"rule, least_open, round_robin, or empty when the ticket waits in the queue."`
				Strategy string      `json:"strategy"`
				Agents   []AgentJSON `json:"agents"`
			}
		}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			sample := ticket.Ticket{Title: b.Title, Description: b.Description, CategoryKey: b.Category, Priority: ticket.Priority(b.Priority),
				Channel: ticket.Channel(b.Channel), OrgName: b.Organization, CustomFields: b.CustomFields}
			d, err := a.d.Routing.DryRun(ctx, by, sample)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Rule     *RuleJSON   `json:"rule" doc:"The matched rule; null means the category's default group."`
					Group    string      `json:"group"`
					Assignee *string     `json:"assignee"`
					Priority string      `json:"priority"`
					PickedBy string      `json:"picked_by" doc:"rule, least_open, round_robin, or empty when the ticket waits in the queue."`
					Strategy string      `json:"strategy"`
					Agents   []AgentJSON `json:"agents"`
				}
			}{}
			if d.RuleID != 0 {
				r, err := a.d.Routing.Rule(ctx, by, d.RuleID)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				j := ruleJSON(r)
				out.Body.Rule = &j
			}
			out.Body.Group, out.Body.Assignee = d.Assignment.GroupKey, optString(d.Assignment.Assignee)
			out.Body.Priority = string(d.Assignment.Priority)
			if out.Body.Priority == "" {
				out.Body.Priority = string(sample.Priority)
			}
			out.Body.PickedBy, out.Body.Strategy = d.PickedBy, string(d.Strategy)
			out.Body.Agents = list(d.Agents, agentJSON).Body.Items
			return out, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "group-agents", Method: http.MethodGet, Path: "/api/v1/groups/{key}/agents",
		Summary: "A group's agents with their load and availability", Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *struct {
			Key string `path:"key"`
		}) (*items[AgentJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			as, err := a.d.Routing.GroupAgents(ctx, by, in.Key)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(as, agentJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "set-group-strategy", Method: http.MethodPut, Path: "/api/v1/groups/{key}/strategy",
		Summary: "Set how a group's tickets are shared out", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *struct {
			Key  string `path:"key"`
			Body struct {
				Strategy string `json:"strategy" enum:"manual,least_open,round_robin"`
			}
		}) (*struct {
			Body struct {
				Group    string `json:"group"`
				Strategy string `json:"strategy"`
			}
		}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			g, err := a.d.Routing.SetGroupStrategy(ctx, by, in.Key, routing.Strategy(in.Body.Strategy))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &struct {
				Body struct {
					Group    string `json:"group"`
					Strategy string `json:"strategy"`
				}
			}{}
			out.Body.Group, out.Body.Strategy = g.GroupKey, string(g.Strategy)
			return out, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "set-availability", Method: http.MethodPut, Path: "/api/v1/users/{login}/availability",
		Summary: "Set an agent away or back, and their cap", Description: "Agents set themselves; supervisors and admins set anyone in their groups. Away agents get no new tickets.",
		Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *struct {
			Login string `path:"login"`
			Body  struct {
				Away    *bool `json:"away,omitempty"`
				MaxOpen *int  `json:"max_open,omitempty" minimum:"0" maximum:"1000"`
			}
		}) (*struct{ Body AgentJSON }, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ag, err := a.d.Routing.Agent(ctx, by, in.Login)
			if in.Body.Away != nil && err == nil {
				ag, err = a.d.Routing.SetAway(ctx, by, in.Login, *in.Body.Away)
			}
			if in.Body.MaxOpen != nil && err == nil {
				ag, err = a.d.Routing.SetMaxOpen(ctx, by, in.Login, *in.Body.MaxOpen)
			}
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &struct{ Body AgentJSON }{Body: agentJSON(ag)}, nil
		})
}
