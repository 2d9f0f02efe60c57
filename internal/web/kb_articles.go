package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/ticket"
)

// kbStates are the list's state filters, in workflow order.
var kbStates = []kb.State{kb.StateDraft, kb.StateInReview, kb.StatePublished, kb.StateArchived}

// kbListData is the article list.
type kbListData struct {
	Articles []kb.Article
	States   []kb.State
	Cats     []ticket.Category
	CatNames map[string]string
	// The filters as asked: state, category, language, title words.
	State, Category, Lang, Q string
	// Next is the id to page from ("" on the last page).
	Next string
}

// Query is the filters as a query string, for the next page's link.
func (d *kbListData) Query() string { return d.QueryState(d.State) }

// QueryState is the filters with another state, for the state tabs.
func (d *kbListData) QueryState(state string) string {
	v := url.Values{}
	for k, x := range map[string]string{"state": state, "category": d.Category, "lang": d.Lang, "q": d.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// kbListPage is how many articles one page of the list shows.
const kbListPage = 50

// list shows the articles, newest first, filtered by state, category,
// language and title words by the service.
func (k *kbPages) list(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.staff(rw, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &kbListData{States: kbStates, State: q.Get("state"), Category: q.Get("category"), Lang: q.Get("lang"),
		Q: strings.TrimSpace(q.Get("q"))}
	in := kb.ListInput{Category: d.Category, Lang: d.Lang, Title: d.Q, Limit: kbListPage}
	if d.State != "" {
		in.States = []string{d.State}
	}
	in.AfterID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := k.d.KB.List(ctxOf(r), by, in)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	if len(list) == kbListPage {
		d.Next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	d.Articles = list
	if d.Cats, err = k.d.Tickets.Categories(ctxOf(r), by); err != nil {
		k.fail(rw, r, err)
		return
	}
	p := k.newPage(rw, r, "web.kb.title", "kb", d)
	d.CatNames = categoryNames(p, d.Cats)
	k.render(rw, r, http.StatusOK, "kb_list.html", p)
}

// kbFormData is the new / edit article form.
type kbFormData struct {
	ID      int64
	Version int
	IsNew   bool
	// Values are the form's fields (the article's, or as submitted).
	Title, Category, Tags, Audience, Lang, Body, Note string
	Cats                                              []ticket.Category
	Audiences                                         []kb.Audience
	Languages                                         []string
	// Preview is the body rendered, when the writer asked for a preview.
	Preview template.HTML
	// Published: saving sends the article back to draft and review.
	Published bool
	// Conflict: someone saved the article since this form was loaded.
	Conflict bool
}

func formOfArticle(a kb.Article) *kbFormData {
	return &kbFormData{ID: a.ID, Version: a.Version, Title: a.Title, Category: a.CategoryKey, Tags: strings.Join(a.Tags, ", "),
		Audience: string(a.Audience), Lang: a.Lang, Body: a.Body, Published: a.State == kb.StatePublished}
}

func formOfRequest(r *http.Request) *kbFormData {
	f := r.PostForm
	v, _ := strconv.Atoi(f.Get("version"))
	return &kbFormData{Version: v, Title: f.Get("title"), Category: f.Get("category"), Tags: f.Get("tags"),
		Audience: f.Get("audience"), Lang: f.Get("lang"), Body: lf(f.Get("body")), Note: f.Get("note"),
		Published: f.Get("published") != ""}
}

// lf undoes the CRLF line ends browsers submit a textarea with, so a
// version saved from the form diffs line by line against one saved by the API.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// draft is the submitted form as the service takes it: tags are comma
// separated (half- or full-width commas).
func (f *kbFormData) draft() kb.Draft {
	var tags []string
	for _, t := range strings.FieldsFunc(f.Tags, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return kb.Draft{Title: f.Title, Body: f.Body, Category: f.Category, Tags: tags, Audience: f.Audience, Lang: f.Lang}
}

// renderForm shows the article form, with a failed save's errors or a preview.
func (k *kbPages) renderForm(rw http.ResponseWriter, r *http.Request, by identity.Actor, d *kbFormData, status int, formErr error) {
	cats, err := k.d.Tickets.Categories(ctxOf(r), by)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	d.Cats, d.Audiences, d.Languages = cats, kb.Audiences, kb.Languages
	title := "web.kb.edit_title"
	if d.IsNew {
		title = "web.kb.new_title"
	}
	p := k.newPage(rw, r, title, "kb", d)
	if formErr != nil {
		p.Errors = errorsOf(p.Lang, formErr, labelsOf(p, map[string]string{"title": "web.kb.f_title", "body": "web.kb.f_body",
			"category": "web.kb.f_category", "tags": "web.kb.f_tags", "audience": "web.kb.f_audience", "lang": "web.kb.f_lang",
			"comment": "web.kb.f_note"}))
	}
	k.render(rw, r, status, "kb_edit.html", p)
}

func (k *kbPages) newForm(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.staff(rw, r)
	if !ok {
		return
	}
	lang := string(reqOf(r).Lang)
	k.renderForm(rw, r, by, &kbFormData{IsNew: true, Audience: string(kb.AudienceInternal), Lang: lang}, http.StatusOK, nil)
}

// create saves a new draft, or shows the preview when asked for one.
func (k *kbPages) create(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.staff(rw, r)
	if !ok {
		return
	}
	f := formOfRequest(r)
	f.IsNew = true
	if r.PostFormValue("preview") != "" {
		f.Preview = k.html(f.Body)
		k.renderForm(rw, r, by, f, http.StatusOK, nil)
		return
	}
	a, err := k.d.KB.Create(ctxOf(r), by, f.draft())
	if err != nil {
		k.formFailed(rw, r, by, f, err)
		return
	}
	setFlash(rw, "ok", "web.kb.saved")
	redirect(rw, r, articlePath(a.ID))
}

// formFailed re-renders the form after the service refused it (a
// refusal about who may act gets the error page).
func (k *kbPages) formFailed(rw http.ResponseWriter, r *http.Request, by identity.Actor, f *kbFormData, err error) {
	st := statusOf(kindOf(err))
	if st == http.StatusForbidden || st == http.StatusNotFound || st >= 500 {
		k.fail(rw, r, err)
		return
	}
	f.Conflict = apperr.Is(err, "kb.conflict")
	k.renderForm(rw, r, by, f, st, err)
}

func (k *kbPages) editForm(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	a, err := k.d.KB.Get(ctxOf(r), by, id)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	k.renderForm(rw, r, by, formOfArticle(a), http.StatusOK, nil)
}

// update saves the form as a new version; the version the form was
// loaded at guards against a change made meanwhile (kb.conflict).
func (k *kbPages) update(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	f := formOfRequest(r)
	f.ID = id
	if r.PostFormValue("preview") != "" {
		f.Preview = k.html(f.Body)
		k.renderForm(rw, r, by, f, http.StatusOK, nil)
		return
	}
	if _, err := k.d.KB.Update(ctxOf(r), by, id, f.Version, f.draft(), f.Note); err != nil {
		k.formFailed(rw, r, by, f, err)
		return
	}
	setFlash(rw, "ok", "web.kb.saved")
	redirect(rw, r, articlePath(id))
}

// attach adds a file to an article.
func (k *kbPages) attach(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		k.kbStep(rw, r, id, "", apperr.FieldError("field.required", "file", nil))
		return
	}
	defer file.Close()
	_, err = k.d.KB.AddAttachment(ctxOf(r), by, id, hdr.Filename, file)
	k.kbStep(rw, r, id, "web.kb.attached", err)
}

// download streams an article's file with the ticket downloads' headers (serveFile).
func (k *kbPages) download(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	aid, _ := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	a, f, err := k.d.KB.OpenAttachment(ctxOf(r), by, id, aid)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	defer f.Close()
	serveFile(rw, r, a.ContentType, a.Filename, a.CreatedAt, f)
}
