package kb

import (
	"context"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/mask"
	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

// Tickets is what the knowledge base needs of the ticket service; every
// call checks the actor may see the ticket.
type Tickets interface {
	Get(ctx context.Context, by identity.Actor, number string) (ticket.Ticket, error)
	Messages(ctx context.Context, by identity.Actor, number string) ([]ticket.Message, error)
}

// Searcher finds related documents (see search.Service.Related).
type Searcher interface {
	Related(ctx context.Context, by identity.Actor, kind search.Kind, text string, exclude int64, limit int) ([]search.Result, error)
}

// Headings are the section titles of a draft made from a ticket, in the
// caller's language.
type Headings struct {
	Problem    string
	Resolution string
}

// FromTicket makes a draft article from a ticket: its title, the problem
// (description and the customer's public messages) and the resolution (the
// staff's public replies); internal notes are never read. Personal data is
// masked before the draft is saved — phone numbers, emails, 身份证 and bank
// card numbers, IP addresses, the names of the requester, of the customers
// who wrote and of the organization — and each masking is listed for the
// reviewer to confirm. Staff who may see the ticket only. people adds
// further names to mask.
//
// A ticket has at most one open draft: when one made from it is still in
// draft or in review, that one is returned (Existing) instead of a second
// copy for reviewers to reconcile; once it is published or archived, a new
// draft can be made (the ticket may have taught something new since).
func (s *Service) FromTicket(ctx context.Context, by identity.Actor, number string, h Headings, people mask.People) (Drafted, error) {
	if !isStaff(by) {
		return Drafted{}, errForbidden()
	}
	t, err := s.tickets.Get(ctx, by, number)
	if err != nil {
		return Drafted{}, err
	}
	open, ok, err := s.openDraft(ctx, t.ID)
	if err != nil {
		return Drafted{}, err
	}
	if ok {
		ms, err := s.store.Maskings(ctx, open.ID)
		return Drafted{Article: open, Maskings: ms, Existing: true}, err
	}
	msgs, err := s.tickets.Messages(ctx, by, number)
	if err != nil {
		return Drafted{}, err
	}
	problem := []string{strings.TrimSpace(t.Description)}
	var resolution []string
	people.Orgs = append(people.Orgs, t.OrgName)
	people.Names = append(people.Names, t.Requester)
	if s.users != nil {
		if u, err := s.users.UserByLogin(ctx, identity.System, t.Requester); err == nil {
			people.Names = append(people.Names, u.Name)
		}
	}
	for _, m := range msgs {
		if m.Internal {
			continue // internal notes never leave the desk
		}
		body := strings.TrimSpace(m.Body)
		if body == "" {
			continue
		}
		if m.AuthorRole == string(identity.RoleCustomer) {
			problem = append(problem, body)
			people.Names = append(people.Names, m.AuthorName, m.Author)
		} else {
			resolution = append(resolution, body)
		}
	}
	var b strings.Builder
	b.WriteString(t.Title + "\n")
	b.WriteString("## " + h.Problem + "\n\n" + strings.Join(problem, "\n\n") + "\n\n")
	b.WriteString("## " + h.Resolution + "\n\n" + strings.Join(resolution, "\n\n") + "\n")
	masked, found := mask.PII(b.String(), people)
	title, body, _ := strings.Cut(masked, "\n")
	if len([]rune(title)) > MaxTitleLen {
		title = string([]rune(title)[:MaxTitleLen])
	}
	var ms []Masking
	seen := map[string]bool{}
	for _, f := range found {
		if seen[f.Replacement] {
			continue // one confirmation per distinct value
		}
		seen[f.Replacement] = true
		ms = append(ms, Masking{Seq: len(ms) + 1, Kind: string(f.Kind), Hint: f.Hint, Replacement: f.Replacement})
	}
	now := s.now().UTC()
	a := Article{Title: strings.TrimSpace(title), Body: body, CategoryID: t.CategoryID, CategoryKey: t.CategoryKey,
		Audience: AudienceInternal, Lang: "zh-CN", State: StateDraft, Version: 1, AuthorID: by.UserID,
		SourceTicketID: t.ID, CreatedAt: now, UpdatedAt: now}
	if by.Lang == "en" {
		a.Lang = "en"
	}
	if a.Title == "" {
		return Drafted{}, apperr.FieldError("field.required", "title", nil)
	}
	a, err = s.store.CreateArticle(ctx, a, Review{Version: 1, ActorID: by.UserID, Action: ActCreate,
		Comment: t.Number, CreatedAt: now}, ms)
	return Drafted{Article: a, Maskings: ms}, err
}

// Drafted is what FromTicket made or found.
type Drafted struct {
	Article  Article
	Maskings []Masking
	// Existing: the ticket's open draft, made earlier, not a new one.
	Existing bool
}

// OpenDraft finds the ticket's open draft (made from it, in draft or in
// review), so that the ticket page offers to open it rather than to draft
// again. Staff who may see the ticket only.
func (s *Service) OpenDraft(ctx context.Context, by identity.Actor, number string) (Article, bool, error) {
	if !isStaff(by) {
		return Article{}, false, errForbidden()
	}
	t, err := s.tickets.Get(ctx, by, number)
	if err != nil {
		return Article{}, false, err
	}
	return s.openDraft(ctx, t.ID)
}

func (s *Service) openDraft(ctx context.Context, ticketID int64) (Article, bool, error) {
	open, err := s.store.ListArticles(ctx, ListQuery{SourceTicketID: ticketID, States: []State{StateDraft, StateInReview}, Limit: 1})
	if err != nil || len(open) == 0 {
		return Article{}, false, err
	}
	return open[0], true, nil
}
