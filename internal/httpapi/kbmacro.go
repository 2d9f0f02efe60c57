package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/kb"
)

// MacroJSON is a canned response.
type MacroJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Body        string    `json:"body" doc:"Variables: {{requester.name}}, {{requester.login}}, {{ticket.number}}, {{ticket.title}}, {{ticket.category}}, {{ticket.priority}}, {{agent.name}}, {{agent.login}}."`
	SetStatus   string    `json:"set_status,omitempty"`
	SetCategory string    `json:"set_category,omitempty"`
	SetAssignee string    `json:"set_assignee,omitempty" doc:"A login, or me."`
	UpdatedAt   time.Time `json:"updated_at"`
}

type macroBody struct {
	Name        string `json:"name" maxLength:"100"`
	Body        string `json:"body,omitempty" maxLength:"20000"`
	SetStatus   string `json:"set_status,omitempty"`
	SetCategory string `json:"set_category,omitempty"`
	SetAssignee string `json:"set_assignee,omitempty" maxLength:"64"`
}

func macroJSON(m kb.Macro) MacroJSON {
	return MacroJSON{ID: m.ID, Name: m.Name, Body: m.Body, SetStatus: m.SetStatus, SetCategory: m.SetCategory,
		SetAssignee: m.SetAssignee, UpdatedAt: m.UpdatedAt}
}

func (b macroBody) macro(id int64) kb.Macro {
	return kb.Macro{ID: id, Name: b.Name, Body: b.Body, SetStatus: b.SetStatus, SetCategory: b.SetCategory, SetAssignee: b.SetAssignee}
}

func (a *API) registerKBMacros(tags []string) {
	type macroOut struct{ Body MacroJSON }
	huma.Register(a.h, huma.Operation{OperationID: "create-macro", Method: http.MethodPost, Path: "/api/v1/kb/macros",
		Summary: "Create a canned response (supervisors, admins)", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct{ Body macroBody }) (*macroOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			m, err := a.d.KB.SaveMacro(ctx, by, in.Body.macro(0))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &macroOut{Body: macroJSON(m)}, nil
		})
	type macroUpdateIn struct {
		ID   int64 `path:"id" minimum:"1"`
		Body macroBody
	}
	huma.Register(a.h, huma.Operation{OperationID: "update-macro", Method: http.MethodPut, Path: "/api/v1/kb/macros/{id}",
		Summary: "Replace a canned response (supervisors, admins)", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *macroUpdateIn) (*macroOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			m, err := a.d.KB.SaveMacro(ctx, by, in.Body.macro(in.ID))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &macroOut{Body: macroJSON(m)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "delete-macro", Method: http.MethodDelete, Path: "/api/v1/kb/macros/{id}",
		Summary: "Delete a canned response (supervisors, admins)", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *articlePath) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.KB.DeleteMacro(ctx, by, in.ID); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
	type macroListOut struct {
		Body struct {
			Items []MacroJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-macros", Method: http.MethodGet, Path: "/api/v1/kb/macros",
		Summary: "Canned responses (staff)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *struct{}) (*macroListOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ms, err := a.d.KB.Macros(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &macroListOut{}
			out.Body.Items = make([]MacroJSON, 0, len(ms))
			for _, m := range ms {
				out.Body.Items = append(out.Body.Items, macroJSON(m))
			}
			return out, nil
		})
	type macroApplyIn struct {
		Number string `path:"number" maxLength:"32" example:"TS20261122001"`
		ID     int64  `path:"id" minimum:"1"`
	}
	huma.Register(a.h, huma.Operation{OperationID: "apply-macro", Method: http.MethodPost, Path: "/api/v1/tickets/{number}/macros/{id}",
		Summary: "Apply a canned response to a ticket (staff)", Description: "Sets the category and assignee, posts the reply " +
			"with its variables filled in, then sets the status — each as the ticket API would; a step that fails stops the rest.",
		Tags: tags, Errors: []int{401, 403, 404, 409, 422}},
		func(ctx context.Context, in *macroApplyIn) (*ticketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			res, err := a.d.KB.ApplyMacro(ctx, by, in.Number, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.ticketOut(res.Ticket), nil
		})
}
