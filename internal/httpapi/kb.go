package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
)

// ArticleJSON is a knowledge base article.
type ArticleJSON struct {
	ID             int64      `json:"id"`
	Title          string     `json:"title"`
	Body           string     `json:"body" doc:"Markdown."`
	BodyHTML       string     `json:"body_html" doc:"The body rendered and sanitized."`
	Category       string     `json:"category,omitempty"`
	Tags           []string   `json:"tags"`
	Audience       string     `json:"audience" enum:"public,customers,internal"`
	Lang           string     `json:"lang" enum:"zh-CN,en"`
	State          string     `json:"state" enum:"draft,in_review,published,archived"`
	Version        int        `json:"version"`
	Author         string     `json:"author,omitempty"`
	SourceTicketID int64      `json:"source_ticket_id,omitempty"`
	Helpful        int        `json:"helpful"`
	Unhelpful      int        `json:"unhelpful"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
}

func (a *API) articleJSON(ar kb.Article, staff bool) ArticleJSON {
	out := ArticleJSON{ID: ar.ID, Title: ar.Title, Body: ar.Body, BodyHTML: a.render.HTML(ar.Body), Category: ar.CategoryKey,
		Tags: ar.Tags, Audience: string(ar.Audience), Lang: ar.Lang, State: string(ar.State), Version: ar.Version,
		Helpful: ar.Helpful, Unhelpful: ar.Unhelpful, CreatedAt: ar.CreatedAt, UpdatedAt: ar.UpdatedAt}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if staff {
		out.Author, out.SourceTicketID = ar.Author, ar.SourceTicketID
	}
	if !ar.PublishedAt.IsZero() {
		t := ar.PublishedAt
		out.PublishedAt = &t
	}
	return out
}

type articleOut struct {
	ETag string `header:"ETag"`
	Body ArticleJSON
}

func (a *API) articleOut(by identity.Actor, ar kb.Article) *articleOut {
	return &articleOut{ETag: etag(ar.Version), Body: a.articleJSON(ar, by.Role.Staff() || by.System)}
}

type draftBody struct {
	Title    string   `json:"title" maxLength:"200"`
	Body     string   `json:"body" maxLength:"100000" doc:"Markdown."`
	Category string   `json:"category,omitempty"`
	Tags     []string `json:"tags,omitempty" maxItems:"10"`
	Audience string   `json:"audience,omitempty" enum:"public,customers,internal" default:"internal"`
	Lang     string   `json:"lang,omitempty" enum:"zh-CN,en" default:"zh-CN"`
	Note     string   `json:"note,omitempty" maxLength:"2000" doc:"What changed (updates)."`
}

func (d draftBody) draft() kb.Draft {
	return kb.Draft{Title: d.Title, Body: d.Body, Category: d.Category, Tags: d.Tags, Audience: d.Audience, Lang: d.Lang}
}

type articlePath struct {
	ID int64 `path:"id" minimum:"1"`
}

type commentIn struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Comment string `json:"comment,omitempty" maxLength:"2000"`
	}
}

// guest returns the caller, or the anonymous visitor when nobody signed
// in; a bad token or session is still refused.
func (a *API) guest(ctx context.Context) (identity.Actor, error) {
	ac, err := actorFrom(ctx)
	if err != nil && apperr.Is(err, "auth.required") {
		return identity.Actor{}, nil
	}
	if err != nil {
		return ac, a.fail(ctx, err)
	}
	return ac, nil
}

func (a *API) registerKB() {
	if a.d.KB == nil {
		return
	}
	a.render = kb.NewRenderer()
	tags := []string{"Knowledge base"}
	huma.Register(a.h, huma.Operation{OperationID: "create-article", Method: http.MethodPost, Path: "/api/v1/kb/articles",
		Summary: "Write a draft article (staff)", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *struct{ Body draftBody }) (*articleOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ar, err := a.d.KB.Create(ctx, by, in.Body.draft())
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.articleOut(by, ar), nil
		})

	type listIn struct {
		State    []string `query:"state,explode" doc:"Staff: filter by state. Others always see published articles."`
		Category string   `query:"category"`
		Lang     string   `query:"lang" enum:"zh-CN,en"`
		Before   int64    `query:"before" doc:"Page: articles with an id below this one (the last id of the previous page)."`
		Limit    int      `query:"limit" minimum:"1" maximum:"100" default:"50"`
	}
	type listOut struct {
		Body struct {
			Items []ArticleJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-articles", Method: http.MethodGet, Path: "/api/v1/kb/articles",
		Summary: "Browse articles", Description: "The help center's browse by category: anyone may call it (signed in or not) and sees " +
			"the published articles of their audience; staff see every state.", Tags: tags, Errors: []int{401, 422}},
		func(ctx context.Context, in *listIn) (*listOut, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			list, err := a.d.KB.List(ctx, by, kb.ListInput{States: splitList(in.State), Category: in.Category, Lang: in.Lang,
				Limit: in.Limit, AfterID: in.Before})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &listOut{}
			out.Body.Items = make([]ArticleJSON, 0, len(list))
			for _, ar := range list {
				out.Body.Items = append(out.Body.Items, a.articleJSON(ar, by.Role.Staff()))
			}
			return out, nil
		})

	huma.Register(a.h, huma.Operation{OperationID: "get-article", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}",
		Summary: "Read an article", Description: "Anyone may read a published article of their audience; staff any.", Tags: tags,
		Errors: []int{401, 404}},
		func(ctx context.Context, in *articlePath) (*articleOut, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			ar, err := a.d.KB.Get(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.articleOut(by, ar), nil
		})

	type updateIn struct {
		ID      int64  `path:"id" minimum:"1"`
		IfMatch string `header:"If-Match" doc:"The ETag (version) you edited; a newer article answers 409."`
		Body    draftBody
	}
	huma.Register(a.h, huma.Operation{OperationID: "update-article", Method: http.MethodPut, Path: "/api/v1/kb/articles/{id}",
		Summary: "Save a new version (staff)", Description: "Every save is a new version; a published article goes back to draft.",
		Tags: tags, Errors: []int{400, 401, 403, 404, 409, 422}},
		func(ctx context.Context, in *updateIn) (*articleOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			v, err := parseIfMatch(ctx, in.IfMatch)
			if err != nil {
				return nil, err
			}
			ar, err := a.d.KB.Update(ctx, by, in.ID, v, in.Body.draft(), in.Body.Note)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.articleOut(by, ar), nil
		})

	for _, step := range []struct {
		path, summary string
		fn            func(context.Context, identity.Actor, int64, string) (kb.Article, error)
	}{
		{"submit", "Send a draft for review", a.d.KB.Submit},
		{"approve", "Approve and publish (supervisors, admins)", a.d.KB.Approve},
		{"reject", "Send back to draft with a comment (supervisors, admins)", a.d.KB.Reject},
		{"archive", "Archive (supervisors, admins)", a.d.KB.Archive},
	} {
		huma.Register(a.h, huma.Operation{OperationID: step.path + "-article", Method: http.MethodPost,
			Path: "/api/v1/kb/articles/{id}/" + step.path, Summary: step.summary, Tags: tags, Errors: []int{401, 403, 404, 409, 422}},
			func(ctx context.Context, in *commentIn) (*articleOut, error) {
				by, err := a.caller(ctx)
				if err != nil {
					return nil, err
				}
				ar, err := step.fn(ctx, by, in.ID, in.Body.Comment)
				if err != nil {
					return nil, a.fail(ctx, err)
				}
				return a.articleOut(by, ar), nil
			})
	}
	a.registerKBHistory(tags)
	a.registerKBAssist(tags)
	a.registerKBSuggest(tags)
	a.registerKBMacros(tags)
	a.registerKBAttachments(tags)
}

// draftHeadings are the section titles of a draft made from a ticket.
func draftHeadings(ctx context.Context) kb.Headings {
	lang := langFrom(ctx)
	return kb.Headings{Problem: i18n.T(lang, "kb.draft_problem", nil), Resolution: i18n.T(lang, "kb.draft_resolution", nil)}
}
