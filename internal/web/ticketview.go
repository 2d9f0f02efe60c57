package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/ticket"
)

func (w *Web) registerTicket() {
	m := w.mux
	m.HandleFunc("GET /t/{number}", w.ticketPage)
	m.HandleFunc("GET /t/{number}/a/{id}", w.download)
	m.HandleFunc("POST /t/{number}/reply", w.reply)
	m.HandleFunc("POST /t/{number}/note", w.note)
	m.HandleFunc("POST /t/{number}/attach", w.attach)
	m.HandleFunc("POST /t/{number}/status", w.changeStatus)
	m.HandleFunc("POST /t/{number}/rate", w.rate)
	m.HandleFunc("POST /t/{number}/escalate", w.escalate)
	m.HandleFunc("POST /t/{number}/remote", w.requestRemote)
	m.HandleFunc("POST /t/{number}/remote/{id}/grant", w.grantRemote)
	m.HandleFunc("POST /t/{number}/remote/{id}/end", w.endRemote)
	m.HandleFunc("POST /t/{number}/claim", w.claim)
	m.HandleFunc("POST /t/{number}/assign", w.assign)
	m.HandleFunc("POST /t/{number}/triage", w.triage)
}

// ticketData is everything a ticket page shows.
type ticketData struct {
	T           ticket.Ticket
	Category    string
	Messages    []ticket.Message
	Attachments []ticket.Attachment
	Events      []ticket.Event
	Remote      []ticket.RemoteSession
	Staff       bool
	// What the viewer may do, from the ticket's permission table.
	CanReply, CanNote, CanAttach, CanClaim, CanAssign, CanTriage bool
	Transitions                                                  []ticket.Status
	// Rated: the latest resolution has its rating.
	Rated  bool
	Scores []ticket.Score
	// LastSeen is the newest message id the page shows (collision check).
	LastSeen int64
	LiveFrom int64
	// Staff only.
	Others     []ticket.Ticket
	Categories []ticket.Category
	Groups     []identity.Group
	Agents     []routing.Agent
	Priorities []ticket.Priority
	// Newer lists messages posted after the composer's draft was started.
	Newer []ticket.Message
	// RequesterName is the requester's display name.
	RequesterName string
	// Fields are the custom field values with their labels.
	Fields []fieldView
	// Composer is the tab a re-rendered page opens ("reply" or "note").
	Composer string
	// Assist is the knowledge base's help for the agent (assist.go); nil
	// without a knowledge base.
	Assist *assistData
	uploadInfo
}

func (w *Web) ticketPage(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	part := r.URL.Query().Get("part")
	d, err := w.loadTicket(r, by, r.PathValue("number"), part == "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.ticketPageOf(rw, r, d)
	switch part {
	case "conv":
		w.renderPart(rw, r, p.tplName(), "conversation", p)
	case "side":
		w.renderPart(rw, r, p.tplName(), "ticket_side", p)
	default:
		w.render(rw, r, http.StatusOK, p.tplName(), p)
	}
}

func (w *Web) ticketPageOf(rw http.ResponseWriter, r *http.Request, d *ticketData) *page {
	nav := "portal"
	if d.Staff {
		nav = "desk"
	}
	p := w.newPage(rw, r, "web.ticket.title", nav, d)
	p.Title = d.T.Number + " " + d.T.Title
	return p
}

// tplName is the ticket template for the viewer: the portal's or the workspace's.
func (p *page) tplName() string {
	if d, ok := p.Data.(*ticketData); ok && d.Staff {
		return "ticket_agent.html"
	}
	return "ticket_customer.html"
}

// loadTicket reads a ticket with its conversation; full adds what only the
// whole page needs (history, the requester's other tickets, choices).
func (w *Web) loadTicket(r *http.Request, by identity.Actor, number string, full bool) (*ticketData, error) {
	ctx := r.Context()
	d := &ticketData{Staff: by.Role.Staff(), Scores: ticket.Scores, Priorities: ticket.Priorities, uploadInfo: w.uploadInfo(r.Context())}
	d.Label = "web.upload.add"
	if full {
		d.LiveFrom = w.liveFrom(r)
	}
	t, err := w.d.Tickets.Get(ctx, by, number)
	if err != nil {
		return nil, err
	}
	d.T = t
	d.RequesterName = t.Requester
	if rc := reqOf(r); rc.User.Login == t.Requester && rc.User.Name != "" {
		d.RequesterName = rc.User.Name
	} else if u, err := w.d.Identity.UserByLogin(ctx, by, t.Requester); err == nil && u.Name != "" {
		d.RequesterName = u.Name
	}
	if d.Messages, err = w.d.Tickets.Messages(ctx, by, t.Number); err != nil {
		return nil, err
	}
	for _, m := range d.Messages {
		d.LastSeen = max(d.LastSeen, m.ID)
	}
	if d.Attachments, err = w.d.Tickets.Attachments(ctx, by, t.Number); err != nil {
		return nil, err
	}
	if d.Events, err = w.d.Tickets.History(ctx, by, t.Number); err != nil {
		return nil, err
	}
	if d.Remote, err = w.d.Tickets.RemoteSessions(ctx, by, t.Number); err != nil {
		return nil, err
	}
	rel := ticket.RelationOf(by, t)
	d.CanReply, d.CanNote, d.CanAttach = ticket.Can(rel, ticket.ActReply), ticket.Can(rel, ticket.ActNote), ticket.Can(rel, ticket.ActAttach)
	d.CanClaim = ticket.Can(rel, ticket.ActClaim) && t.AssigneeID != by.UserID && t.Status.Open()
	d.CanAssign, d.CanTriage = ticket.Can(rel, ticket.ActAssignOthers), ticket.Can(rel, ticket.ActEditTriage)
	for _, tr := range ticket.Transitions() {
		if tr.From == t.Status && tr.By&rel != 0 {
			d.Transitions = append(d.Transitions, tr.To)
		}
	}
	ratings := 0
	for _, e := range d.Events {
		if e.Kind == ticket.EventRating {
			ratings++
		}
	}
	d.Rated = ratings >= t.Resolutions
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.Key != t.CategoryKey {
			continue
		}
		d.Category = pick(reqOf(r), c.NameZH, c.NameEN)
		for _, f := range c.Fields {
			if v, ok := t.CustomFields[f.Key]; ok {
				d.Fields = append(d.Fields, fieldView{Label: pick(reqOf(r), f.LabelZH, f.LabelEN), Value: fieldText(reqOf(r), v)})
			}
		}
	}
	if !full || !d.Staff {
		return d, nil
	}
	d.Categories = cats
	d.Assist = w.loadAssist(r, by, t, cats)
	if t.Requester != "" {
		pg, err := w.d.Tickets.List(ctx, by, ticket.ListInput{Requester: t.Requester, Limit: 6})
		if err != nil {
			return nil, err
		}
		for _, o := range pg.Tickets {
			if o.ID != t.ID && len(d.Others) < 5 {
				d.Others = append(d.Others, o)
			}
		}
	}
	if d.CanAssign {
		if d.Groups, err = w.d.Identity.Groups(ctx, by); err != nil {
			return nil, err
		}
	}
	if (d.CanAssign || d.CanClaim) && t.GroupKey != "" && w.d.Routing != nil {
		if d.Agents, err = w.d.Routing.GroupAgents(ctx, by, t.GroupKey); err != nil {
			d.Agents = nil // agents may not list their group; claiming still works
		}
	}
	return d, nil
}

func pick(rc *reqCtx, zh, en string) string { return (&page{reqCtx: rc}).Pick(zh, en) }

// rerender shows the ticket page again after a failed action, with the
// form as submitted and its errors.
func (w *Web) rerender(rw http.ResponseWriter, r *http.Request, by identity.Actor, number string, err error, mutate func(*ticketData)) {
	d, lerr := w.loadTicket(r, by, number, true)
	if lerr != nil {
		w.fail(rw, r, lerr)
		return
	}
	if mutate != nil {
		mutate(d)
	}
	p := w.ticketPageOf(rw, r, d)
	p.Form = r.PostForm
	status := http.StatusConflict
	if err != nil {
		p.Errors = errorsOf(p.Lang, err)
		status = statusOf(kindOf(err))
	}
	if wantsJSON(r) {
		body := map[string]any{"newer": len(d.Newer)}
		if p.Errors != nil {
			body["errors"] = p.Errors.List
		}
		writeJSON(rw, status, body)
		return
	}
	w.render(rw, r, status, p.tplName(), p)
}

// download streams an attachment with the headers the API uses: the
// detected type, nosniff, inline only for images, and a sandboxing CSP.
func (w *Web) download(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		w.notFound(rw, r)
		return
	}
	a, f, err := w.d.Tickets.OpenAttachment(r.Context(), by, r.PathValue("number"), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer f.Close()
	serveFile(rw, r, a.ContentType, a.Filename, a.CreatedAt, f)
}

// serveFile streams a stored file (a ticket's or an article's attachment)
// with the download headers: shown in place only for PNG and JPEG images,
// sandboxed, cached privately.
func serveFile(rw http.ResponseWriter, r *http.Request, contentType, filename string, modified time.Time, f io.ReadSeeker) {
	disp := "attachment"
	if contentType == "image/png" || contentType == "image/jpeg" {
		disp = "inline"
	}
	h := rw.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(filename))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(rw, r, "", modified, f)
}

// fieldView is one custom field value as shown.
type fieldView struct{ Label, Value string }

func fieldText(rc *reqCtx, v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return i18n.T(rc.Lang, "web.yes", nil)
		}
		return i18n.T(rc.Lang, "web.no", nil)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
