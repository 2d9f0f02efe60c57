package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/search"
)

func resultsJSON(rs []search.Result) []SearchResultJSON {
	return searchPageJSON(search.Results{Results: rs}).Items
}

func (a *API) registerKBAssist(tags []string) {
	type feedbackIn struct {
		ID   int64 `path:"id" minimum:"1"`
		Body struct {
			Helpful bool `json:"helpful"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "article-feedback", Method: http.MethodPost, Path: "/api/v1/kb/articles/{id}/feedback",
		Summary: "Was this helpful?", Description: "Anyone who may read the published article; a signed-in reader's new answer replaces the old. " +
			"Without signing in, one address counts once per article a day and at most 30 times an hour (429 kb.feedback_rate).",
		Tags: tags, Errors: []int{401, 404, 409, 429}},
		func(ctx context.Context, in *feedbackIn) (*articleOut, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			ar, err := a.d.KB.Feedback(ctx, by, in.ID, in.Body.Helpful, ipFrom(ctx))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return a.articleOut(by, ar), nil
		})

	type suggestIn struct {
		Title       string `query:"title" maxLength:"200"`
		Description string `query:"description" maxLength:"4000"`
	}
	type suggestOut struct {
		Body struct {
			Items []SearchResultJSON `json:"items"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "kb-suggest", Method: http.MethodGet, Path: "/api/v1/kb/suggest",
		Summary: "Articles for a ticket being typed", Description: "Published articles of the caller's audience that best match the " +
			"title and description, for the new-ticket form to show while the customer types.", Tags: tags, Errors: []int{401, 422}},
		func(ctx context.Context, in *suggestIn) (*suggestOut, error) {
			by, err := a.guest(ctx)
			if err != nil {
				return nil, err
			}
			rs, err := a.d.KB.Suggest(ctx, by, in.Title, in.Description)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &suggestOut{}
			out.Body.Items = resultsJSON(rs)
			return out, nil
		})

	type deflectIn struct {
		Body struct {
			ArticleID int64  `json:"article_id" minimum:"1"`
			Category  string `json:"category,omitempty" doc:"The category the customer was about to file under."`
		}
	}
	type deflectOut struct {
		Body struct {
			ID        int64     `json:"id"`
			ArticleID int64     `json:"article_id"`
			CreatedAt time.Time `json:"created_at"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "kb-deflect", Method: http.MethodPost, Path: "/api/v1/kb/suggest",
		Summary: "This solved it", Description: "Records a deflected ticket: the article answered the question, no ticket filed.",
		Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{401, 404, 422}},
		func(ctx context.Context, in *deflectIn) (*deflectOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			d, err := a.d.KB.Deflect(ctx, by, in.Body.ArticleID, in.Body.Category)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &deflectOut{}
			out.Body.ID, out.Body.ArticleID, out.Body.CreatedAt = d.ID, d.ArticleID, d.CreatedAt
			return out, nil
		})

	type relatedOut struct {
		Body struct {
			Tickets  []SearchResultJSON `json:"similar_tickets"`
			Articles []SearchResultJSON `json:"suggested_articles"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "ticket-related", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/related",
		Summary: "Similar tickets and suggested articles (staff)", Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *ticketPath) (*relatedOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.KB.ForTicket(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &relatedOut{}
			out.Body.Tickets, out.Body.Articles = resultsJSON(r.Tickets), resultsJSON(r.Articles)
			return out, nil
		})
}
