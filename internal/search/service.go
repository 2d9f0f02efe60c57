package search

import (
	"cmp"
	"context"
	"slices"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// Kind is what a search looks through.
type Kind string

// The kinds of search.
const (
	KindTicket  Kind = "ticket"
	KindMessage Kind = "message"
	KindArticle Kind = "article"
)

// CandidateCap bounds how many matches one search ranks: the newest
// CandidateCap matches that pass the filters and the caller's scope are
// ranked by relevance. It keeps every query's cost bounded on a large desk;
// narrower queries or a date range reach older matches.
const CandidateCap = 1000

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 50
	// SnippetRunes is the length of a highlighted snippet.
	SnippetRunes = 120
)

// Plan is a search as the store runs it.
type Plan struct {
	Query Query
	// Scope is what the caller may see of tickets (ticket.ScopeOf).
	Scope ticket.Scope
	// PublicOnly hides internal notes (customers).
	PublicOnly bool
	Statuses   []ticket.Status
	CategoryID int64
	GroupID    int64
	From, To   time.Time
	// Articles: the audiences the caller may read, the language (empty:
	// any), and whether unpublished articles count (editors).
	Audiences []string
	Lang      string
	AnyState  bool
	Limit     int
}

// Candidate is a match and its relevance (higher is better).
type Candidate struct {
	ID    int64
	Score float64
}

// Row is what a result shows, as the store loads it.
type Row struct {
	ID        int64
	TicketID  int64
	Number    string
	Title     string
	Body      string
	Status    string
	Category  string
	Group     string
	Audience  string
	Lang      string
	Internal  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store runs plans on the engine's full-text index.
type Store interface {
	SearchTickets(ctx context.Context, p Plan) ([]Candidate, error)
	SearchMessages(ctx context.Context, p Plan) ([]Candidate, error)
	SearchArticles(ctx context.Context, p Plan) ([]Candidate, error)
	Rows(ctx context.Context, kind Kind, ids []int64) ([]Row, error)
	CategoryID(ctx context.Context, key string) (int64, error)
	GroupID(ctx context.Context, key string) (int64, error)
}

// Tickets gives a ticket by number to an actor allowed to see it.
type Tickets interface {
	Get(ctx context.Context, by identity.Actor, number string) (ticket.Ticket, error)
}

// Deps are the search service's collaborators.
type Deps struct {
	Store   Store
	Tickets Tickets
	// Audiences says which article audiences an actor may read.
	Audiences func(identity.Actor) []string
}

// Service runs searches for actors, within what each may see.
type Service struct {
	store     Store
	tickets   Tickets
	audiences func(identity.Actor) []string
}

// NewService builds the search service.
func NewService(d Deps) *Service {
	if d.Audiences == nil {
		d.Audiences = func(identity.Actor) []string { return []string{"public"} }
	}
	return &Service{store: d.Store, tickets: d.Tickets, audiences: d.Audiences}
}

// Input is a search as a caller asks for it.
type Input struct {
	Q        string
	Kind     string
	Statuses []string
	Category string
	Group    string
	Lang     string
	// From and To bound the creation time: [From, To).
	From, To time.Time
	Page     int
	PageSize int
}

// Result is one hit, highlighted.
type Result struct {
	Kind      Kind
	ID        int64
	TicketID  int64
	Number    string
	Title     string
	TitleHTML string
	Snippet   string
	Status    string
	Category  string
	Group     string
	Audience  string
	Lang      string
	Internal  bool
	Score     float64
	// ExactNumber marks the ticket whose number is the query.
	ExactNumber bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Results is one page of results. Total counts the ranked matches, at most
// CandidateCap; Capped says there may be more.
type Results struct {
	Results  []Result
	Total    int
	Capped   bool
	Page     int
	PageSize int
}

// Search finds tickets, messages or articles for an actor.
func (s *Service) Search(ctx context.Context, by identity.Actor, in Input) (Results, error) {
	q, err := Parse(in.Q)
	if err != nil {
		return Results{}, err
	}
	kind := Kind(cmp.Or(in.Kind, string(KindTicket)))
	if kind != KindTicket && kind != KindMessage && kind != KindArticle {
		return Results{}, apperr.FieldError("search.kind_invalid", "kind", nil)
	}
	page, size := max(in.Page, 1), in.PageSize
	if size <= 0 {
		size = DefaultPageSize
	}
	if in.Page < 0 || size > MaxPageSize {
		return Results{}, apperr.FieldError("search.page_invalid", "page", map[string]any{"max": MaxPageSize})
	}
	p, err := s.plan(ctx, by, kind, q, in)
	if err != nil {
		return Results{}, err
	}
	var cands []Candidate
	switch kind {
	case KindTicket:
		cands, err = s.store.SearchTickets(ctx, p)
	case KindMessage:
		cands, err = s.store.SearchMessages(ctx, p)
	default:
		cands, err = s.store.SearchArticles(ctx, p)
	}
	if err != nil {
		return Results{}, err
	}
	out := Results{Total: len(cands), Capped: len(cands) >= CandidateCap, Page: page, PageSize: size}
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	var exact *Result
	if kind == KindTicket && q.Number != "" {
		if t, err := s.tickets.Get(ctx, by, q.Number); err == nil && p.admits(t) {
			exact = &Result{Kind: KindTicket, ID: t.ID, TicketID: t.ID, Number: t.Number, Title: t.Title,
				Status: string(t.Status), Category: t.CategoryKey, Group: t.GroupKey, ExactNumber: true,
				CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
				TitleHTML: q.Highlight(t.Number+" "+t.Title, SnippetRunes), Snippet: q.Highlight(t.Description, SnippetRunes)}
			cands = slices.DeleteFunc(cands, func(c Candidate) bool { return c.ID == t.ID })
			out.Total = len(cands) + 1
		}
	}
	if page-1 > len(cands)/size {
		return out, nil // past the last page (and (page-1)*size would overflow for a huge page)
	}
	from := (page - 1) * size
	if exact != nil {
		if page == 1 {
			out.Results = append(out.Results, *exact)
			size--
		} else {
			from--
		}
	}
	if from >= len(cands) {
		return out, nil
	}
	pageCands := cands[from:min(len(cands), from+size)]
	ids := make([]int64, len(pageCands))
	for i, c := range pageCands {
		ids[i] = c.ID
	}
	rows, err := s.store.Rows(ctx, kind, ids)
	if err != nil {
		return Results{}, err
	}
	byID := make(map[int64]Row, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	for _, c := range pageCands {
		r, ok := byID[c.ID]
		if !ok {
			continue
		}
		title := r.Title
		if kind == KindTicket {
			title = r.Number + " " + r.Title
		}
		out.Results = append(out.Results, Result{Kind: kind, ID: r.ID, TicketID: r.TicketID, Number: r.Number,
			Title: r.Title, TitleHTML: q.Highlight(title, SnippetRunes), Snippet: q.Highlight(r.Body, SnippetRunes),
			Status: r.Status, Category: r.Category, Group: r.Group, Audience: r.Audience, Lang: r.Lang,
			Internal: r.Internal, Score: c.Score, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	return out, nil
}

// plan turns the input's filters into ids and adds the caller's scope.
func (s *Service) plan(ctx context.Context, by identity.Actor, kind Kind, q Query, in Input) (Plan, error) {
	p := Plan{Query: q, Scope: ticket.ScopeOf(by), PublicOnly: !by.Role.Staff() && !by.System,
		From: in.From, To: in.To, Lang: in.Lang, Limit: CandidateCap}
	var m apperr.Multi
	for _, v := range in.Statuses {
		if st := ticket.Status(v); st.Valid() {
			p.Statuses = append(p.Statuses, st)
		} else {
			m.Add(apperr.FieldError("ticket.status_invalid", "status", map[string]any{"value": v}))
		}
	}
	if in.Category != "" {
		id, err := s.store.CategoryID(ctx, in.Category)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			m.Add(apperr.FieldError("category.not_found", "category", map[string]any{"key": in.Category}))
		case err != nil:
			return p, err
		}
		p.CategoryID = id
	}
	if in.Group != "" && kind != KindArticle {
		id, err := s.store.GroupID(ctx, in.Group)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			m.Add(apperr.FieldError("group.not_found", "group", map[string]any{"key": in.Group}))
		case err != nil:
			return p, err
		}
		p.GroupID = id
	}
	if err := m.Err(); err != nil {
		return p, err
	}
	if kind == KindArticle {
		p.Audiences = s.audiences(by)
	}
	return p, nil
}

// admits reports whether a ticket passes the plan's filters.
func (p Plan) admits(t ticket.Ticket) bool {
	switch {
	case len(p.Statuses) > 0 && !slices.Contains(p.Statuses, t.Status),
		p.CategoryID != 0 && t.CategoryID != p.CategoryID,
		p.GroupID != 0 && t.GroupID != p.GroupID,
		!p.From.IsZero() && t.CreatedAt.Before(p.From),
		!p.To.IsZero() && !t.CreatedAt.Before(p.To):
		return false
	}
	return true
}

// Related returns the documents of a kind that best match free text — the
// articles that may answer a ticket being typed, the tickets similar to
// one — within what the actor may see, best first; exclude drops one id
// (the ticket itself). Articles are published ones only.
func (s *Service) Related(ctx context.Context, by identity.Actor, kind Kind, text string, exclude int64, limit int) ([]Result, error) {
	q, err := ParseAny(text)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(ctx, by, kind, q, Input{})
	if err != nil {
		return nil, err
	}
	var cands []Candidate
	switch kind {
	case KindTicket:
		cands, err = s.store.SearchTickets(ctx, p)
	case KindArticle:
		cands, err = s.store.SearchArticles(ctx, p)
	default:
		return nil, apperr.FieldError("search.kind_invalid", "kind", nil)
	}
	if err != nil {
		return nil, err
	}
	cands = slices.DeleteFunc(cands, func(c Candidate) bool { return c.ID == exclude })
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	cands = cands[:min(len(cands), max(1, limit))]
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	rows, err := s.store.Rows(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Row{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	out := make([]Result, 0, len(cands))
	for _, c := range cands {
		r, ok := byID[c.ID]
		if !ok {
			continue
		}
		out = append(out, Result{Kind: kind, ID: r.ID, TicketID: r.TicketID, Number: r.Number, Title: r.Title,
			TitleHTML: q.Highlight(r.Title, SnippetRunes), Snippet: q.Highlight(r.Body, SnippetRunes), Status: r.Status,
			Category: r.Category, Group: r.Group, Audience: r.Audience, Lang: r.Lang, Score: c.Score,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	return out, nil
}
