package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/live"
	"helpdesk/internal/ticket"
)

func (w *Web) registerLive() {
	w.mux.HandleFunc("GET /t/{number}/live", w.ticketLive)
	w.mux.HandleFunc("GET /desk/live", w.deskLive)
	w.mux.HandleFunc("GET /portal/live", w.portalLive)
	w.mux.HandleFunc("GET /dashboard/live", w.dashboardLive)
	w.mux.HandleFunc("POST /t/{number}/presence", w.presence)
}

// Live stream timings.
const (
	// pollEvery bounds how long a change can go unnoticed when a wake-up
	// is lost (a NOTIFY connection drops, a write on another SQLite process).
	pollEvery = 2 * time.Second
	// pingEvery keeps proxies from closing an idle stream.
	pingEvery = 20 * time.Second
	// streamFor ends a stream after a while; the browser reconnects with
	// Last-Event-ID and resumes, so no node holds a connection forever.
	streamFor = 10 * time.Minute
)

// liveFrom is the feed position a page subscribes from: read before the
// page's data, so a change made while it renders still reaches it.
func (w *Web) liveFrom(r *http.Request) int64 {
	if w.d.Live == nil {
		return 0
	}
	c, err := w.d.Live.Start(r.Context())
	if err != nil {
		w.log.WarnContext(r.Context(), "live: start", "err", err)
		return 0
	}
	return c.Horizon
}

// ticketLive streams the changes of one ticket, and for staff who else has it open.
func (w *Web) ticketLive(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	t, err := w.d.Tickets.Get(r.Context(), by, r.PathValue("number"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	internal := ticket.Can(ticket.RelationOf(by, t), ticket.ActSeeInternal)
	var presence int64
	if by.Role.Staff() {
		presence = t.ID
	}
	w.stream(rw, r, by, feed{ticketID: t.ID, presence: presence, allow: func(e live.Event) bool { return internal || !e.Internal }})
}

// deskLive streams the changes of tickets in the agent's groups or assigned to them.
func (w *Web) deskLive(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	w.stream(rw, r, by, feed{allow: func(e live.Event) bool {
		return by.IsAdmin() || by.InGroup(e.GroupID) || e.AssigneeID == by.UserID
	}})
}

// dashboardLive tells a supervisor's dashboard that the desk changed: every
// ticket's change, since the dashboard counts the whole desk, but only that
// something changed (bare), never which ticket, as a supervisor of one group
// may not see the others' tickets.
func (w *Web) dashboardLive(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	w.stream(rw, r, by, feed{allow: func(live.Event) bool { return true }, bare: true})
}

// portalLive streams the changes of the customer's own tickets (and their
// organization's, where they may see those); internal events never.
func (w *Web) portalLive(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.actor(rw, r)
	if !ok {
		return
	}
	w.stream(rw, r, by, feed{allow: func(e live.Event) bool {
		if e.Internal {
			return false
		}
		return e.RequesterID == by.UserID || (by.OrgVisible && by.OrgID != 0 && e.OrgID == by.OrgID)
	}})
}

// eventJSON is what a page learns of a change: which ticket, what kind.
type eventJSON struct {
	ID     int64  `json:"id"`
	Ticket string `json:"ticket,omitempty"`
	Kind   string `json:"kind"`
	Mine   bool   `json:"mine"`
}

type viewerJSON struct {
	Name   string `json:"name"`
	Typing bool   `json:"typing"`
}

// feed says what a stream sends: the changes of one ticket (ticketID) or
// of all, those allow admits; presence, when set, adds "presence" events
// listing the other viewers of that ticket; bare sends only the event's id
// and kind, not which ticket or whose change.
type feed struct {
	ticketID, presence int64
	allow              func(live.Event) bool
	bare               bool
}

// stream serves Server-Sent Events: "change" events of the feed, each
// carrying as its id the feed horizon to resume from.
func (w *Web) stream(rw http.ResponseWriter, r *http.Request, by identity.Actor, f feed) {
	hub := w.d.Live
	if hub == nil {
		http.Error(rw, "live updates are off", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), streamFor)
	defer cancel()
	rc := http.NewResponseController(rw)
	var cur *live.Cursor
	from := r.Header.Get("Last-Event-ID")
	if from == "" {
		from = r.URL.Query().Get("from")
	}
	if h, err := strconv.ParseInt(from, 10, 64); err == nil && h >= 0 {
		cur = live.Resume(h)
	} else {
		var err error
		if cur, err = hub.Start(ctx); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	if w.d.Streams != nil {
		w.d.Streams.Inc()
		defer w.d.Streams.Dec()
	}
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	fmt.Fprint(rw, "retry: 3000\n\n")
	rc.Flush()
	poll := time.NewTicker(pollEvery)
	defer poll.Stop()
	lastPing := time.Now()
	var lastPresence string
	for {
		changed := hub.Changed() // before reading, so no wake-up falls between
		evs, err := hub.Next(ctx, cur, f.ticketID)
		if err != nil {
			if ctx.Err() == nil {
				w.log.WarnContext(ctx, "live: read", "err", err)
			}
			return
		}
		for _, e := range evs {
			if !f.allow(e) {
				continue
			}
			ev := eventJSON{ID: e.ID, Kind: e.Kind}
			if !f.bare {
				ev.Ticket, ev.Mine = e.Number, e.ActorID == by.UserID
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(rw, "id: %d\nevent: change\ndata: %s\n\n", cur.Horizon, b)
		}
		if f.presence != 0 {
			if s := w.viewers(ctx, f.presence, by.UserID); s != lastPresence {
				lastPresence = s
				fmt.Fprintf(rw, "event: presence\ndata: %s\n\n", s)
			}
		}
		if time.Since(lastPing) > pingEvery {
			fmt.Fprint(rw, ": ping\n\n")
			lastPing = time.Now()
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-w.closing:
			return
		case <-changed:
		case <-poll.C:
		}
	}
}

// viewers is the presence list of a ticket without the viewer, as JSON.
func (w *Web) viewers(ctx context.Context, ticketID, self int64) string {
	vs, err := w.d.Live.Store().Presence(ctx, ticketID, w.now().Add(-live.PresenceTTL))
	if err != nil {
		return "[]"
	}
	out := []viewerJSON{}
	for _, v := range vs {
		if v.UserID != self {
			out = append(out, viewerJSON{Name: cmpOr(v.Name, v.Login), Typing: v.Typing})
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// presence records a heartbeat of a staff member on a ticket (the page
// script sends one every few seconds, with whether they are typing, and
// "leave" when the page closes).
func (w *Web) presence(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok || w.d.Live == nil {
		return
	}
	t, err := w.d.Tickets.Get(r.Context(), by, r.PathValue("number"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	st := w.d.Live.Store()
	if r.PostFormValue("leave") != "" {
		err = st.LeavePresence(r.Context(), t.ID, by.UserID)
	} else {
		err = st.TouchPresence(r.Context(), t.ID, by.UserID, r.PostFormValue("typing") == "1", w.now().UTC())
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if w.d.Live != nil {
		w.d.Live.Wake() // same node: tell the others now (other nodes hear NOTIFY)
	}
	rw.WriteHeader(http.StatusNoContent)
}
