package web

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

// registerSearch registers the search pages of the portal and the workspace
// and the public help center.
func (w *Web) registerSearch() {
	w.mux.HandleFunc("GET /desk/search", w.deskSearch)
	w.mux.HandleFunc("GET /portal/search", w.portalSearch)
	h := &help{w: w, md: kb.NewRenderer()}
	w.mux.HandleFunc("GET /help", h.home)
	w.mux.HandleFunc("GET /help/articles/{id}", h.article)
	w.mux.HandleFunc("POST /help/articles/{id}/feedback", h.feedback)
	w.mux.HandleFunc("GET /portal/suggest", w.suggest)
	w.mux.HandleFunc("POST /portal/deflect", w.deflect)
}

// searchPageSize is how many results a search page lists.
const searchPageSize = 20

// searchData is a search page: the query, its filters and one page of
// highlighted results.
type searchData struct {
	// Action is the page's own address (/desk/search or /portal/search).
	Action   string
	Staff    bool
	Q        string
	Kind     string
	Kinds    []string
	Status   string
	Category string
	Group    string
	From, To string
	Statuses []ticket.Status
	Cats     []ticket.Category
	Groups   []identity.Group
	// Searched says a query was run (results or an error are shown).
	Searched bool
	Hits     []hit
	Total    int
	Capped   bool
	Page     int
	Pages    int
	Prev     string
	Next     string
}

// hit is one search result as a page shows it: title and snippet split
// into plain and highlighted runs (rendered with <mark>, escaped).
type hit struct {
	search.Result
	URL     string
	TitleM  []markPart
	Snippet []markPart
}

// markPart is a run of text, highlighted or not.
type markPart struct {
	Text string
	Hit  bool
}

// marks splits the service's highlighted HTML (escaped text, matches in
// <mark>) back into runs of plain text, so the template escapes them
// again: nothing in an indexed text can become markup on the page.
func marks(s string) []markPart {
	var out []markPart
	for s != "" {
		i := strings.Index(s, "<mark>")
		if i < 0 {
			out = append(out, markPart{Text: html.UnescapeString(s)})
			break
		}
		if i > 0 {
			out = append(out, markPart{Text: html.UnescapeString(s[:i])})
		}
		s = s[i+len("<mark>"):]
		j := strings.Index(s, "</mark>")
		if j < 0 {
			j = len(s)
		}
		out = append(out, markPart{Text: html.UnescapeString(s[:j]), Hit: true})
		s = s[min(len(s), j+len("</mark>")):]
	}
	return out
}

// markdownMarks drops the Markdown emphasis and code marks from an
// article's snippet (the snippet is cut from the Markdown source).
var markdownMarks = strings.NewReplacer("**", "", "__", "", "`", "")

// hitsOf prepares results for a page.
func hitsOf(rs []search.Result) []hit {
	out := make([]hit, 0, len(rs))
	for _, r := range rs {
		h := hit{Result: r, TitleM: marks(r.TitleHTML), Snippet: marks(r.Snippet)}
		switch r.Kind {
		case search.KindArticle:
			h.URL = "/help/articles/" + strconv.FormatInt(r.ID, 10)
			for i := range h.Snippet {
				h.Snippet[i].Text = markdownMarks.Replace(h.Snippet[i].Text)
			}
		case search.KindMessage:
			h.URL = "/t/" + url.PathEscape(r.Number) + "#m" + strconv.FormatInt(r.ID, 10)
		default:
			h.URL = "/t/" + url.PathEscape(r.Number)
		}
		out = append(out, h)
	}
	return out
}

// deskSearch is the workspace's search: tickets, messages (notes too) and
// articles, with the ticket filters.
func (w *Web) deskSearch(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	w.searchPage(rw, r, by, "/desk/search", "desk_search")
}

// portalSearch is the customer's search: their own tickets, the public
// messages on them, and the articles for customers.
func (w *Web) portalSearch(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	if by.Role.Staff() {
		http.Redirect(rw, r, "/desk/search?"+r.URL.RawQuery, http.StatusSeeOther)
		return
	}
	w.searchPage(rw, r, by, "/portal/search", "portal_search")
}

func (w *Web) searchPage(rw http.ResponseWriter, r *http.Request, by identity.Actor, action, nav string) {
	ctx := r.Context()
	q := r.URL.Query()
	p := w.newPage(rw, r, "web.search.title", nav, nil)
	d := searchData{Action: action, Staff: by.Role.Staff(), Q: q.Get("q"), Kind: q.Get("kind"), Status: q.Get("status"),
		Category: q.Get("category"), Group: q.Get("group"), From: q.Get("from"), To: q.Get("to"),
		Kinds: []string{string(search.KindTicket), string(search.KindMessage), string(search.KindArticle)}, Statuses: ticket.Statuses}
	if d.Kind == "" {
		d.Kind = string(search.KindTicket)
	}
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Cats = cats
	if d.Staff {
		if d.Groups, err = w.d.Identity.Groups(ctx, by); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	p.Data, p.Form = &d, q
	status := http.StatusOK
	if _, asked := q["q"]; asked && w.d.Search != nil {
		d.Searched = true
		in, err := searchInput(q, p)
		if err == nil {
			var res search.Results
			res, err = w.d.Search.Search(ctx, by, in)
			if err == nil {
				d.Hits, d.Total, d.Capped, d.Page = hitsOf(res.Results), res.Total, res.Capped, res.Page
				d.Pages = max(1, (res.Total+res.PageSize-1)/res.PageSize)
				d.Prev, d.Next = pageLinks(action, q, d.Page, d.Pages)
			}
		}
		if err != nil {
			if k := kindOf(err); k == apperr.Internal {
				w.fail(rw, r, err)
				return
			}
			status = statusOf(kindOf(err))
			p.Errors = errorsOf(p.Lang, err)
		}
	}
	w.render(rw, r, status, "search.html", p)
}

// searchInput decodes the page's query string; the dates are days in the
// visitor's time zone, the "to" day included.
func searchInput(q url.Values, p *page) (search.Input, error) {
	in := search.Input{Q: q.Get("q"), Kind: q.Get("kind"), Category: q.Get("category"), Group: q.Get("group"), PageSize: searchPageSize}
	if v := q.Get("status"); v != "" {
		in.Statuses = []string{v}
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return in, apperr.FieldError("search.page_invalid", "page", nil)
		}
		in.Page = n
	}
	var m apperr.Multi
	for _, f := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"from", &in.From, false}, {"to", &in.To, true}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := dayBound(v, p.Loc, f.end)
		if err != nil {
			m.Add(apperr.FieldError("web.search.date_invalid", f.name, nil))
			continue
		}
		*f.dst = t
	}
	return in, m.Err()
}

// pageLinks are the previous and next pages' addresses (empty at the ends).
func pageLinks(action string, q url.Values, page, pages int) (prev, next string) {
	at := func(n int) string {
		v := cloneValues(q)
		v.Set("page", strconv.Itoa(n))
		return action + "?" + v.Encode()
	}
	if page > 1 {
		prev = at(page - 1)
	}
	if page < pages {
		next = at(page + 1)
	}
	return prev, next
}
