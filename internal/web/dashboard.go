package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"helpdesk/internal/report"
	"helpdesk/internal/ticket"
)

// dashboardData is the live dashboard (report.Service.Dashboard) arranged
// for the page: open tickets as a status × priority grid, the staff with
// who is online first.
type dashboardData struct {
	D report.Dashboard
	// LiveFrom is the feed position the page's stream starts at.
	LiveFrom int64
	// Updated is when the figures were read, in the reader's zone.
	Updated string
	Prios   []ticket.Priority
	Rows    []dashRow
	// ByPrio totals each priority's column; Open is the grand total.
	ByPrio []int64
	Open   int64
	// Online and Away count the staff seen in the last 15 minutes.
	Online, Away int
	Staff        []report.AgentLoad
	// TodayDelta is today's arrivals against the same-weekday average
	// ("+20%"), empty when there is no average yet.
	TodayDelta string
	DeltaTone  string
}

// dashRow is one status's open tickets per priority.
type dashRow struct {
	Status ticket.Status
	N      []int64
	Total  int64
}

// dashboard shows the desk's live state; the page script refreshes the
// cards when the desk's live feed reports a change, and every 15 s for
// presence (which changes without ticket events).
func (w *Web) dashboard(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	part := r.URL.Query().Get("part") == "cards"
	var from int64
	if !part {
		from = w.liveFrom(r)
	}
	d, err := w.d.Reports.Dashboard(r.Context(), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := dashboardDataOf(d)
	data.LiveFrom = from
	data.Updated = d.At.In(reqOf(r).Loc).Format("15:04:05")
	if part {
		rw.Header().Set("Cache-Control", "no-store")
		w.renderPart(rw, r, "dashboard.html", "dash_cards", &page{reqCtx: reqOf(r), Now: w.now(), Data: data})
		return
	}
	w.render(rw, r, http.StatusOK, "dashboard.html", w.newPage(rw, r, "web.dash.title", "dashboard", data))
}

func dashboardDataOf(d report.Dashboard) *dashboardData {
	out := &dashboardData{D: d, Prios: ticket.Priorities, ByPrio: make([]int64, len(ticket.Priorities))}
	for _, st := range ticket.Statuses {
		row := dashRow{Status: st, N: make([]int64, len(ticket.Priorities))}
		for _, c := range d.Open {
			if c.Status != string(st) {
				continue
			}
			for i, pr := range ticket.Priorities {
				if c.Priority == string(pr) {
					row.N[i] += c.N
					row.Total += c.N
					out.ByPrio[i] += c.N
				}
			}
		}
		if row.Total > 0 {
			out.Rows = append(out.Rows, row)
			out.Open += row.Total
		}
	}
	for _, a := range d.Agents {
		switch {
		case a.Online && a.Away:
			out.Away++
		case a.Online:
			out.Online++
		}
		if a.Online || a.Open > 0 {
			out.Staff = append(out.Staff, a)
		}
	}
	rank := func(a report.AgentLoad) int {
		switch {
		case a.Online && !a.Away:
			return 0
		case a.Online:
			return 1
		}
		return 2
	}
	sort.SliceStable(out.Staff, func(i, j int) bool {
		a, b := out.Staff[i], out.Staff[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a.Open > b.Open
	})
	if d.SameWeekday > 0 {
		pct := int((float64(d.Today)/d.SameWeekday-1)*100 + 0.5)
		if float64(d.Today) < d.SameWeekday {
			pct = -int((1-float64(d.Today)/d.SameWeekday)*100 + 0.5)
		}
		out.TodayDelta = strconv.Itoa(pct) + "%"
		if pct >= 0 {
			out.TodayDelta = "+" + out.TodayDelta
		}
		out.DeltaTone = map[bool]string{true: "warn", false: "ok"}[pct > 25]
	}
	return out
}

// Avg is the same-weekday average, to one decimal.
func (d *dashboardData) Avg() string { return strconv.FormatFloat(d.D.SameWeekday, 'f', 1, 64) }

// Oldest is the age of the oldest unassigned ticket.
func (d *dashboardData) Oldest() time.Duration { return d.D.OldestUnassigned }
