package web

import (
	"net/http"
	"strconv"

	"helpdesk/internal/i18n"
	"helpdesk/internal/notify"
)

// inboxPage is the most notifications the inbox page shows at once.
const inboxPage = 50

func (w *Web) registerInbox() {
	if w.d.Inbox == nil {
		return // no inbox wired (some tests): the pages stay out
	}
	w.mux.HandleFunc("GET /inbox", w.inbox)
	w.mux.HandleFunc("GET /inbox/count", w.inboxCount)
	w.mux.HandleFunc("POST /inbox/read", w.inboxRead)
}

// notice is one inbox entry as the page shows it.
type notice struct {
	notify.Notification
	Text string
}

type inboxData struct {
	Items  []notice
	Unread int
	// Before pages to older entries (zero: no more).
	Before int64
}

// inbox lists the caller's in-site messages (站内信), newest first.
func (w *Web) inbox(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	ns, err := w.d.Inbox.List(r.Context(), by, false, before, inboxPage+1)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	unread, err := w.d.Inbox.Unread(r.Context(), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &inboxData{Unread: unread}
	if len(ns) > inboxPage {
		ns = ns[:inboxPage]
		d.Before = ns[len(ns)-1].ID
	}
	lang := reqOf(r).Lang
	for _, n := range ns {
		d.Items = append(d.Items, notice{Notification: n, Text: noticeText(lang, n)})
	}
	w.render(rw, r, http.StatusOK, "inbox.html", w.newPage(rw, r, "web.inbox.title", "inbox", d))
}

// noticeText is a notification in the reader's language; a kind the
// catalog does not know still shows, as a generic line.
func noticeText(lang i18n.Lang, n notify.Notification) string {
	params := map[string]any{"number": n.TicketNumber}
	for k, v := range n.Params {
		params[k] = v
	}
	if key := "web.notice." + n.Kind; i18n.Has(lang, key) {
		return i18n.T(lang, key, params)
	}
	return i18n.T(lang, "web.notice.other", params)
}

// inboxCount answers the header's unread badge (polled by the page script).
func (w *Web) inboxCount(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	n, err := w.d.Inbox.Unread(r.Context(), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]int{"unread": n})
}

// inboxRead marks the chosen notifications read (all when none is chosen).
func (w *Web) inboxRead(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if err := w.d.Inbox.MarkRead(r.Context(), by, ids); err != nil {
		w.fail(rw, r, err)
		return
	}
	next := "/inbox"
	if t := r.PostFormValue("ticket"); t != "" {
		next = "/t/" + t // "open": read it and go to the ticket
	}
	redirect(rw, r, next)
}
