package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
)

// auditPage is how many entries the audit log page shows at once.
const auditPage = 50

// auditData is the audit log page.
type auditData struct {
	Entries []audit.Entry
	// Older pages on (before_id), empty when this is the last page.
	Older string
	// CSV downloads what the search finds (up to audit.MaxPage entries).
	CSV string
}

// adminAudit searches the audit log (admins): by actor, action, text and
// date range, newest first, paged by id; format=csv downloads the search
// as CSV (UTF-8 with BOM) as GET /api/v1/audit?format=csv does.
func (w *Web) adminAudit(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	form := r.URL.Query()
	rc := reqOf(r)
	q := audit.Query{Actor: strings.TrimSpace(form.Get("actor")), Action: strings.TrimSpace(form.Get("action")),
		Text: form.Get("q"), Limit: auditPage + 1}
	var bad apperr.Multi
	day := func(field string, end bool) time.Time {
		s := strings.TrimSpace(form.Get(field))
		if s == "" {
			return time.Time{}
		}
		t, err := dayBound(s, rc.Loc, end)
		if err != nil {
			bad.Add(apperr.FieldError("report.date_invalid", field, map[string]any{"value": s}))
			return time.Time{}
		}
		return t
	}
	q.From, q.To = day("from", false), day("to", true)
	q.BeforeID, _ = strconv.ParseInt(form.Get("before_id"), 10, 64)
	csv := form.Get("format") == "csv"
	if csv {
		q.Limit = audit.MaxPage
	}
	p := w.newPage(rw, r, "web.audit.title", "admin", nil)
	if err := bad.Err(); err != nil {
		p.Form, p.Errors = form, errorsOf(p.Lang, err, labelsOf(p, map[string]string{"from": "web.audit.from", "to": "web.audit.to"}))
		p.Data = &auditData{}
		w.render(rw, r, http.StatusUnprocessableEntity, "admin_audit.html", p)
		return
	}
	es, err := w.d.Audit.Search(r.Context(), by, q)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if csv {
		w.audit(r, by, "audit.search", "csv", nil)
		w.auditCSV(r.Context(), rw, rc.Lang, es)
		return
	}
	d := &auditData{Entries: es}
	if len(es) > auditPage {
		d.Entries = es[:auditPage]
		next := cloneValues(form)
		next.Set("before_id", strconv.FormatInt(d.Entries[auditPage-1].ID, 10))
		d.Older = "/admin/audit?" + next.Encode()
	}
	c := cloneValues(form)
	c.Del("before_id")
	c.Set("format", "csv")
	d.CSV = "/admin/audit?" + c.Encode()
	p.Form, p.Data = form, d
	w.render(rw, r, http.StatusOK, "admin_audit.html", p)
}

// auditCSV writes entries as the API's CSV export does (export.FromAudit).
func (w *Web) auditCSV(ctx context.Context, rw http.ResponseWriter, lang i18n.Lang, es []audit.Entry) {
	label := func(k report.Label) string { return i18n.T(lang, string(k), nil) }
	loc := time.UTC
	if w.d.Reports != nil {
		loc = w.d.Reports.Location()
	}
	rw.Header().Set("Content-Type", export.CSV.ContentType())
	rw.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	if err := export.WriteCSV(rw, export.FromAudit(es, label, loc)); err != nil {
		w.log.ErrorContext(ctx, "audit csv", "err", err)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// consoleVerbs are the last path segments that name what a console form
// did; any other post saves.
var consoleVerbs = map[string]bool{"delete": true, "move": true, "toggle": true, "password": true, "import": true, "strategy": true,
	"retrain": true}

// auditConsole records the admin console's successful changes in the audit
// log, as the API's middleware records the same changes made through the
// API: action "console.<section>.<verb>" (console.users.save,
// console.rules.delete, …), the page's path as the target. Form values are
// not recorded (passwords go through these forms). Refused forms change
// nothing and are not recorded.
func (w *Web) auditConsole(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/admin/")
		if r.Method != http.MethodPost || !ok || w.d.Audit == nil {
			next.ServeHTTP(rw, r)
			return
		}
		sw := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		rc := reqOf(r)
		if rc.Actor == nil || (sw.status != http.StatusSeeOther && sw.status != http.StatusOK) {
			return
		}
		for _, c := range rw.Header().Values("Set-Cookie") {
			if strings.HasPrefix(c, flashCookie+"=error:") {
				return // refused, and said so on the next page
			}
		}
		parts := strings.Split(rest, "/")
		verb := "save"
		if last := parts[len(parts)-1]; len(parts) > 1 && consoleVerbs[last] {
			verb = last
		}
		w.record(r, audit.Entry{ActorID: rc.Actor.UserID, Actor: rc.Actor.Login, Action: "console." + parts[0] + "." + verb,
			Target: r.URL.Path, Status: sw.status})
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
