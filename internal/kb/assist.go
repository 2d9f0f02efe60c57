package kb

import (
	"context"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/search"
)

// SuggestLimit is how many articles or tickets a suggestion lists.
const SuggestLimit = 5

// Suggest returns the published articles that best match what a customer
// is typing (title and description), among those the actor may read.
func (s *Service) Suggest(ctx context.Context, by identity.Actor, title, description string) ([]search.Result, error) {
	text := strings.TrimSpace(title + "\n" + description)
	if text == "" {
		return nil, nil
	}
	if r := []rune(text); len(r) > 2000 {
		text = string(r[:2000])
	}
	res, err := s.search.Related(ctx, by, search.KindArticle, text, 0, SuggestLimit)
	if apperr.Is(err, "search.query_empty") {
		return nil, nil // nothing searchable typed yet
	}
	return res, err
}

// Deflect records that an article answered a customer's question, so no
// ticket was filed; category (optional) is what they were about to file under.
func (s *Service) Deflect(ctx context.Context, by identity.Actor, articleID int64, category string) (Deflection, error) {
	if by.UserID == 0 {
		return Deflection{}, apperr.New(apperr.Unauthenticated, "auth.required")
	}
	if _, err := s.Get(ctx, by, articleID); err != nil {
		return Deflection{}, err
	}
	d := Deflection{UserID: by.UserID, ArticleID: articleID, CreatedAt: s.now().UTC()}
	if category != "" {
		id, err := s.store.CategoryID(ctx, category)
		if err != nil {
			return Deflection{}, err
		}
		d.CategoryID = id
	}
	return s.store.AddDeflection(ctx, d)
}

// Related is what the agent's view of a ticket suggests: similar tickets
// the agent may see and articles that may answer it.
type Related struct {
	Tickets  []search.Result
	Articles []search.Result
}

// ForTicket returns similar tickets and suggested articles for a ticket
// (staff who may see it).
func (s *Service) ForTicket(ctx context.Context, by identity.Actor, number string) (Related, error) {
	if !isStaff(by) {
		return Related{}, errForbidden()
	}
	t, err := s.tickets.Get(ctx, by, number)
	if err != nil {
		return Related{}, err
	}
	desc := []rune(t.Description)
	text := t.Title + "\n" + string(desc[:min(len(desc), 300)])
	var out Related
	if out.Tickets, err = s.search.Related(ctx, by, search.KindTicket, text, t.ID, SuggestLimit); err != nil && !apperr.Is(err, "search.query_empty") {
		return Related{}, err
	}
	if out.Articles, err = s.search.Related(ctx, by, search.KindArticle, text, 0, SuggestLimit); err != nil && !apperr.Is(err, "search.query_empty") {
		return Related{}, err
	}
	return out, nil
}
