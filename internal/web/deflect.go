package web

import (
	"net/http"
	"strconv"

	"helpdesk/internal/apperr"
)

// shownSuggestions is how many suggested articles the form shows: the
// best few, so the suggestions do not push the form off the screen.
const shownSuggestions = 3

// suggestData is the new-ticket form's list of articles that may answer
// the question being typed.
type suggestData struct {
	Hits     []hit
	Category string
}

// suggest answers the new-ticket form's script with the articles that
// best match the title and description typed so far (an HTML fragment;
// empty when nothing matches).
func (w *Web) suggest(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := w.newPage(rw, r, "web.deflect.title", "portal_new", nil)
	d := &suggestData{Category: q.Get("category")}
	p.Data = d
	if w.d.KB != nil {
		rs, err := w.d.KB.Suggest(r.Context(), by, limitRunes(q.Get("title"), 200), limitRunes(q.Get("description"), 4000))
		switch {
		case err == nil:
			d.Hits = hitsOf(rs[:min(len(rs), shownSuggestions)])
		case kindOf(err) == apperr.Internal:
			// Suggestions are a comfort: the form works without them.
			w.log.ErrorContext(r.Context(), "suggest", "err", err)
		}
	}
	w.renderPart(rw, r, "deflect.html", "suggestions", p)
}

// limitRunes cuts s to at most n characters.
func limitRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// deflectData is the page that tells a customer no ticket is needed.
type deflectData struct {
	ArticleID int64
}

// deflect records that an article solved the customer's problem, so no
// ticket is needed (the same knowledge base method as POST /api/v1/kb/suggest).
func (w *Web) deflect(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	if w.d.KB == nil {
		w.notFound(rw, r)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("article_id"), 10, 64)
	if err != nil || id < 1 {
		w.fail(rw, r, apperr.NotFoundf("kb.not_found", "article %q", r.PostFormValue("article_id")))
		return
	}
	if _, err := w.d.KB.Deflect(r.Context(), by, id, r.PostFormValue("category")); err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "web.deflect.done_title", "portal_new", &deflectData{ArticleID: id})
	if r.PostFormValue("part") != "" {
		w.renderPart(rw, r, "deflect.html", "deflected", p)
		return
	}
	w.render(rw, r, http.StatusOK, "deflect.html", p)
}
