package httpapi

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"helpdesk/internal/audit"
	"helpdesk/internal/report/export"
)

// ExportJSON is a background export and its progress.
type ExportJSON struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Format      string     `json:"format" enum:"csv,xlsx"`
	State       string     `json:"state" enum:"queued,running,done,failed"`
	Rows        int64      `json:"rows" doc:"Rows written so far."`
	Progress    float64    `json:"progress" doc:"Share done, 0–1."`
	Size        int64      `json:"size,omitempty"`
	Error       string     `json:"error,omitempty" doc:"Error code when failed."`
	DownloadURL string     `json:"download_url,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

func exportJSON(r export.Record) ExportJSON {
	out := ExportJSON{ID: r.ID, Kind: r.Kind, Format: string(r.Format), State: string(r.State), Rows: r.RowsDone,
		Progress: r.Progress, Size: r.Size, Error: r.Error, CreatedAt: r.CreatedAt}
	if r.State == export.Done {
		out.DownloadURL = "/api/v1/exports/" + itoa(r.ID) + "/file"
	}
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		out.FinishedAt = &f
	}
	return out
}

type exportTicketsIn struct {
	Body struct {
		From     string   `json:"from" example:"2026-10-01" doc:"First day of creation (site time zone)."`
		To       string   `json:"to" example:"2026-10-31" doc:"Last day, inclusive."`
		Format   string   `json:"format" enum:"csv,xlsx"`
		Status   []string `json:"status,omitempty"`
		Priority []string `json:"priority,omitempty"`
		Category string   `json:"category,omitempty"`
		Group    string   `json:"group,omitempty"`
		Assignee string   `json:"assignee,omitempty"`
	}
}

// AuditJSON is one audit log entry.
type AuditJSON struct {
	ID        int64             `json:"id"`
	At        time.Time         `json:"at"`
	Actor     string            `json:"actor"`
	Action    string            `json:"action"`
	Target    string            `json:"target,omitempty"`
	Status    int               `json:"status"`
	IP        string            `json:"ip,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
}

type auditIn struct {
	Actor    string    `query:"actor"`
	Action   string    `query:"action"`
	Q        string    `query:"q" maxLength:"200" doc:"Text in the target or details."`
	From     time.Time `query:"from" doc:"RFC 3339."`
	To       time.Time `query:"to" doc:"RFC 3339."`
	BeforeID int64     `query:"before_id"`
	Limit    int       `query:"limit" minimum:"1" maximum:"500" default:"100"`
	Format   string    `query:"format" enum:"json,csv" default:"json" doc:"csv downloads the page as CSV (UTF-8 with BOM)."`
}

func (a *API) registerExports() {
	if a.d.Exports == nil {
		return
	}
	tags := []string{"Exports"}
	huma.Register(a.h, huma.Operation{OperationID: "export-tickets", Method: http.MethodPost, Path: "/api/v1/exports/tickets",
		Summary: "Export a filtered ticket list as a background job (staff)", Tags: tags, DefaultStatus: http.StatusAccepted,
		Description: "Contact data is masked as in the caller's own listing. Poll the export for progress; download when done.",
		Errors:      []int{401, 403, 422}},
		func(ctx context.Context, in *exportTicketsIn) (*one[ExportJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			loc := a.d.Reports.Location()
			b := in.Body
			from, err1 := time.ParseInLocation(time.DateOnly, b.From, loc)
			to, err2 := time.ParseInLocation(time.DateOnly, b.To, loc)
			if err1 != nil || err2 != nil {
				return nil, newProblem(ctx, http.StatusUnprocessableEntity, "report.date_invalid", map[string]any{"value": b.From + " / " + b.To})
			}
			r, err := a.d.Exports.StartTickets(ctx, by, export.TicketParams{From: from, To: to.AddDate(0, 0, 1), Statuses: b.Status,
				Priorities: b.Priority, Category: b.Category, Group: b.Group, Assignee: b.Assignee}, export.Format(b.Format), string(langFrom(ctx)))
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			a.audit(ctx, "export.tickets", itoa(r.ID), map[string]any{"format": b.Format, "from": b.From, "to": b.To})
			return &one[ExportJSON]{Status: http.StatusAccepted, Body: exportJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "get-export", Method: http.MethodGet, Path: "/api/v1/exports/{id}",
		Summary: "An export's progress", Tags: tags, Errors: []int{401, 404}},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id"`
		}) (*one[ExportJSON], error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, err := a.d.Exports.Get(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &one[ExportJSON]{Status: http.StatusOK, Body: exportJSON(r)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "download-export", Method: http.MethodGet, Path: "/api/v1/exports/{id}/file",
		Summary: "Download a finished export", Tags: tags, Errors: []int{401, 404, 409},
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}},
		func(ctx context.Context, in *struct {
			ID int64 `path:"id"`
		}) (*huma.StreamResponse, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			r, fh, err := a.d.Exports.Open(ctx, by, in.ID)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				defer fh.Close()
				req, w := humago.Unwrap(hctx)
				w.Header().Set("Content-Type", r.Format.ContentType())
				w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "tickets-" + itoa(r.ID) + "." + string(r.Format)}))
				http.ServeContent(w, req, "", r.FinishedAt, fh)
			}}, nil
		})
}

func (a *API) registerAudit() {
	if a.d.Audit == nil {
		return
	}
	huma.Register(a.h, huma.Operation{OperationID: "search-audit", Method: http.MethodGet, Path: "/api/v1/audit",
		Summary: "Search the audit log (admins)", Tags: []string{"Admin"}, Errors: []int{401, 403, 422},
		Description: "Sign-ins (successful and failed), permission and settings changes, exports and deletions, newest first. " +
			"format=csv downloads the page as CSV."},
		func(ctx context.Context, in *auditIn) (*huma.StreamResponse, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			es, err := a.d.Audit.Search(ctx, by, audit.Query{Actor: in.Actor, Action: in.Action, Text: in.Q, From: in.From, To: in.To,
				BeforeID: in.BeforeID, Limit: in.Limit})
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			a.audit(ctx, "audit.search", in.Format, nil)
			return a.auditAnswer(ctx, in.Format, es), nil
		})
}
