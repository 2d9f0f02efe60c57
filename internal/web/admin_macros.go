package web

import (
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/ticket"
)

// macroData is the console's macro list or one macro's form.
type macroData struct {
	Macros []kb.Macro
	Macro  kb.Macro
	IsNew  bool
	// Choices for the actions.
	Statuses []ticket.Status
	Cats     []ticket.Category
	CatNames map[string]string
	// Variables are what a reply may use, as {{name}}.
	Variables []string
}

// Var writes a variable as a reply uses it.
func (macroData) Var(name string) string { return "{{" + name + "}}" }

// macroStatuses are the statuses a macro may set.
var macroStatuses = []ticket.Status{ticket.StatusInProgress, ticket.StatusFollowUp, ticket.StatusAwaitingConfirmation,
	ticket.StatusResolved, ticket.StatusClosed}

func (k *kbPages) macroPage(rw http.ResponseWriter, r *http.Request, by identity.Actor, title string, d *macroData) (*page, error) {
	cats, err := k.d.Tickets.Categories(ctxOf(r), by)
	if err != nil {
		return nil, err
	}
	d.Cats, d.Statuses, d.Variables = cats, macroStatuses, kb.MacroVariables
	p := k.newPage(rw, r, title, "admin", d)
	d.CatNames = categoryNames(p, cats)
	return p, nil
}

func (k *kbPages) adminMacros(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	list, err := k.d.KB.Macros(ctxOf(r), by)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	p, err := k.macroPage(rw, r, by, "web.macro.admin_title", &macroData{Macros: list})
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	k.render(rw, r, http.StatusOK, "admin_macros.html", p)
}

// adminMacro shows the form for a new macro or an existing one.
func (k *kbPages) adminMacro(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	d := &macroData{IsNew: true}
	if s := r.PathValue("id"); s != "" {
		id, _ := strconv.ParseInt(s, 10, 64)
		list, err := k.d.KB.Macros(ctxOf(r), by)
		if err != nil {
			k.fail(rw, r, err)
			return
		}
		found := false
		for _, m := range list {
			if m.ID == id {
				d.Macro, d.IsNew, found = m, false, true
			}
		}
		if !found {
			k.fail(rw, r, apperr.NotFoundf("kb.macro_not_found", "macro %q", s))
			return
		}
	}
	k.renderMacro(rw, r, by, d, nil)
}

func (k *kbPages) renderMacro(rw http.ResponseWriter, r *http.Request, by identity.Actor, d *macroData, formErr error) {
	title := "web.macro.edit_title"
	if d.IsNew {
		title = "web.macro.new_title"
	}
	p, err := k.macroPage(rw, r, by, title, d)
	if err != nil {
		k.fail(rw, r, err)
		return
	}
	if formErr != nil {
		k.adminInvalid(rw, r, p, "admin_macro.html", formErr, labelsOf(p, map[string]string{"name": "web.macro.name",
			"body": "web.macro.body", "set_status": "web.macro.set_status", "set_category": "web.macro.set_category",
			"set_assignee": "web.macro.set_assignee"}))
		return
	}
	k.render(rw, r, http.StatusOK, "admin_macro.html", p)
}

// adminSaveMacro creates or replaces a macro.
func (k *kbPages) adminSaveMacro(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	m := kb.Macro{ID: id, Name: f.Get("name"), Body: lf(f.Get("body")), SetStatus: f.Get("set_status"),
		SetCategory: f.Get("set_category"), SetAssignee: strings.TrimSpace(f.Get("set_assignee"))}
	saved, err := k.d.KB.SaveMacro(ctxOf(r), by, m)
	if err != nil {
		k.renderMacro(rw, r, by, &macroData{Macro: m, IsNew: id == 0}, err)
		return
	}
	done(rw, r, "/admin/macros/"+strconv.FormatInt(saved.ID, 10))
}

func (k *kbPages) adminDeleteMacro(rw http.ResponseWriter, r *http.Request) {
	by, ok := k.admin(rw, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := k.d.KB.DeleteMacro(ctxOf(r), by, id); err != nil {
		k.fail(rw, r, err)
		return
	}
	setFlash(rw, "ok", "web.macro.deleted")
	redirect(rw, r, "/admin/macros")
}
