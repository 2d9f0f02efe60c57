package web

import (
	"html"
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/ticket"
)

// assistData is the agent's assistance on a ticket: similar tickets,
// articles that may answer it, the suggested category and priority, and
// the canned responses to apply.
type assistData struct {
	Related    kb.Related
	Suggestion kb.Suggestion
	// CategoryName is the suggested category's name in the page's language.
	CategoryName string
	Macros       []kb.Macro
	// CanDraft offers a knowledge base draft made from the ticket
	// (resolved or closed tickets); Draft, when set, is the one already
	// made and not yet published, offered instead.
	CanDraft bool
	Draft    *kb.Article
}

// Pct is a confidence (0–1) in whole percent.
func (assistData) Pct(f float64) int { return int(f*100 + 0.5) }

// Plain is a search snippet as plain text: without its highlighting and
// the Markdown heading marks of an article's first lines.
func (assistData) Plain(snippet string) string {
	return html.UnescapeString(snippetMarks.Replace(snippet))
}

var snippetMarks = strings.NewReplacer("<mark>", "", "</mark>", "", "## ", "", "# ", "")

// loadAssist reads the assistance for an agent's ticket page. It is an
// aid, not the page: what fails is logged and left out.
func (w *Web) loadAssist(r *http.Request, by identity.Actor, t ticket.Ticket, cats []ticket.Category) *assistData {
	if w.d.KB == nil {
		return nil
	}
	ctx := ctxOf(r)
	d := &assistData{CanDraft: t.Status == ticket.StatusResolved || t.Status == ticket.StatusClosed}
	var err error
	if d.CanDraft {
		if a, ok, err := w.d.KB.OpenDraft(ctx, by, t.Number); err != nil {
			w.log.WarnContext(ctx, "assist: open draft", "ticket", t.Number, "err", err)
		} else if ok {
			d.Draft = &a
		}
	}
	if d.Related, err = w.d.KB.ForTicket(ctx, by, t.Number); err != nil {
		w.log.WarnContext(ctx, "assist: related", "ticket", t.Number, "err", err)
	}
	if d.Suggestion, err = w.d.KB.ClassifyTicket(ctx, by, t.Number); err != nil {
		w.log.WarnContext(ctx, "assist: classify", "ticket", t.Number, "err", err)
	}
	for _, c := range cats {
		if c.Key == d.Suggestion.Category.Label {
			d.CategoryName = pick(reqOf(r), c.NameZH, c.NameEN)
		}
	}
	if d.Macros, err = w.d.KB.Macros(ctx, by); err != nil {
		w.log.WarnContext(ctx, "assist: macros", "err", err)
	}
	return d
}

// applyMacro posts a canned response on the ticket and runs its actions.
func (k *kbPages) applyMacro(rw http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PostFormValue("macro"), 10, 64)
	k.act(rw, r, "web.macro.applied", func(by identity.Actor, number string) error {
		_, err := k.d.KB.ApplyMacro(ctxOf(r), by, number, id)
		return err
	})
}
