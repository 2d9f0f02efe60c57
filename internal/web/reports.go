package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/ticket"
)

// registerReports registers the reports, the live dashboard, alert rules and
// the audit log. Reports and the dashboard are for supervisors and admins
// (report.CanRead); alert rules and the audit log are admin console pages.
func (w *Web) registerReports() {
	m := w.mux
	if w.d.Reports != nil {
		m.HandleFunc("GET /reports", w.reports)
		m.HandleFunc("GET /reports/{name}/export", w.reportExport)
		m.HandleFunc("GET /dashboard", w.dashboard)
	}
	if w.d.Exports != nil && w.d.Reports != nil {
		m.HandleFunc("POST /exports/tickets", w.startTicketExport)
		m.HandleFunc("GET /exports/{id}", w.ticketExport)
		m.HandleFunc("GET /exports/{id}/file", w.ticketExportFile)
	}
	if w.d.Alerts != nil {
		w.registerAdminAlerts()
	}
	if w.d.Audit != nil {
		m.HandleFunc("GET /admin/audit", w.adminAudit)
	}
}

// supervisor is actor for the report pages: supervisors and admins.
func (w *Web) supervisor(rw http.ResponseWriter, r *http.Request) (identity.Actor, bool) {
	a, ok := w.actor(rw, r)
	if ok && !report.CanRead(a) {
		w.fail(rw, r, apperr.New(apperr.Forbidden, "auth.forbidden"))
		return a, false
	}
	return a, ok
}

// CanReadReports says the navigation offers the reports and the dashboard:
// the report service's own rule (report.CanRead), not a copy of it.
func (p *page) CanReadReports() bool { return p.Actor != nil && report.CanRead(*p.Actor) }

// reportNames are the report tabs, in order; every one exports.
var reportNames = report.Exportable

// exportable reports whether a report downloads as CSV and XLSX.
func exportable(name string) bool { return slices.Contains(report.Exportable, name) }

// presets are the quick periods, by key: how many days back, or "year".
var presets = []string{"7d", "30d", "90d", "year"}

// reportForm is the period and filter picked on the reports page: a GET
// form, so the address of a report can be shared.
type reportForm struct {
	Report                 string
	From, To, Preset       string
	Interval               string
	Group, Agent, Category string
	Priority, Channel, Org string
	// Staffing assumptions (the staffing tab only).
	AHT, Share, SLAPriority string
}

// reportFormOf reads the form; a preset (or no period at all: the last 30
// days) sets From and To in the site's time zone.
func reportFormOf(r *http.Request, now time.Time, loc *time.Location) reportForm {
	q := r.URL.Query()
	f := reportForm{Report: q.Get("r"), From: q.Get("from"), To: q.Get("to"), Preset: q.Get("preset"),
		Interval: q.Get("interval"), Group: q.Get("group"), Agent: q.Get("agent"), Category: q.Get("category"),
		Priority: q.Get("priority"), Channel: q.Get("channel"), Org: q.Get("org"),
		AHT: q.Get("aht_minutes"), Share: q.Get("service_level"), SLAPriority: q.Get("sla_priority")}
	if slices.Index(reportNames, f.Report) < 0 {
		f.Report = reportNames[0]
	}
	if f.Interval == "" {
		f.Interval = string(report.Day)
	}
	if f.From == "" && f.To == "" && f.Preset == "" {
		f.Preset = "30d"
	}
	today := now.In(loc)
	switch f.Preset {
	case "7d", "30d", "90d":
		n := map[string]int{"7d": 7, "30d": 30, "90d": 90}[f.Preset]
		f.From, f.To = today.AddDate(0, 0, 1-n).Format(time.DateOnly), today.Format(time.DateOnly)
	case "year":
		f.From, f.To = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, loc).Format(time.DateOnly), today.Format(time.DateOnly)
	default:
		f.Preset = ""
	}
	return f
}

// keys is the filter for report.Service.Resolve.
func (f reportForm) keys() report.FilterKeys {
	return report.FilterKeys{Group: f.Group, Agent: f.Agent, Category: f.Category, Priority: f.Priority,
		Channel: f.Channel, Org: f.Org}
}

// values is the form as query parameters (without the report's name).
func (f reportForm) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Preset != "" {
		set("preset", f.Preset)
	} else {
		set("from", f.From)
		set("to", f.To)
	}
	set("interval", f.Interval)
	set("group", f.Group)
	set("agent", f.Agent)
	set("category", f.Category)
	set("priority", f.Priority)
	set("channel", f.Channel)
	set("org", f.Org)
	return v
}

// Link is the address of report name under the same period and filter.
func (f reportForm) Link(name string) string {
	v := f.values()
	v.Set("r", name)
	return "/reports?" + v.Encode()
}

// PresetLink is the current report and filter over a preset period.
func (f reportForm) PresetLink(preset string) string {
	g := f
	g.Preset = preset
	v := g.values()
	v.Set("r", f.Report)
	return "/reports?" + v.Encode()
}

// ExportLink downloads the current report in format (csv, xlsx).
func (f reportForm) ExportLink(format string) string {
	v := f.values()
	v.Set("format", format)
	if f.Report == "staffing" { // the file states the assumptions it was made under
		for k, s := range map[string]string{"aht_minutes": f.AHT, "service_level": f.Share, "sla_priority": f.SLAPriority} {
			if s != "" {
				v.Set(k, s)
			}
		}
	}
	return "/reports/" + f.Report + "/export?" + v.Encode()
}

// reportsData is the reports page.
type reportsData struct {
	Form     reportForm
	Names    []string
	Presets  []string
	Groups   []identity.Group
	Agents   []identity.User
	Orgs     []identity.Org
	Cats     []ticket.Category
	Prios    []ticket.Priority
	Channels []string
	// Intervals are the steps a time series can take.
	Intervals []report.Interval
	// Back is the page's query, for the ticket export form to return to.
	Back string
	// View is the report shown (nil when the form has errors).
	View *reportView
	// Exportable says the report downloads as CSV and XLSX.
	Exportable bool
	// Export is a ticket-list export in progress, when one was started.
	Export *exportView
}

// reports shows one report for the period and filter of the form.
func (w *Web) reports(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	ctx := r.Context()
	f := reportFormOf(r, w.now(), w.d.Reports.Location())
	d := &reportsData{Form: f, Names: reportNames, Presets: presets, Prios: ticket.Priorities,
		Channels: report.Channels, Exportable: exportable(f.Report),
		Intervals: []report.Interval{report.Hour, report.Day, report.Week, report.Month}}
	back := f.values()
	back.Set("r", f.Report)
	d.Back = back.Encode()
	w.reportChoices(r, by, d)
	p := w.newPage(rw, r, "web.report.title", "reports", d)
	status := http.StatusOK
	q, err := w.d.Reports.Resolve(ctx, by, f.From, f.To, f.keys(), report.Interval(f.Interval))
	if err == nil {
		d.View, err = w.reportView(r, p, by, f, q, d.displayNames(p))
	}
	if err != nil {
		if st := statusOf(kindOf(err)); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
			w.fail(rw, r, err)
			return
		}
		p.Form = r.URL.Query()
		p.Errors = errorsOf(p.Lang, err, labelsOf(p, reportFieldLabels))
		d.View, status = nil, statusOf(kindOf(err))
	}
	if id := r.URL.Query().Get("export"); id != "" && w.d.Exports != nil {
		d.Export = w.exportViewOf(r, by, id)
	}
	w.render(rw, r, status, "reports.html", p)
}

// reportFieldLabels name the form's fields in error messages.
var reportFieldLabels = map[string]string{"from": "web.report.from", "to": "web.report.to", "interval": "web.report.interval",
	"group": "web.report.group", "agent": "web.report.agent", "category": "web.report.category",
	"priority": "web.report.priority", "channel": "web.report.channel", "org": "web.report.org",
	"aht_minutes": "web.report.aht", "service_level": "web.report.share", "sla_priority": "web.report.sla_priority"}

// reportChoices fills the filter's lists. A list that cannot be read
// leaves its select with "any" only: the page still works.
func (w *Web) reportChoices(r *http.Request, by identity.Actor, d *reportsData) {
	ctx := r.Context()
	var err error
	if d.Groups, err = w.d.Identity.Groups(ctx, by); err != nil {
		w.log.WarnContext(ctx, "reports: groups", "err", err)
	}
	for _, role := range []identity.Role{identity.RoleAgent, identity.RoleSupervisor} {
		us, err := w.d.Identity.Users(ctx, by, identity.UserFilter{Role: role, Limit: maxListed})
		if err != nil {
			w.log.WarnContext(ctx, "reports: staff", "err", err)
		}
		d.Agents = append(d.Agents, us...)
	}
	if d.Orgs, err = w.d.Identity.Orgs(ctx, by); err != nil {
		w.log.WarnContext(ctx, "reports: orgs", "err", err)
	}
	if d.Cats, err = w.d.Tickets.Categories(ctx, by); err != nil {
		w.log.WarnContext(ctx, "reports: categories", "err", err)
	}
}

// displayNames maps the team report's logins and group keys to the names
// people know them by, in the page's language.
func (d *reportsData) displayNames(p *page) map[string]string {
	out := map[string]string{}
	for _, u := range d.Agents {
		if u.Name != "" {
			out["agent:"+u.Login] = u.Name
		}
	}
	for _, g := range d.Groups {
		out["group:"+g.Key] = p.Pick(g.NameZH, g.NameEN)
	}
	return out
}
