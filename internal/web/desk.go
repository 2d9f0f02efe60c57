package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

func (w *Web) registerDesk() {
	w.mux.HandleFunc("GET /desk", w.desk)
	w.mux.HandleFunc("GET /desk/counts", w.deskCounts)
	w.mux.HandleFunc("GET /desk/new", w.deskNew)
	w.mux.HandleFunc("POST /desk/new", w.deskCreate)
}

// queue is one of the workspace's ticket lists.
type queue struct {
	Key string
	// in builds the listing; Statuses and Assignee say what the queue is.
	in func() ticket.ListInput
	// soon keeps only tickets whose SLA is close or breached.
	soon bool
}

var openWork = []string{string(ticket.StatusUnassigned), string(ticket.StatusAssigned), string(ticket.StatusInProgress), string(ticket.StatusFollowUp)}

// queues are the workspace's lists, in tab order.
var queues = []queue{
	{Key: "mine", in: func() ticket.ListInput {
		return ticket.ListInput{Assignee: "me", Statuses: []string{"assigned", "in_progress", "follow_up", "awaiting_confirmation"}}
	}},
	{Key: "unassigned", in: func() ticket.ListInput { return ticket.ListInput{Assignee: "none", Statuses: []string{"unassigned"}} }},
	{Key: "awaiting", in: func() ticket.ListInput { return ticket.ListInput{Statuses: []string{"awaiting_confirmation"}} }},
	{Key: "breaching", in: func() ticket.ListInput { return ticket.ListInput{Statuses: openWork, Limit: ticket.MaxPageSize} }, soon: true},
	{Key: "followup", in: func() ticket.ListInput { return ticket.ListInput{Statuses: []string{"follow_up"}} }},
}

func queueByKey(k string) queue {
	for _, q := range queues {
		if q.Key == k {
			return q
		}
	}
	return queues[0]
}

// soonWithin is how close a deadline must be for "breaching soon".
const soonWithin = 2 * time.Hour

// countCap is where a queue count stops counting ("50+").
const countCap = 50

// deskData is the workspace's queue page.
type deskData struct {
	Queue    string
	Queues   []queueTab
	Tickets  []ticket.Ticket
	Next     string
	Filter   deskFilter
	Cats     []ticket.Category
	CatNames map[string]string
	LiveFrom int64
	Prios    []ticket.Priority
}

type queueTab struct {
	Key   string
	Count string
}

// deskFilter is the queue page's filters, echoed into its links.
type deskFilter struct {
	Priority, Category, Sort, Order, Cursor string
}

// Query is the filter as a query string (without the cursor).
func (f deskFilter) Query() string {
	v := urlValues{}
	for k, x := range map[string]string{"priority": f.Priority, "category": f.Category, "sort": f.Sort, "order": f.Order} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

func (w *Web) desk(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	from := w.liveFrom(r)
	f := deskFilter{Priority: q.Get("priority"), Category: q.Get("category"), Sort: q.Get("sort"), Order: q.Get("order"), Cursor: q.Get("cursor")}
	qu := queueByKey(q.Get("q"))
	tickets, next, err := w.listQueue(r, by, qu, f)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "web.desk.title", "desk", nil)
	d := &deskData{Queue: qu.Key, Tickets: tickets, Next: next, Filter: f, Cats: cats, CatNames: categoryNames(p, cats), LiveFrom: from, Prios: ticket.Priorities}
	p.Data = d
	if q.Get("part") == "rows" {
		w.renderPart(rw, r, "desk.html", "queue_rows", p)
		return
	}
	if d.Queues, err = w.counts(r, by); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "desk.html", p)
}

// listQueue lists one queue with the page's filters.
func (w *Web) listQueue(r *http.Request, by identity.Actor, qu queue, f deskFilter) ([]ticket.Ticket, string, error) {
	in := qu.in()
	if f.Priority != "" {
		in.Priorities = []string{f.Priority}
	}
	in.Category, in.Sort, in.Order = f.Category, f.Sort, f.Order
	if !qu.soon {
		in.Cursor = f.Cursor
	}
	pg, err := w.d.Tickets.List(r.Context(), by, in)
	if err != nil {
		return nil, "", err
	}
	if !qu.soon {
		return pg.Tickets, pg.Next, nil
	}
	return breachingSoon(pg.Tickets), "", nil
}

// breachingSoon keeps the tickets with a running clock due within
// soonWithin of working time (or overdue), most urgent first.
func breachingSoon(ts []ticket.Ticket) []ticket.Ticket {
	type row struct {
		t    ticket.Ticket
		left time.Duration
	}
	var rows []row
	for _, t := range ts {
		if t.SLAStatus == nil {
			continue
		}
		least, found := time.Duration(0), false
		for _, left := range t.SLAStatus.Remaining {
			if !found || left < least {
				least, found = left, true
			}
		}
		if found && least < soonWithin {
			rows = append(rows, row{t, least})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].left < rows[j].left })
	out := make([]ticket.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.t
	}
	return out
}

// counts counts each queue up to countCap.
func (w *Web) counts(r *http.Request, by identity.Actor) ([]queueTab, error) {
	out := make([]queueTab, 0, len(queues))
	for _, qu := range queues {
		in := qu.in()
		if !qu.soon {
			in.Limit = countCap
		}
		pg, err := w.d.Tickets.List(r.Context(), by, in)
		if err != nil {
			return nil, err
		}
		n, more := len(pg.Tickets), pg.Next != ""
		if qu.soon {
			n, more = len(breachingSoon(pg.Tickets)), false
		}
		c := strconv.Itoa(n)
		if more {
			c += "+"
		}
		out = append(out, queueTab{Key: qu.Key, Count: c})
	}
	return out, nil
}

// deskCounts answers the page script with the queue counts.
func (w *Web) deskCounts(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	tabs, err := w.counts(r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	m := map[string]string{}
	for _, t := range tabs {
		m[t.Key] = t.Count
	}
	writeJSON(rw, http.StatusOK, m)
}

// deskNew is the phone-ticket form: staff filing for a customer.
func (w *Web) deskNew(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	w.renderNewWith(rw, r, by, http.StatusOK, nil, nil)
}

func (w *Web) deskCreate(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.staff(rw, r)
	if !ok {
		return
	}
	w.create(rw, r, by)
}

// SortLink is a column header's link: sorting by key, flipping the order
// when the list is already sorted by it.
func (d *deskData) SortLink(key string) string {
	f := d.Filter
	order := "desc"
	if (f.Sort == key || (f.Sort == "" && key == "updated_at")) && f.Order != "asc" {
		order = "asc"
	}
	f.Sort, f.Order = key, order
	return "/desk?q=" + d.Queue + "&" + f.Query()
}

// SortState is the aria-sort value of a column.
func (d *deskData) SortState(key string) string {
	cur := d.Filter.Sort
	if cur == "" {
		cur = "updated_at"
	}
	if cur != key {
		return "none"
	}
	if d.Filter.Order == "asc" {
		return "ascending"
	}
	return "descending"
}
