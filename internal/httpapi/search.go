package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/search"
)

type searchIn struct {
	Q        string    `query:"q" maxLength:"1024" doc:"Words, Chinese of any length (卡, 打印, 打印机), \"quoted phrases\", -exclusions, ticket numbers."`
	Kind     string    `query:"kind" enum:"ticket,message,article" default:"ticket"`
	Status   []string  `query:"status,explode" doc:"Tickets and messages: filter by the ticket's status."`
	Category string    `query:"category"`
	Group    string    `query:"group"`
	Lang     string    `query:"lang" enum:"zh-CN,en" doc:"Articles: language."`
	From     time.Time `query:"from" doc:"RFC 3339; created at or after."`
	To       time.Time `query:"to" doc:"RFC 3339; created before."`
	Page     int       `query:"page" minimum:"1" default:"1"`
	PageSize int       `query:"page_size" minimum:"1" maximum:"50" default:"20"`
}

// SearchResultJSON is one search hit.
type SearchResultJSON struct {
	Kind        string    `json:"kind" enum:"ticket,message,article"`
	ID          int64     `json:"id" doc:"Ticket, message or article id."`
	Number      string    `json:"number,omitempty" doc:"The ticket's number (tickets and messages)."`
	Title       string    `json:"title"`
	TitleHTML   string    `json:"title_html" doc:"The title, HTML-escaped, matches in <mark>."`
	Snippet     string    `json:"snippet_html" doc:"A passage around the first match, HTML-escaped, matches in <mark>."`
	Status      string    `json:"status,omitempty"`
	Category    string    `json:"category,omitempty"`
	Group       string    `json:"group,omitempty"`
	Audience    string    `json:"audience,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	Internal    bool      `json:"internal,omitempty" doc:"An internal note (never shown to customers)."`
	ExactNumber bool      `json:"exact_number,omitempty" doc:"The ticket whose number is the query, listed first."`
	Score       float64   `json:"score"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// SearchPageJSON is one page of search results.
type SearchPageJSON struct {
	Items    []SearchResultJSON `json:"items"`
	Total    int                `json:"total" doc:"Matches ranked, at most 1000."`
	Capped   bool               `json:"capped" doc:"More matches exist than were ranked: narrow the query or the dates."`
	Page     int                `json:"page"`
	PageSize int                `json:"page_size"`
}

type searchOut struct{ Body SearchPageJSON }

func searchPageJSON(r search.Results) SearchPageJSON {
	out := SearchPageJSON{Items: make([]SearchResultJSON, 0, len(r.Results)), Total: r.Total, Capped: r.Capped,
		Page: r.Page, PageSize: r.PageSize}
	for _, h := range r.Results {
		out.Items = append(out.Items, SearchResultJSON{Kind: string(h.Kind), ID: h.ID, Number: h.Number, Title: h.Title,
			TitleHTML: h.TitleHTML, Snippet: h.Snippet, Status: h.Status, Category: h.Category, Group: h.Group,
			Audience: h.Audience, Lang: h.Lang, Internal: h.Internal, ExactNumber: h.ExactNumber, Score: h.Score,
			CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt})
	}
	return out
}

func (a *API) registerSearch() {
	if a.d.Search == nil {
		return
	}
	huma.Register(a.h, huma.Operation{OperationID: "search", Method: http.MethodGet, Path: "/api/v1/search",
		Summary: "Search tickets, messages or articles",
		Description: "Ranked (a ticket number first, title above body), highlighted and paginated; only what the caller may see " +
			"(customers: their own tickets, public messages, articles for customers). The newest 1000 matches are ranked.",
		Tags: []string{"Search"}, Errors: []int{401, 422}},
		func(ctx context.Context, in *searchIn) (*searchOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			res, err := a.d.Search.Search(ctx, by, search.Input{Q: in.Q, Kind: in.Kind, Statuses: splitList(in.Status),
				Category: in.Category, Group: in.Group, Lang: in.Lang, From: in.From, To: in.To, Page: in.Page, PageSize: in.PageSize})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &searchOut{Body: searchPageJSON(res)}, nil
		})
}
