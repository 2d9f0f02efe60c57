package web

import (
	"net/http"
	"net/url"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

func (w *Web) registerPortal() {
	w.mux.HandleFunc("GET /portal", w.portalList)
	w.mux.HandleFunc("GET /portal/new", w.portalNew)
	w.mux.HandleFunc("POST /portal/new", w.portalCreate)
}

// listData is a ticket list page.
type listData struct {
	Tickets    []ticket.Ticket
	Next       string
	Categories map[string]string
	LiveFrom   int64
}

// portalList is "my tickets": the customer's (and, where allowed, their
// organization's) tickets, most recently updated first.
func (w *Web) portalList(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	if by.Role.Staff() {
		http.Redirect(rw, r, "/desk", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	from := w.liveFrom(r)
	pg, err := w.d.Tickets.List(ctx, by, ticket.ListInput{Cursor: r.URL.Query().Get("cursor"), Limit: 30})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "web.portal.list_title", "portal", nil)
	p.Data = listData{Tickets: pg.Tickets, Next: pg.Next, Categories: categoryNames(p, cats), LiveFrom: from}
	if r.URL.Query().Get("part") == "list" {
		w.renderPart(rw, r, "portal_list.html", "ticket_rows", p)
		return
	}
	w.render(rw, r, http.StatusOK, "portal_list.html", p)
}

// newData is the new-ticket form.
type newData struct {
	Categories []ticket.Category
	Selected   string
	Priorities []priorityOption
	uploadInfo
	IdemKey string
	// Staff filing on a customer's behalf (phone ticket).
	OnBehalf bool
	Channel  string
}

// priorityOption is a priority with the response the SLA promises for it.
type priorityOption struct {
	Priority ticket.Priority
	Promise  string
}

func (w *Web) portalNew(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	if by.Role.Staff() {
		http.Redirect(rw, r, "/desk/new", http.StatusSeeOther)
		return
	}
	w.renderNewWith(rw, r, by, http.StatusOK, nil, nil)
}

// renderNewWith shows the new-ticket form, refilled after an error.
func (w *Web) renderNewWith(rw http.ResponseWriter, r *http.Request, by identity.Actor, status int, form url.Values, fe *formErrors) {
	ctx := r.Context()
	cats, cerr := w.d.Tickets.Categories(ctx, by)
	if cerr != nil {
		w.fail(rw, r, cerr)
		return
	}
	active := cats[:0]
	for _, c := range cats {
		if c.Active {
			active = append(active, c)
		}
	}
	staff := by.Role.Staff()
	nav, tpl := "portal_new", "portal_new.html"
	if staff {
		nav = "desk_new"
	}
	p := w.newPage(rw, r, "web.new.title", nav, nil)
	if staff {
		p.Title = p.T("web.phone.title")
	}
	if form == nil {
		form = url.Values{}
		if !staff {
			form.Set("contact_phone", reqOf(r).User.Phone)
			form.Set("contact_email", reqOf(r).User.Email)
		}
		form.Set("priority", string(ticket.P3))
	}
	sel := form.Get("category")
	if q := r.URL.Query().Get("category"); q != "" && r.Method == http.MethodGet {
		sel = q
		form.Set("category", q)
	}
	if sel == "" && len(active) > 0 {
		sel = active[0].Key
	}
	d := newData{Categories: active, Selected: sel, uploadInfo: w.uploadInfo(r.Context()), IdemKey: form.Get("idem"),
		OnBehalf: staff, Channel: form.Get("channel")}
	if d.IdemKey == "" {
		d.IdemKey = randomToken()
	}
	for _, pr := range ticket.Priorities {
		d.Priorities = append(d.Priorities, priorityOption{Priority: pr, Promise: w.promise(r, p, pr)})
	}
	p.Data, p.Form = d, form
	p.Errors = fe
	w.render(rw, r, status, tpl, p)
}

// promise says what first response the SLA policy promises for a priority.
func (w *Web) promise(r *http.Request, p *page, pr ticket.Priority) string {
	if w.d.SLA == nil {
		return ""
	}
	pol, cal, err := w.d.SLA.ForPriority(r.Context(), string(pr))
	if err != nil || pol.FirstResponse <= 0 {
		return ""
	}
	if cal.Key == "24x7" {
		return p.T("web.new.promise_24x7", "d", p.Dur(pol.FirstResponse))
	}
	return p.T("web.new.promise_working", "d", p.Dur(pol.FirstResponse))
}

// portalCreate files the ticket, then stores the attached files. A file
// the service refuses is reported on the new ticket's page; the ticket
// stands (the customer can attach again there).
func (w *Web) portalCreate(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	w.create(rw, r, by)
}
