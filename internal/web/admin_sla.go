package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
)

func (w *Web) registerAdminSLA() {
	m := w.mux
	m.HandleFunc("GET /admin/sla", w.adminSLA)
	m.HandleFunc("POST /admin/sla/policies/{priority}", w.adminSavePolicy)
	m.HandleFunc("GET /admin/sla/calendars/new", w.adminCalendar)
	m.HandleFunc("GET /admin/sla/calendars/{key}", w.adminCalendar)
	m.HandleFunc("POST /admin/sla/calendars", w.adminSaveCalendar)
	m.HandleFunc("POST /admin/sla/calendars/{key}/import", w.adminImportICS)
}

// weekOrder lists the weekdays Monday first, as calendars in China read.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// slaData is the SLA page: a policy per priority and the calendars.
type slaData struct {
	Policies  []sla.Policy
	Calendars []sla.Calendar
	// Invalid is the priority whose form failed, if any.
	Invalid string
}

// Minutes writes a target as whole minutes for the form.
func (slaData) Minutes(d time.Duration) int64 { return int64(d / time.Minute) }

// Percent writes a warning share as a percentage for the form.
func (slaData) Percent(f float64) int { return int(f*100 + 0.5) }

func (w *Web) adminSLA(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	w.renderSLA(rw, r, by, "", nil)
}

func (w *Web) renderSLA(rw http.ResponseWriter, r *http.Request, by identity.Actor, priority string, formErr error) {
	ctx := ctxOf(r)
	pols, err := w.d.SLA.Policies(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cals, err := w.d.SLA.Calendars(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "admin.sla.title", "admin", &slaData{Policies: pols, Calendars: cals, Invalid: priority})
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_sla.html", formErr, labelsOf(p, map[string]string{"acknowledge": "sla.kind_acknowledge",
			"first_response": "sla.kind_first_response", "resolution": "sla.kind_resolution", "warn_share": "admin.sla.warn",
			"calendar": "admin.sla.calendar"}))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_sla.html", p)
}

// minutesField reads a target given in whole minutes. What is not a
// number (or absurdly large) reads as zero, which the service refuses
// with its own message for that field.
func minutesField(f url.Values, name string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(f.Get(name)), 10, 64)
	if err != nil || n < 0 || n > int64(sla.MaxTarget/time.Minute)+1 {
		return 0
	}
	return time.Duration(n) * time.Minute
}

func (w *Web) adminSavePolicy(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	pol := sla.Policy{Priority: r.PathValue("priority"), Calendar: f.Get("calendar"),
		Acknowledge: minutesField(f, "acknowledge"), FirstResponse: minutesField(f, "first_response"),
		Resolution: minutesField(f, "resolution")}
	// The form asks for a percentage; an unreadable one reads as 0, refused.
	if pct, err := strconv.ParseFloat(strings.TrimSpace(f.Get("warn_share")), 64); err == nil {
		pol.WarnShare = pct / 100
	}
	if _, err := w.d.SLA.SavePolicy(ctxOf(r), by, pol); err != nil {
		w.renderSLA(rw, r, by, pol.Priority, err)
		return
	}
	done(rw, r, "/admin/sla")
}

// calendarData is the calendar edit page.
type calendarData struct {
	Cal      sla.Calendar
	IsNew    bool
	Weekdays []time.Weekday
	// Hours are each weekday's spans as the form shows them ("09:00-12:00, 13:30-18:00").
	Hours map[time.Weekday]string
	// Days are the holidays and make-up workdays, a line each.
	Days string
	// Import is the result of an .ics import just done.
	Import *sla.ImportResult
	// FromForm says the calendar form failed: its fields show what was
	// typed (even what could not be read), not the saved calendar.
	FromForm bool
}

// calendarPage starts the calendar page for c.
func (w *Web) calendarPage(rw http.ResponseWriter, r *http.Request, c sla.Calendar, isNew bool) *page {
	d := &calendarData{Cal: c, IsNew: isNew, Weekdays: weekOrder, Hours: map[time.Weekday]string{}, Days: daysText(c.Days)}
	for wd, spans := range c.Hours {
		parts := make([]string, len(spans))
		for i, s := range spans {
			parts[i] = s.String()
		}
		d.Hours[time.Weekday(wd)] = strings.Join(parts, ", ")
	}
	title := "admin.calendar.new"
	if !isNew {
		title = "admin.calendar.edit"
	}
	p := w.newPage(rw, r, title, "admin", d)
	if !isNew {
		p.Title = p.T(title, "name", p.Pick(c.NameZH, c.NameEN))
	}
	return p
}

// daysText writes special days a line each: "2026-10-01 holiday 国庆节".
func daysText(days []sla.SpecialDay) string {
	var b strings.Builder
	for _, d := range days {
		kind := "holiday"
		if d.Workday {
			kind = "workday"
		}
		fmt.Fprintf(&b, "%s %s %s\n", d.Date, kind, d.Name)
	}
	return b.String()
}

func (w *Web) adminCalendar(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	key := r.PathValue("key")
	if key == "" {
		c := sla.Calendar{TimeZone: reqOf(r).Site.TimeZone, MakeUpAs: time.Monday}
		w.render(rw, r, http.StatusOK, "admin_calendar.html", w.calendarPage(rw, r, c, true))
		return
	}
	c, err := w.d.SLA.Calendar(ctxOf(r), by, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_calendar.html", w.calendarPage(rw, r, c, false))
}

var calendarLabels = map[string]string{"key": "admin.calendar.key", "name_zh": "admin.name_zh", "name_en": "admin.name_en",
	"time_zone": "admin.calendar.time_zone", "hours": "admin.calendar.hours", "make_up_as": "admin.calendar.make_up_as",
	"days": "admin.calendar.days", "ics": "admin.calendar.ics"}

func (w *Web) adminSaveCalendar(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	c, err := calendarFromForm(r.PostForm)
	isNew := c.Revision == 0
	if err == nil {
		_, err = w.d.SLA.SaveCalendar(ctxOf(r), by, c)
	}
	if err != nil {
		p := w.calendarPage(rw, r, c, isNew)
		p.Data.(*calendarData).FromForm = true
		w.adminInvalid(rw, r, p, "admin_calendar.html", err, labelsOf(p, calendarLabels))
		return
	}
	done(rw, r, "/admin/sla/calendars/"+url.PathEscape(c.Key))
}

// calendarFromForm reads the calendar form: each weekday's spans as a comma
// list, the special days a line each ("2026-10-01 holiday 国庆节"; the
// kind may also be 休 or 班).
func calendarFromForm(f url.Values) (sla.Calendar, error) {
	rev, _ := strconv.ParseInt(f.Get("revision"), 10, 64)
	c := sla.Calendar{Key: strings.TrimSpace(f.Get("key")), NameZH: f.Get("name_zh"), NameEN: f.Get("name_en"),
		TimeZone: strings.TrimSpace(f.Get("time_zone")), Revision: rev}
	var m apperr.Multi
	if wd, err := strconv.Atoi(f.Get("make_up_as")); err == nil && wd >= 0 && wd < 7 {
		c.MakeUpAs = time.Weekday(wd)
	}
	for wd := range 7 {
		for _, s := range splitList(f.Get(fmt.Sprintf("hours_%d", wd))) {
			sp, err := sla.ParseSpan(s)
			if err != nil {
				m.Add(apperr.FieldError("admin.calendar.span_unreadable", fmt.Sprintf("hours_%d", wd), map[string]any{"span": s}))
				continue
			}
			c.Hours[wd] = append(c.Hours[wd], sp)
		}
	}
	for _, line := range strings.Split(f.Get("days"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		parts := strings.Fields(line)
		d, err := sla.ParseDate(parts[0])
		if err != nil || len(parts) < 2 {
			m.Add(apperr.FieldError("admin.calendar.day_unreadable", "days", map[string]any{"line": line}))
			continue
		}
		day := sla.SpecialDay{Date: d, Name: strings.Join(parts[2:], " ")}
		switch strings.ToLower(parts[1]) {
		case "holiday", "休", "假":
		case "workday", "班":
			day.Workday = true
		default:
			m.Add(apperr.FieldError("admin.calendar.day_unreadable", "days", map[string]any{"line": line}))
			continue
		}
		c.Days = append(c.Days, day)
	}
	return c, m.Err()
}

// maxICSBytes bounds an uploaded calendar file (the parser has its own limit too).
const maxICSBytes = 1 << 20

func (w *Web) adminImportICS(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	ctx := ctxOf(r)
	key := r.PathValue("key")
	c, err := w.d.SLA.Calendar(ctx, by, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var res sla.ImportResult
	file, _, ferr := r.FormFile("ics")
	if ferr != nil {
		err = apperr.FieldError("admin.calendar.ics_missing", "ics", nil)
	} else {
		defer file.Close()
		res, err = w.d.SLA.ImportICS(ctx, by, key, http.MaxBytesReader(rw, file, maxICSBytes))
	}
	if err != nil {
		p := w.calendarPage(rw, r, c, false)
		w.adminInvalid(rw, r, p, "admin_calendar.html", err, labelsOf(p, calendarLabels))
		return
	}
	if c, err = w.d.SLA.Calendar(ctx, by, key); err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.calendarPage(rw, r, c, false)
	p.Data.(*calendarData).Import = &res
	p.Flash = &flash{Kind: "ok", Key: "admin.calendar.imported", Params: map[string]any{"holidays": res.Holidays, "workdays": res.Workdays}}
	w.render(rw, r, http.StatusOK, "admin_calendar.html", p)
}
