package web

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/audit"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/report/export"
)

// reportExport downloads a report as CSV (UTF-8 with BOM) or XLSX: the
// same tables and writer as GET /api/v1/reports/{name}/export, with the
// cookie session instead of a token.
func (w *Web) reportExport(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	if !exportable(name) {
		w.notFound(rw, r)
		return
	}
	ctx := r.Context()
	f := reportFormOf(r, w.now(), w.d.Reports.Location())
	format := export.Format(r.URL.Query().Get("format"))
	if format == "" {
		format = export.CSV
	}
	if !format.Valid() {
		w.fail(rw, r, apperr.FieldError("export.format_invalid", "format", map[string]any{"value": string(format)}))
		return
	}
	q, err := w.d.Reports.Resolve(ctx, by, f.From, f.To, f.keys(), report.Interval(f.Interval))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	tables, err := w.d.Reports.Tables(ctx, by, name, q, f.staffing())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	lang := reqOf(r).Lang
	label := func(k report.Label) string { return i18n.T(lang, string(k), nil) }
	var buf bytes.Buffer
	for i, t := range tables {
		if format == export.XLSX && i > 0 {
			break // one sheet per file, as the API writes it
		}
		if i > 0 {
			buf.WriteString("\r\n")
		}
		sheet := export.FromTable(t, label, w.d.Reports.Location())
		sheet.NoBOM = i > 0
		if err := export.Write(&buf, format, sheet); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	w.audit(r, by, "export", "report."+name, map[string]string{"format": string(format), "from": f.From, "to": f.To})
	rw.Header().Set("Content-Type", format.ContentType())
	rw.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": fmt.Sprintf("%s_%s_%s.%s", name, f.From, f.To, format)}))
	rw.Write(buf.Bytes())
}

// audit records an export (as the API's export handlers do).
func (w *Web) audit(r *http.Request, by identity.Actor, action, target string, detail map[string]string) {
	w.record(r, audit.Entry{ActorID: by.UserID, Actor: by.Login, Action: action, Target: target, Status: http.StatusOK, Detail: detail})
}

// record writes an audit entry with the request's address. A failure to
// record is logged: what it records has happened.
func (w *Web) record(r *http.Request, e audit.Entry) {
	if w.d.Audit == nil {
		return
	}
	e.IP = clientIP(r)
	if err := w.d.Audit.Record(context.WithoutCancel(r.Context()), e); err != nil {
		w.log.ErrorContext(r.Context(), "audit", "err", err, "action", e.Action)
	}
}

// exportView is a background export's progress as the page shows it.
type exportView struct {
	ID       int64
	State    string
	Percent  int
	Rows     int64
	Format   string
	Error    string
	Download string
	// Done says the page may stop asking.
	Done bool
}

func exportViewOf(p *page, rec export.Record) *exportView {
	v := &exportView{ID: rec.ID, State: string(rec.State), Percent: int(rec.Progress*100 + 0.5), Rows: rec.RowsDone,
		Format: strings.ToUpper(string(rec.Format)), Done: rec.State == export.Done || rec.State == export.Failed}
	if rec.State == export.Done {
		v.Percent, v.Download = 100, "/exports/"+strconv.FormatInt(rec.ID, 10)+"/file"
	}
	if rec.State == export.Failed {
		v.Error = p.T(cmpOr(rec.Error, "internal"))
	}
	return v
}

// exportViewOf reads an export named by the page's address; an export
// that is not the caller's shows nothing.
func (w *Web) exportViewOf(r *http.Request, by identity.Actor, id string) *exportView {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	rec, err := w.d.Exports.Get(r.Context(), by, n)
	if err != nil {
		if kindOf(err) == apperr.Internal {
			w.log.ErrorContext(r.Context(), "reports: export progress", "export", n, "err", err)
		}
		return nil
	}
	return exportViewOf(&page{reqCtx: reqOf(r)}, rec)
}

// startTicketExport queues the export of the ticket list for the period
// and filter of the reports page (export.Service.StartTickets, a durable
// job) and returns to the page, which shows its progress.
func (w *Web) startTicketExport(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	loc := w.d.Reports.Location()
	from, err1 := dayBound(r.PostFormValue("from"), loc, false)
	to, err2 := dayBound(r.PostFormValue("to"), loc, true)
	back := "/reports?" + r.PostFormValue("back")
	if err1 != nil || err2 != nil {
		flashErr(rw, reqOf(r).Lang, apperr.FieldError("report.date_invalid", "from",
			map[string]any{"value": r.PostFormValue("from") + " / " + r.PostFormValue("to")}))
		redirect(rw, r, back)
		return
	}
	p := export.TicketParams{From: from, To: to, Category: r.PostFormValue("category"),
		Group: r.PostFormValue("group"), Assignee: r.PostFormValue("agent")}
	if pr := r.PostFormValue("priority"); pr != "" {
		p.Priorities = []string{pr}
	}
	format := export.Format(r.PostFormValue("format"))
	rec, err := w.d.Exports.StartTickets(r.Context(), by, p, format, string(reqOf(r).Lang))
	if err != nil {
		flashErr(rw, reqOf(r).Lang, err)
		redirect(rw, r, back)
		return
	}
	w.audit(r, by, "export.tickets", strconv.FormatInt(rec.ID, 10), map[string]string{"format": string(format),
		"from": r.PostFormValue("from"), "to": r.PostFormValue("to")})
	v, _ := url.ParseQuery(r.PostFormValue("back"))
	v.Set("export", strconv.FormatInt(rec.ID, 10))
	redirect(rw, r, "/reports?"+v.Encode()+"#export")
}

// ticketExport answers an export's progress: the progress fragment the
// page swaps in while it waits (or JSON for a script that asks for it).
func (w *Web) ticketExport(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rec, err := w.d.Exports.Get(r.Context(), by, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	// Not newPage: a poll must not take the flash meant for the next page.
	p := &page{reqCtx: reqOf(r), Now: w.now()}
	v := exportViewOf(p, rec)
	if wantsJSON(r) {
		writeJSON(rw, http.StatusOK, v)
		return
	}
	p.Data = &reportsData{Export: v}
	rw.Header().Set("Cache-Control", "no-store")
	w.renderPart(rw, r, "reports.html", "export_progress", p)
}

// ticketExportFile downloads a finished export to its owner.
func (w *Web) ticketExportFile(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.supervisor(rw, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rec, fh, err := w.d.Exports.Open(r.Context(), by, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer fh.Close()
	rw.Header().Set("Content-Type", rec.Format.ContentType())
	rw.Header().Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": "tickets-" + strconv.FormatInt(rec.ID, 10) + "." + string(rec.Format)}))
	http.ServeContent(rw, r, "", rec.FinishedAt, fh)
}
