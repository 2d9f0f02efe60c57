package web

import (
	"html/template"
	"net/http"
	"strconv"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
)

// kbPages are the knowledge base's workspace pages (kb_articles.go,
// kb_review.go), the agent's assistance on a ticket (assist.go) and the
// console's macros and suggestion model (admin_macros.go, admin_assist.go).
// md renders article Markdown through the kb package's sanitizer: the only
// source of the template.HTML these pages show.
type kbPages struct {
	*Web
	md *kb.Renderer
}

// registerKB registers the knowledge-base workspace (articles, review,
// versions) and the agent's assistance. Without a knowledge base service
// (tests that need none) there are no such pages.
func (w *Web) registerKB() {
	if w.d.KB == nil {
		return
	}
	k := &kbPages{Web: w, md: kb.NewRenderer()}
	m := w.mux
	m.HandleFunc("GET /desk/kb", k.list)
	m.HandleFunc("GET /desk/kb/new", k.newForm)
	m.HandleFunc("POST /desk/kb", k.create)
	m.HandleFunc("GET /desk/kb/{id}", k.article)
	m.HandleFunc("GET /desk/kb/{id}/edit", k.editForm)
	m.HandleFunc("POST /desk/kb/{id}", k.update)
	m.HandleFunc("POST /desk/kb/{id}/attach", k.attach)
	m.HandleFunc("GET /desk/kb/{id}/a/{aid}", k.download)
	m.HandleFunc("POST /desk/kb/{id}/submit", k.submit)
	m.HandleFunc("POST /desk/kb/{id}/approve", k.approve)
	m.HandleFunc("POST /desk/kb/{id}/reject", k.reject)
	m.HandleFunc("POST /desk/kb/{id}/archive", k.archive)
	m.HandleFunc("POST /desk/kb/{id}/maskings/{seq}/confirm", k.confirmMasking)
	m.HandleFunc("GET /desk/kb/{id}/versions", k.versions)
	m.HandleFunc("POST /desk/kb/{id}/restore", k.restore)
	m.HandleFunc("POST /t/{number}/kb-draft", k.fromTicket)
	m.HandleFunc("POST /t/{number}/macro", k.applyMacro)
	m.HandleFunc("GET /admin/macros", k.adminMacros)
	m.HandleFunc("GET /admin/macros/new", k.adminMacro)
	m.HandleFunc("GET /admin/macros/{id}", k.adminMacro)
	m.HandleFunc("POST /admin/macros", k.adminSaveMacro)
	m.HandleFunc("POST /admin/macros/{id}/delete", k.adminDeleteMacro)
	m.HandleFunc("GET /admin/assist", k.adminAssist)
	m.HandleFunc("POST /admin/assist/retrain", k.adminRetrain)
	m.HandleFunc("POST /admin/assist/threshold", k.adminThreshold)
}

// html renders an article's Markdown, sanitized by the kb renderer.
func (k *kbPages) html(markdown string) template.HTML { return articleHTML(k.md, markdown) }

// articleHTML renders an article's Markdown through md, which sanitizes it:
// the one place the knowledge base and help center pages turn text into
// template.HTML.
func articleHTML(md *kb.Renderer, markdown string) template.HTML {
	return template.HTML(md.HTML(markdown)) // #nosec: sanitized by bluemonday in kb.Renderer
}

// articleID reads the {id} of an article address; a malformed one is an
// unknown article.
func articleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("kb.not_found", "article %q", r.PathValue("id"))
	}
	return id, nil
}

// staffArticle is staff for the pages of one article: the actor and the
// article's id, or false when the error page has been sent.
func (k *kbPages) staffArticle(rw http.ResponseWriter, r *http.Request) (identity.Actor, int64, bool) {
	by, ok := k.staff(rw, r)
	if !ok {
		return by, 0, false
	}
	id, err := articleID(r)
	if err != nil {
		k.fail(rw, r, err)
		return by, 0, false
	}
	return by, id, true
}

// articlePath is an article's page.
func articlePath(id int64) string { return "/desk/kb/" + strconv.FormatInt(id, 10) }

// kbStep answers an article action: refusals about who may act get the
// error page; anything else (state, missing comment, unconfirmed
// maskings, self-review) returns to the article with the message.
func (k *kbPages) kbStep(rw http.ResponseWriter, r *http.Request, id int64, okKey string, err error) {
	if err != nil {
		switch kindOf(err) {
		case apperr.Forbidden, apperr.NotFound, apperr.Unauthenticated, apperr.Internal:
			if !apperr.Is(err, "kb.self_review") {
				k.fail(rw, r, err)
				return
			}
		}
		e, _ := apperr.As(err)
		args := e.Args()
		lang := reqOf(r).Lang
		if st, ok := args["state"].(string); ok && i18n.Has(lang, "web.kb.state."+st) {
			args["state"] = i18n.T(lang, "web.kb.state."+st, nil) // "（待审核）", not "（in_review）"
		}
		setFlashParams(rw, "error", e.Code, args)
		redirect(rw, r, articlePath(id))
		return
	}
	setFlash(rw, "ok", okKey)
	redirect(rw, r, articlePath(id))
}
