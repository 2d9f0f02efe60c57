package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

// help is the public help center: published articles, browsed by category
// or searched, readable without signing in; a signed-in reader also sees
// the articles for their audience (the knowledge base decides which).
type help struct {
	w  *Web
	md *kb.Renderer
}

// votedCookie remembers which articles this browser answered "was this
// helpful?" for, so a visitor is thanked instead of asked again.
const votedCookie = "helpdesk_voted"

// maxVoted bounds the remembered articles (the oldest are forgotten).
const maxVoted = 50

// helpData is the help center's front page: categories, and either the
// newest articles or one page of search results.
type helpData struct {
	Q        string
	Category string
	// Lang is the articles' language filter ("" for all).
	Lang     string
	AllLangs bool
	Cats     []ticket.Category
	Articles []kb.Article
	Searched bool
	Hits     []hit
	Total    int
	Page     int
	Prev     string
	Next     string
}

// visitor is who reads the help center: the signed-in user, or nobody.
func visitor(r *http.Request) identity.Actor {
	if a := reqOf(r).Actor; a != nil {
		return *a
	}
	return identity.Actor{}
}

func (h *help) home(rw http.ResponseWriter, r *http.Request) {
	w, ctx, q := h.w, r.Context(), r.URL.Query()
	if w.d.KB == nil {
		w.notFound(rw, r)
		return
	}
	by := visitor(r)
	p := w.newPage(rw, r, "web.help.title", "help", nil)
	d := helpData{Q: q.Get("q"), Category: q.Get("category"), Lang: string(p.Lang)}
	if q.Get("lang") == "all" {
		d.Lang, d.AllLangs = "", true
	}
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d.Cats = cats
	p.Data, p.Form = &d, q
	status := http.StatusOK
	if _, asked := q["q"]; asked && w.d.Search != nil {
		d.Searched = true
		in, err := searchInput(url.Values{"q": {d.Q}, "category": {d.Category}, "page": q["page"]}, p)
		in.Kind, in.Lang, in.PageSize = string(search.KindArticle), d.Lang, 10
		var res search.Results
		if err == nil {
			res, err = w.d.Search.Search(ctx, by, in)
		}
		if err != nil {
			if kindOf(err) == apperr.Internal {
				w.fail(rw, r, err)
				return
			}
			status, p.Errors = statusOf(kindOf(err)), errorsOf(p.Lang, err)
		} else {
			d.Hits, d.Total, d.Page = hitsOf(res.Results), res.Total, res.Page
			d.Prev, d.Next = pageLinks("/help", q, res.Page, max(1, (res.Total+res.PageSize-1)/res.PageSize))
		}
	} else {
		d.Articles, err = w.d.KB.List(ctx, by, kb.ListInput{States: []string{string(kb.StatePublished)}, Category: d.Category,
			Lang: d.Lang, Limit: 50})
		if err != nil {
			if kindOf(err) == apperr.Internal {
				w.fail(rw, r, err)
				return
			}
			status, p.Errors = statusOf(kindOf(err)), errorsOf(p.Lang, err)
		}
	}
	w.render(rw, r, status, "help.html", p)
}

// articleData is an article page.
type articleData struct {
	Article  kb.Article
	Body     template.HTML
	Category string
	Voted    bool
	// Deflect offers "this solved my problem" to a customer who opened
	// the article from the new-ticket form; Cat is the category they chose.
	Deflect bool
	Cat     string
}

func (h *help) article(rw http.ResponseWriter, r *http.Request) {
	w, ctx := h.w, r.Context()
	if w.d.KB == nil {
		w.notFound(rw, r)
		return
	}
	id, err := articleID(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	by := visitor(r)
	a, err := w.d.KB.Get(ctx, by, id)
	if err == nil && a.State != kb.StatePublished {
		// Staff may read drafts in the knowledge base; the help center
		// shows what is published.
		err = apperr.NotFoundf("kb.not_found", "article %d", id)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "web.help.title", "help", nil)
	p.Title = a.Title
	d := articleData{Article: a, Body: articleHTML(h.md, a.Body), Voted: voted(r, id),
		Deflect: r.URL.Query().Get("from") == "new" && by.Role == identity.RoleCustomer, Cat: r.URL.Query().Get("category")}
	if a.CategoryKey != "" {
		if cats, err := w.d.Tickets.Categories(ctx, by); err == nil {
			d.Category = categoryNames(p, cats)[a.CategoryKey]
		}
	}
	p.Data = &d
	w.render(rw, r, http.StatusOK, "help_article.html", p)
}

// feedback records "was this helpful?". Anyone who may read the article
// may answer; the service replaces a signed-in reader's earlier answer,
// and this browser's cookie keeps an anonymous visitor from counting twice.
func (h *help) feedback(rw http.ResponseWriter, r *http.Request) {
	w := h.w
	if w.d.KB == nil {
		w.notFound(rw, r)
		return
	}
	id, err := articleID(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	back := "/help/articles/" + strconv.FormatInt(id, 10) + "#feedback"
	by := visitor(r)
	if by.UserID == 0 && voted(r, id) {
		setFlash(rw, "ok", "web.help.thanks")
		http.Redirect(rw, r, back, http.StatusSeeOther)
		return
	}
	if _, err := w.d.KB.Feedback(r.Context(), by, id, r.PostFormValue("helpful") == "yes", clientIP(r)); err != nil {
		if kindOf(err) == apperr.Internal || kindOf(err) == apperr.NotFound {
			w.fail(rw, r, err)
			return
		}
		flashErr(rw, reqOf(r).Lang, err)
		http.Redirect(rw, r, back, http.StatusSeeOther)
		return
	}
	remember(rw, r, id)
	setFlash(rw, "ok", "web.help.thanks")
	http.Redirect(rw, r, back, http.StatusSeeOther)
}

// votedIDs reads the articles this browser answered for.
func votedIDs(r *http.Request) []string {
	c, err := r.Cookie(votedCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	return strings.Split(c.Value, ".")
}

func voted(r *http.Request, id int64) bool {
	return slices.Contains(votedIDs(r), strconv.FormatInt(id, 10))
}

// remember adds an article to this browser's answered list.
func remember(rw http.ResponseWriter, r *http.Request, id int64) {
	ids := append(votedIDs(r), strconv.FormatInt(id, 10))
	if len(ids) > maxVoted {
		ids = ids[len(ids)-maxVoted:]
	}
	http.SetCookie(rw, &http.Cookie{Name: votedCookie, Value: strings.Join(ids, "."), Path: "/help/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: secure(r), MaxAge: 365 * 24 * 3600})
}

// LangName names an article's language in the page's language.
func (p *page) LangName(lang string) string {
	if l, ok := i18n.Parse(lang); ok {
		return p.T("web.help.lang." + string(l))
	}
	return lang
}
