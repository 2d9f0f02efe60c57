package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/kb"
	"helpdesk/internal/mask"
)

// VersionJSON is one saved version of an article.
type VersionJSON struct {
	Version   int       `json:"version"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Category  string    `json:"category,omitempty"`
	Tags      []string  `json:"tags"`
	Audience  string    `json:"audience"`
	Lang      string    `json:"lang"`
	Editor    string    `json:"editor,omitempty"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ReviewJSON is one step of an article's review trail.
type ReviewJSON struct {
	Version   int       `json:"version"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action" enum:"create,edit,submit,approve,reject,archive,restore"`
	Comment   string    `json:"comment,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MaskingJSON is one piece of personal data masked in a draft.
type MaskingJSON struct {
	Seq         int    `json:"seq"`
	Kind        string `json:"kind" enum:"email,id_card,bank_card,phone,ip,name,org"`
	Hint        string `json:"hint" doc:"The original, partly masked (138****1234)."`
	Replacement string `json:"replacement" doc:"What stands in the draft ([PHONE-1])."`
	Confirmed   bool   `json:"confirmed"`
}

// DiffLineJSON is one line of a diff.
type DiffLineJSON struct {
	Op   string `json:"op" enum:"same,add,remove"`
	Text string `json:"text"`
}

func maskingsJSON(ms []kb.Masking) []MaskingJSON {
	out := make([]MaskingJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, MaskingJSON{Seq: m.Seq, Kind: m.Kind, Hint: m.Hint, Replacement: m.Replacement, Confirmed: m.Confirmed})
	}
	return out
}

func (a *API) registerKBHistory(tags []string) {
	type versionsOut struct {
		Body struct {
			Items []VersionJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-article-versions", Method: http.MethodGet,
		Path: "/api/v1/kb/articles/{id}/versions", Summary: "Every version of an article (staff)", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *articlePath) (*versionsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			vs, err := a.d.KB.Versions(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &versionsOut{}
			out.Body.Items = make([]VersionJSON, 0, len(vs))
			for _, v := range vs {
				tags := v.Tags
				if tags == nil {
					tags = []string{}
				}
				out.Body.Items = append(out.Body.Items, VersionJSON{Version: v.Version, Title: v.Title, Body: v.Body,
					Category: v.CategoryKey, Tags: tags, Audience: string(v.Audience), Lang: v.Lang, Editor: v.Editor, Note: v.Note,
					CreatedAt: v.CreatedAt})
			}
			return out, nil
		})

	type diffIn struct {
		ID   int64 `path:"id" minimum:"1"`
		From int   `query:"from" minimum:"1" required:"true"`
		To   int   `query:"to" minimum:"1" required:"true"`
	}
	type diffOut struct {
		Body struct {
			Lines []DiffLineJSON `json:"lines"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "diff-article", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}/diff",
		Summary: "Line diff between two versions (staff)", Tags: tags, Errors: []int{401, 404, 422}},
		func(ctx context.Context, in *diffIn) (*diffOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			lines, err := a.d.KB.Diff(ctx, by, in.ID, in.From, in.To)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &diffOut{}
			out.Body.Lines = make([]DiffLineJSON, 0, len(lines))
			for _, l := range lines {
				out.Body.Lines = append(out.Body.Lines, DiffLineJSON{Op: string(l.Op), Text: l.Text})
			}
			return out, nil
		})

	type restoreIn struct {
		ID   int64 `path:"id" minimum:"1"`
		Body struct {
			Version int `json:"version" minimum:"1"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "restore-article", Method: http.MethodPost, Path: "/api/v1/kb/articles/{id}/restore",
		Summary: "Restore an earlier version as a new draft version (staff)", Tags: tags, Errors: []int{401, 403, 404, 409}},
		func(ctx context.Context, in *restoreIn) (*articleOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ar, err := a.d.KB.Restore(ctx, by, in.ID, in.Body.Version)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.articleOut(by, ar), nil
		})

	type reviewsOut struct {
		Body struct {
			Items []ReviewJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-article-reviews", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}/reviews",
		Summary: "The review trail (staff)", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *articlePath) (*reviewsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.KB.Reviews(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &reviewsOut{}
			out.Body.Items = make([]ReviewJSON, 0, len(rs))
			for _, r := range rs {
				out.Body.Items = append(out.Body.Items, ReviewJSON{Version: r.Version, Actor: r.Actor, Action: string(r.Action),
					Comment: r.Comment, CreatedAt: r.CreatedAt})
			}
			return out, nil
		})

	type maskingsOut struct {
		Body struct {
			Items []MaskingJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "list-article-maskings", Method: http.MethodGet, Path: "/api/v1/kb/articles/{id}/maskings",
		Summary: "Personal data masked in a draft from a ticket (staff)", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *articlePath) (*maskingsOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ms, err := a.d.KB.Maskings(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &maskingsOut{}
			out.Body.Items = maskingsJSON(ms)
			return out, nil
		})

	type confirmIn struct {
		ID  int64 `path:"id" minimum:"1"`
		Seq int   `path:"seq" minimum:"1"`
	}
	huma.Register(a.h, huma.Operation{OperationID: "confirm-article-masking", Method: http.MethodPost,
		Path: "/api/v1/kb/articles/{id}/maskings/{seq}/confirm", Summary: "Confirm one masking (supervisors, admins)",
		Description: "An article made from a ticket is published only once every masking is confirmed.",
		Tags:        tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *confirmIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.KB.ConfirmMasking(ctx, by, in.ID, in.Seq); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})

	type fromTicketOut struct {
		Status int
		Body   struct {
			Article  ArticleJSON   `json:"article"`
			Maskings []MaskingJSON `json:"maskings"`
			Existing bool          `json:"existing" doc:"The ticket's open draft (in draft or in review), made earlier; answered with 200 instead of a second draft."`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "article-from-ticket", Method: http.MethodPost,
		Path: "/api/v1/tickets/{number}/kb-draft", Summary: "Draft an article from a ticket (staff)",
		Description: "Problem and resolution from the public conversation (internal notes excluded), personal data masked; " +
			"the maskings are listed for the reviewer to confirm. While a draft made from the ticket is still in draft or in review, " +
			"that draft is answered (200, existing) instead of a second one.", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *ticketPath) (*fromTicketOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			d, err := a.d.KB.FromTicket(ctx, by, in.Number, draftHeadings(ctx), mask.People{})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &fromTicketOut{Status: http.StatusCreated}
			if d.Existing {
				out.Status = http.StatusOK
			}
			out.Body.Article, out.Body.Maskings, out.Body.Existing = a.articleJSON(d.Article, true), maskingsJSON(d.Maskings), d.Existing
			return out, nil
		})
}
