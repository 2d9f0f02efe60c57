package web

import (
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// back is the ticket page, where every action returns.
func back(number string) string { return "/t/" + number }

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}

// reply posts a public reply. This form can only ever send a public
// message; internal notes have their own form and route (note).
func (w *Web) reply(rw http.ResponseWriter, r *http.Request) { w.post(rw, r, false) }

// note posts an internal note: staff only, never shown to the customer.
func (w *Web) note(rw http.ResponseWriter, r *http.Request) { w.post(rw, r, true) }

func (w *Web) post(rw http.ResponseWriter, r *http.Request, internal bool) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	number := r.PathValue("number")
	composer := "reply"
	if internal {
		composer = "note"
	}
	// Collision check: someone else wrote since this draft's page was
	// loaded. The writer sees what is new and sends again on purpose.
	if seen := formInt(r, "last_seen"); r.PostFormValue("send_anyway") == "" && r.PostFormValue("last_seen") != "" {
		msgs, err := w.d.Tickets.Messages(r.Context(), by, number)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		var newer []ticket.Message
		for _, m := range msgs {
			if m.ID > seen && m.AuthorID != by.UserID {
				newer = append(newer, m)
			}
		}
		if len(newer) > 0 {
			w.rerender(rw, r, by, number, nil, func(d *ticketData) { d.Newer, d.Composer = newer, composer })
			return
		}
	}
	m, err := w.d.Tickets.AddMessage(r.Context(), by, number, ticket.MessageInput{Body: r.PostFormValue("body"), Internal: internal})
	if err != nil {
		w.rerender(rw, r, by, number, err, func(d *ticketData) { d.Composer = composer })
		return
	}
	if r.MultipartForm != nil {
		if err := w.attachAll(r, by, m.Number, r.MultipartForm.File["files"]); err != nil {
			flashErr(rw, reqOf(r).Lang, err)
			redirect(rw, r, back(m.Number))
			return
		}
	}
	if m.Number != number {
		setFlashParams(rw, "ok", "web.ticket.followon", map[string]any{"number": m.Number})
	}
	redirect(rw, r, back(m.Number)+"#m"+strconv.FormatInt(m.ID, 10))
}

// attach stores files on a ticket (the page script uploads one file per
// request, with a progress bar; a form without script sends them all).
func (w *Web) attach(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	number := r.PathValue("number")
	if r.MultipartForm == nil {
		redirect(rw, r, back(number))
		return
	}
	if err := w.attachAll(r, by, number, r.MultipartForm.File["files"]); err != nil {
		if wantsJSON(r) {
			writeJSON(rw, statusOf(kindOf(err)), map[string]any{"errors": errorsOf(reqOf(r).Lang, err).List})
			return
		}
		flashErr(rw, reqOf(r).Lang, err)
	} else {
		setFlash(rw, "ok", "web.ticket.attached")
	}
	redirect(rw, r, back(number))
}

// act runs one ticket action and returns to the ticket, re-rendering it
// with the error when the action is refused.
func (w *Web) act(rw http.ResponseWriter, r *http.Request, okKey string, fn func(by identity.Actor, number string) error) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	number := r.PathValue("number")
	if err := fn(by, number); err != nil {
		w.rerender(rw, r, by, number, err, nil)
		return
	}
	if okKey != "" {
		setFlash(rw, "ok", okKey)
	}
	redirect(rw, r, back(number))
}

// changeStatus moves the ticket (confirm or reject a solution, propose
// one, close …). The version the page showed guards against a change made
// meanwhile.
func (w *Web) changeStatus(rw http.ResponseWriter, r *http.Request) {
	to := ticket.Status(r.PostFormValue("to"))
	w.act(rw, r, "web.ticket.status_changed", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.ChangeStatus(r.Context(), by, number, int(formInt(r, "version")), to, r.PostFormValue("comment"))
		return err
	})
}

func (w *Web) rate(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.ticket.rated", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.Rate(r.Context(), by, number, ticket.Score(r.PostFormValue("score")), r.PostFormValue("comment"))
		return err
	})
}

func (w *Web) escalate(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.ticket.escalated", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.Escalate(r.Context(), by, number, r.PostFormValue("reason"))
		return err
	})
}

func (w *Web) requestRemote(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.remote.requested", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.RequestRemote(r.Context(), by, number, r.PostFormValue("tool"), r.PostFormValue("scope"))
		return err
	})
}

func (w *Web) grantRemote(rw http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	w.act(rw, r, "web.remote.granted", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.GrantRemote(r.Context(), by, number, id, r.PostFormValue("code"))
		return err
	})
}

func (w *Web) endRemote(rw http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	w.act(rw, r, "web.remote.ended", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.EndRemote(r.Context(), by, number, id)
		return err
	})
}

func (w *Web) claim(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.ticket.claimed", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.Claim(r.Context(), by, number)
		return err
	})
}

// assign gives the ticket to an agent or transfers it to another group.
func (w *Web) assign(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.ticket.assigned", func(by identity.Actor, number string) error {
		_, err := w.d.Tickets.Assign(r.Context(), by, number, int(formInt(r, "version")),
			strings.TrimSpace(r.PostFormValue("assignee")), r.PostFormValue("group"), r.PostFormValue("reason"))
		return err
	})
}

// triage changes priority and category.
func (w *Web) triage(rw http.ResponseWriter, r *http.Request) {
	w.act(rw, r, "web.ticket.updated", func(by identity.Actor, number string) error {
		var p ticket.Patch
		if v := ticket.Priority(r.PostFormValue("priority")); v != "" {
			p.Priority = &v
		}
		if v := r.PostFormValue("category"); v != "" {
			p.Category = &v
		}
		_, err := w.d.Tickets.Update(r.Context(), by, number, int(formInt(r, "version")), p)
		return err
	})
}
