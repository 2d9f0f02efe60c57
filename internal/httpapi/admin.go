package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// GroupJSON is a support group.
type GroupJSON struct {
	Key    string `json:"key,omitempty" example:"software" doc:"Taken from the path on PUT."`
	NameZH string `json:"name_zh" maxLength:"100" example:"软件组"`
	NameEN string `json:"name_en" maxLength:"100" example:"Software"`
	Email  string `json:"email,omitempty" maxLength:"254"`
}

// OrgJSON is a customer organization.
type OrgJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// FieldJSON defines a custom field of a category.
type FieldJSON struct {
	Key      string   `json:"key" example:"version"`
	LabelZH  string   `json:"label_zh" example:"软件版本"`
	LabelEN  string   `json:"label_en" example:"Software version"`
	Type     string   `json:"type" enum:"text,number,select,bool"`
	Required bool     `json:"required,omitempty"`
	Options  []string `json:"options,omitempty" doc:"Choices of a select field."`
	MaxLen   int      `json:"max_len,omitempty" doc:"Longest text accepted; default 200."`
}

// CategoryJSON is a ticket category with its custom fields.
type CategoryJSON struct {
	Key     string      `json:"key,omitempty" example:"software" doc:"Taken from the path on PUT."`
	NameZH  string      `json:"name_zh" example:"软件故障"`
	NameEN  string      `json:"name_en" example:"Software fault"`
	Group   string      `json:"group" doc:"Key of the default support group."`
	Fields  []FieldJSON `json:"fields"`
	GuideZH string      `json:"guide_zh,omitempty" doc:"What customers should include, in Chinese."`
	GuideEN string      `json:"guide_en,omitempty"`
	Active  bool        `json:"active"`
	Sort    int         `json:"sort,omitempty"`
}

func categoryJSON(c ticket.Category) CategoryJSON {
	fs := make([]FieldJSON, len(c.Fields))
	for i, f := range c.Fields {
		fs[i] = FieldJSON{Key: f.Key, LabelZH: f.LabelZH, LabelEN: f.LabelEN, Type: string(f.Type), Required: f.Required,
			Options: f.Options, MaxLen: f.MaxLen}
	}
	return CategoryJSON{Key: c.Key, NameZH: c.NameZH, NameEN: c.NameEN, Group: c.GroupKey, Fields: fs, GuideZH: c.GuideZH,
		GuideEN: c.GuideEN, Active: c.Active, Sort: c.Sort}
}

func categoryFrom(j CategoryJSON) ticket.Category {
	fs := make([]ticket.FieldDef, len(j.Fields))
	for i, f := range j.Fields {
		fs[i] = ticket.FieldDef{Key: f.Key, LabelZH: f.LabelZH, LabelEN: f.LabelEN, Type: ticket.FieldType(f.Type),
			Required: f.Required, Options: f.Options, MaxLen: f.MaxLen}
	}
	return ticket.Category{Key: j.Key, NameZH: j.NameZH, NameEN: j.NameEN, GroupKey: j.Group, Fields: fs,
		GuideZH: j.GuideZH, GuideEN: j.GuideEN, Active: j.Active, Sort: j.Sort}
}

type items[T any] struct {
	Body struct {
		Items []T `json:"items"`
	}
}

func list[T, D any](src []D, conv func(D) T) *items[T] {
	out := &items[T]{}
	out.Body.Items = make([]T, len(src))
	for i, s := range src {
		out.Body.Items[i] = conv(s)
	}
	return out
}

type one[T any] struct {
	Status int
	Body   T
}

type createUserIn struct {
	Body struct {
		Login        string   `json:"login" maxLength:"64"`
		Password     string   `json:"password" minLength:"8" maxLength:"256"`
		Name         string   `json:"name,omitempty" maxLength:"100"`
		Email        string   `json:"email,omitempty" maxLength:"254"`
		Phone        string   `json:"phone,omitempty" maxLength:"32"`
		Role         string   `json:"role" enum:"customer,agent,supervisor,admin"`
		Groups       []string `json:"groups,omitempty" doc:"Group keys (agents and supervisors)."`
		Organization string   `json:"organization,omitempty"`
		OrgVisible   bool     `json:"org_visible,omitempty"`
		Lang         string   `json:"lang,omitempty" enum:"zh-CN,en,"`
	}
}

type patchUserIn struct {
	Login string `path:"login"`
	Body  struct {
		Name         *string   `json:"name,omitempty" maxLength:"100"`
		Email        *string   `json:"email,omitempty" maxLength:"254"`
		Phone        *string   `json:"phone,omitempty" maxLength:"32"`
		Role         *string   `json:"role,omitempty" enum:"customer,agent,supervisor,admin"`
		Groups       *[]string `json:"groups,omitempty"`
		Organization *string   `json:"organization,omitempty"`
		OrgVisible   *bool     `json:"org_visible,omitempty"`
		Lang         *string   `json:"lang,omitempty" enum:"zh-CN,en,"`
		Active       *bool     `json:"active,omitempty"`
		Password     *string   `json:"password,omitempty" minLength:"8" maxLength:"256"`
	}
}

type listUsersIn struct {
	Role  string `query:"role" enum:"customer,agent,supervisor,admin,"`
	Query string `query:"q" maxLength:"100" doc:"Substring of login, name or email."`
	Limit int    `query:"limit" minimum:"1" maximum:"500" default:"100"`
}

func (a *API) registerAdmin() {
	tags := []string{"Administration"}
	huma.Register(a.h, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users",
		Summary: "List users (staff)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *listUsersIn) (*items[UserJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			us, err := a.d.Identity.Users(ctx, by, identity.UserFilter{Role: identity.Role(in.Role), Query: in.Query, Limit: in.Limit})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(us, userJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users",
		Summary: "Create a user (admin)", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *createUserIn) (*one[UserJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			u, err := a.d.Identity.CreateUser(ctx, by, identity.NewUser{Login: b.Login, Password: b.Password, Name: b.Name,
				Email: b.Email, Phone: b.Phone, Role: identity.Role(b.Role), GroupKeys: b.Groups, OrgName: b.Organization,
				OrgVisible: b.OrgVisible, Lang: b.Lang})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[UserJSON]{Status: http.StatusCreated, Body: userJSON(u)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "get-user", Method: http.MethodGet, Path: "/api/v1/users/{login}",
		Summary: "Get a user", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *struct {
			Login string `path:"login"`
		}) (*userOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			u, err := a.d.Identity.UserByLogin(ctx, by, in.Login)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userOut{Body: userJSON(u)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "update-user", Method: http.MethodPatch, Path: "/api/v1/users/{login}",
		Summary: "Change a user (admin)", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *patchUserIn) (*userOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			b := in.Body
			p := identity.UserPatch{Name: b.Name, Email: b.Email, Phone: b.Phone, GroupKeys: b.Groups, OrgName: b.Organization,
				OrgVisible: b.OrgVisible, Lang: b.Lang, Active: b.Active, Password: b.Password}
			if b.Role != nil {
				r := identity.Role(*b.Role)
				p.Role = &r
			}
			u, err := a.d.Identity.UpdateUser(ctx, by, in.Login, p)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &userOut{Body: userJSON(u)}, nil
		})

	groupJSON := func(g identity.Group) GroupJSON {
		return GroupJSON{Key: g.Key, NameZH: g.NameZH, NameEN: g.NameEN, Email: g.Email}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-groups", Method: http.MethodGet, Path: "/api/v1/groups",
		Summary: "List support groups", Tags: tags, Errors: []int{401}},
		func(ctx context.Context, _ *struct{}) (*items[GroupJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			gs, err := a.d.Identity.Groups(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(gs, groupJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "save-group", Method: http.MethodPut, Path: "/api/v1/groups/{key}",
		Summary: "Create or change a support group (admin)", Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Key  string `path:"key"`
			Body GroupJSON
		}) (*one[GroupJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			g := identity.Group{Key: in.Key, NameZH: in.Body.NameZH, NameEN: in.Body.NameEN, Email: in.Body.Email}
			g, err = a.d.Identity.SaveGroup(ctx, by, g)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[GroupJSON]{Status: http.StatusOK, Body: groupJSON(g)}, nil
		})

	orgJSON := func(o identity.Org) OrgJSON { return OrgJSON{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt} }
	huma.Register(a.h, huma.Operation{OperationID: "list-orgs", Method: http.MethodGet, Path: "/api/v1/orgs",
		Summary: "List customer organizations (staff)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, _ *struct{}) (*items[OrgJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			os, err := a.d.Identity.Orgs(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(os, orgJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "create-org", Method: http.MethodPost, Path: "/api/v1/orgs",
		Summary: "Create a customer organization", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Body struct {
				Name string `json:"name" maxLength:"200"`
			}
		}) (*one[OrgJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			o, err := a.d.Identity.CreateOrg(ctx, by, in.Body.Name)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[OrgJSON]{Status: http.StatusCreated, Body: orgJSON(o)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "rename-org", Method: http.MethodPatch, Path: "/api/v1/orgs/{id}",
		Summary: "Rename a customer organization (admin)", Tags: tags, Errors: []int{401, 403, 404, 422}},
		func(ctx context.Context, in *struct {
			ID   int64 `path:"id"`
			Body struct {
				Name string `json:"name" maxLength:"200"`
			}
		}) (*one[OrgJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			o, err := a.d.Identity.RenameOrg(ctx, by, in.ID, in.Body.Name)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[OrgJSON]{Status: http.StatusOK, Body: orgJSON(o)}, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "list-categories", Method: http.MethodGet, Path: "/api/v1/categories",
		Summary: "List ticket categories with their custom fields", Tags: tags, Errors: []int{401}},
		func(ctx context.Context, _ *struct{}) (*items[CategoryJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			cs, err := a.d.Tickets.Categories(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return list(cs, categoryJSON), nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "save-category", Method: http.MethodPut, Path: "/api/v1/categories/{key}",
		Summary: "Create or change a category and its custom fields (admin)", Tags: tags, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct {
			Key  string `path:"key"`
			Body CategoryJSON
		}) (*one[CategoryJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			c := categoryFrom(in.Body)
			c.Key = in.Key
			c, err = a.d.Tickets.SaveCategory(ctx, by, c)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[CategoryJSON]{Status: http.StatusOK, Body: categoryJSON(c)}, nil
		})
}
