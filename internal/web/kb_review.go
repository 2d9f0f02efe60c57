package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/mask"
)

// kbArticleData is an article's workspace page: the rendered body, the
// personal data masked in it, the review trail and what the viewer may do.
type kbArticleData struct {
	A        kb.Article
	HTML     template.HTML
	Category string
	Maskings []maskingView
	// Unconfirmed counts the maskings still to confirm before publishing.
	Unconfirmed int
	Reviews     []kb.Review
	// SentBack is the latest review when it sent the article back.
	SentBack    *kb.Review
	Attachments []kb.Attachment
	// Buttons offered (the service decides again).
	CanEdit, CanSubmit, CanReview, CanArchive, CanRestore, CanConfirm bool
	// SourceTicket is the number of the ticket the draft came from.
	SourceTicket string
}

// maskingView is one masking with where it stands in the draft.
type maskingView struct {
	kb.Masking
	// Line is the body line the replacement first appears on (0: not in
	// the body any more); Before and After are the text around it.
	Line          int
	Before, After string
}

// maskingsIn locates each masking's replacement in the body, so the
// reviewer sees it in context.
func maskingsIn(body string, ms []kb.Masking) []maskingView {
	lines := strings.Split(body, "\n")
	out := make([]maskingView, 0, len(ms))
	for _, m := range ms {
		v := maskingView{Masking: m}
		for i, l := range lines {
			if j := strings.Index(l, m.Replacement); j >= 0 {
				v.Line = i + 1
				before, after := []rune(l[:j]), []rune(l[j+len(m.Replacement):])
				v.Before = string(before[max(0, len(before)-24):])
				v.After = string(after[:min(len(after), 24)])
				break
			}
		}
		out = append(out, v)
	}
	return out
}

func (k *kbPages) article(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	ctx := ctxOf(r)
	a, err := k.d.KB.Get(ctx, by, id)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	d := &kbArticleData{A: a, HTML: k.html(a.Body)}
	ms, err := k.d.KB.Maskings(ctx, by, id)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	d.Maskings = maskingsIn(a.Body, ms)
	for _, m := range ms {
		if !m.Confirmed {
			d.Unconfirmed++
		}
	}
	if d.Reviews, err = k.d.KB.Reviews(ctx, by, id); err != nil {
		k.fail(rw, r, err)
		return
	}
	if n := len(d.Reviews); n > 0 && d.Reviews[n-1].Action == kb.ActReject && a.State == kb.StateDraft {
		d.SentBack = &d.Reviews[n-1]
	}
	if d.Attachments, err = k.d.KB.Attachments(ctx, by, id); err != nil {
		k.fail(rw, r, err)
		return
	}
	for _, rv := range d.Reviews {
		if rv.Action == kb.ActCreate && a.SourceTicketID != 0 {
			d.SourceTicket = rv.Comment // the draft's first entry names its ticket
		}
	}
	reviewer := kb.CanReview(by) // which buttons to offer; the service decides again
	d.CanEdit = a.State == kb.StateDraft || a.State == kb.StatePublished
	d.CanSubmit = a.State == kb.StateDraft
	d.CanReview = reviewer && a.State == kb.StateInReview
	d.CanArchive = reviewer && (a.State == kb.StatePublished || a.State == kb.StateDraft)
	d.CanRestore = a.State != kb.StateInReview
	d.CanConfirm = reviewer && a.State != kb.StateArchived
	p := k.newPage(rw, r, "web.kb.title", "kb", d)
	p.Title = a.Title
	cats, err := k.d.Tickets.Categories(ctx, by)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	d.Category = categoryNames(p, cats)[a.CategoryKey]
	k.render(rw, r, http.StatusOK, "kb_article.html", p)
}

// step reads the article id and runs one workflow action.
func (k *kbPages) step(rw http.ResponseWriter, r *http.Request, okKey string, fn func(by identity.Actor, id int64) error) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	k.kbStep(rw, r, id, okKey, fn(by, id))
}

func (k *kbPages) submit(rw http.ResponseWriter, r *http.Request) {
	k.step(rw, r, "web.kb.submitted", func(by identity.Actor, id int64) error {
		_, err := k.d.KB.Submit(ctxOf(r), by, id, r.PostFormValue("comment"))
		return err
	})
}

// approve publishes an article in review.
func (k *kbPages) approve(rw http.ResponseWriter, r *http.Request) {
	k.step(rw, r, "web.kb.published", func(by identity.Actor, id int64) error {
		_, err := k.d.KB.Approve(ctxOf(r), by, id, r.PostFormValue("comment"))
		return err
	})
}

// reject sends an article back to its writer with a required comment.
func (k *kbPages) reject(rw http.ResponseWriter, r *http.Request) {
	k.step(rw, r, "web.kb.sent_back", func(by identity.Actor, id int64) error {
		_, err := k.d.KB.Reject(ctxOf(r), by, id, r.PostFormValue("comment"))
		return err
	})
}

func (k *kbPages) archive(rw http.ResponseWriter, r *http.Request) {
	k.step(rw, r, "web.kb.archived", func(by identity.Actor, id int64) error {
		_, err := k.d.KB.Archive(ctxOf(r), by, id, r.PostFormValue("comment"))
		return err
	})
}

func (k *kbPages) confirmMasking(rw http.ResponseWriter, r *http.Request) {
	seq, _ := strconv.Atoi(r.PathValue("seq"))
	k.step(rw, r, "web.kb.masking_confirmed", func(by identity.Actor, id int64) error {
		return k.d.KB.ConfirmMasking(ctxOf(r), by, id, seq)
	})
}

// restore makes an earlier version the latest again, as a draft.
func (k *kbPages) restore(rw http.ResponseWriter, r *http.Request) {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	k.step(rw, r, "web.kb.restored", func(by identity.Actor, id int64) error {
		_, err := k.d.KB.Restore(ctxOf(r), by, id, v)
		return err
	})
}

// kbVersionsData is an article's versions with a diff between two of them.
type kbVersionsData struct {
	A          kb.Article
	Versions   []kb.Version
	From, To   int
	Diff       []kb.DiffLine
	CanRestore bool
}

// versions lists every version and shows the line diff between two
// (by default the latest and the one before it).
func (k *kbPages) versions(rw http.ResponseWriter, r *http.Request) {
	by, id, ok := k.staffArticle(rw, r)
	if !ok {
		return
	}
	ctx := ctxOf(r)
	a, err := k.d.KB.Get(ctx, by, id)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	d := &kbVersionsData{A: a, CanRestore: a.State != kb.StateInReview}
	if d.Versions, err = k.d.KB.Versions(ctx, by, id); err != nil {
		k.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	d.To, _ = strconv.Atoi(q.Get("to"))
	d.From, _ = strconv.Atoi(q.Get("from"))
	if d.To == 0 {
		d.To = a.Version
	}
	if d.From == 0 {
		d.From = max(1, d.To-1)
	}
	if d.From != d.To {
		if d.Diff, err = k.d.KB.Diff(ctx, by, id, d.From, d.To); err != nil {
			k.fail(rw, r, err)
			return
		}
	}
	p := k.newPage(rw, r, "web.kb.versions_title", "kb", d)
	k.render(rw, r, http.StatusOK, "kb_versions.html", p)
}

// fromTicket makes a draft article from a ticket, personal data masked,
// and opens it.
func (k *kbPages) fromTicket(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.staff(rw, r)
	if !ok {
		return
	}
	lang := reqOf(r).Lang
	h := kb.Headings{Problem: i18n.T(lang, "kb.draft_problem", nil), Resolution: i18n.T(lang, "kb.draft_resolution", nil)}
	by.Lang = string(lang)
	d, err := k.d.KB.FromTicket(ctxOf(r), by, r.PathValue("number"), h, mask.People{})
	if err != nil {
		k.rerender(rw, r, by, r.PathValue("number"), err, nil)
		return
	}
	if d.Existing {
		setFlash(rw, "ok", "web.kb.draft_exists")
	} else {
		setFlashParams(rw, "ok", "web.kb.drafted", map[string]any{"n": len(d.Maskings)})
	}
	redirect(rw, r, articlePath(d.Article.ID))
}
